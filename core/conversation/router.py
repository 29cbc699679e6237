"""Handlers grouped by feature, as aiogram's ``Router``: each feature module has one ``Router`` and attaches its
commands, choices and multi-step flows to it; ``Registry.of`` takes the routers listed in
``core.conversation.features`` (nothing registers itself by being imported) and refuses a command of the registry
(``core.conversation.commands``) without a handler, or an action or flow claimed twice."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from core.conversation.commands import BY_NAME, Access

if TYPE_CHECKING:
    from core.conversation.context import Ctx
    from core.conversation.events import Incoming, Reply

Handler = Callable[["Ctx", str], Awaitable[list["Reply"]]]
Action = Callable[["Ctx", dict[str, Any]], Awaitable[list["Reply"]]]
FlowStep = Callable[["Ctx", dict[str, Any], "Incoming"], Awaitable[list["Reply"]]]
ANSWERED_BY_THE_ENGINE = {"start", "dangky", "huy"}  # registration and cancel come before any handler


@dataclass(frozen=True)
class ChoiceHandler:
    handler: Action
    access: Access
    single_use: bool  # one decision per menu: its sibling choices are used up with it


@dataclass(frozen=True)
class FlowHandler:
    handler: FlowStep
    access: Access


@dataclass
class Router:
    """One feature's handlers."""

    name: str
    commands: dict[str, Handler] = field(default_factory=dict)
    choices: dict[str, ChoiceHandler] = field(default_factory=dict)
    flows: dict[str, FlowHandler] = field(default_factory=dict)

    def command(self, name: str) -> Callable[[Handler], Handler]:
        """Answer the registry's command ``name`` (its access is the registry's)."""
        if name not in BY_NAME:
            raise KeyError(f"/{name} is not in the command registry")

        def attach(fn: Handler) -> Handler:
            self.commands[name] = fn
            return fn

        return attach

    def choice(self, action: str, access: Access, single_use: bool = False) -> Callable[[Action], Action]:
        """Answer a choice (button or numbered pick) whose token carries ``action``."""

        def attach(fn: Action) -> Action:
            self.choices[action] = ChoiceHandler(fn, access, single_use)
            return fn

        return attach

    def flow(self, flow: str, access: Access) -> Callable[[FlowStep], FlowStep]:
        """Answer the text and files sent while the multi-step command ``flow`` waits."""

        def attach(fn: FlowStep) -> FlowStep:
            self.flows[flow] = FlowHandler(fn, access)
            return fn

        return attach


@dataclass(frozen=True)
class Registry:
    commands: dict[str, Handler]
    choices: dict[str, ChoiceHandler]
    flows: dict[str, FlowHandler]

    @staticmethod
    def of(*routers: Router) -> Registry:
        """Every router's handlers in one place.

        Raises:
            ValueError: a command, action or flow claimed by two routers, or a command without a handler.
        """
        commands: dict[str, Handler] = {}
        choices: dict[str, ChoiceHandler] = {}
        flows: dict[str, FlowHandler] = {}
        for router in routers:
            twice = (
                (set(router.commands) & set(commands))
                | (set(router.choices) & set(choices))
                | (set(router.flows) & set(flows))
            )
            if twice:
                raise ValueError(f"router {router.name!r} claims {sorted(twice)} again")
            commands.update(router.commands)
            choices.update(router.choices)
            flows.update(router.flows)
        missing = set(BY_NAME) - set(commands) - ANSWERED_BY_THE_ENGINE
        if missing:
            raise ValueError(f"commands in the registry without a handler: {sorted(missing)}")
        return Registry(commands, choices, flows)
