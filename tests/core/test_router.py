"""The conversation's features are registered in one explicit list; a gap or a double claim is refused at once."""

from __future__ import annotations

from typing import Any

import pytest

from core.conversation.commands import BY_NAME, Access
from core.conversation.context import Ctx
from core.conversation.events import Reply
from core.conversation.features import ADMINS, PEOPLE, REGISTRY
from core.conversation.router import ANSWERED_BY_THE_ENGINE, Registry, Router


async def _nothing(ctx: Ctx, args: str) -> list[Reply]:
    return []


async def _no_choice(ctx: Ctx, payload: dict[str, Any]) -> list[Reply]:
    return []


def test_every_command_of_the_registry_has_exactly_one_handler() -> None:
    assert set(REGISTRY.commands) == set(BY_NAME) - ANSWERED_BY_THE_ENGINE
    claimed = [name for router in (*PEOPLE, *ADMINS) for name in router.commands]
    assert len(claimed) == len(set(claimed))


def test_a_command_left_without_a_handler_is_refused() -> None:
    with pytest.raises(ValueError, match="without a handler"):
        Registry.of(*PEOPLE)  # the admins' features left out


def test_a_choice_claimed_twice_is_refused() -> None:
    again = Router("again")
    again.choice("task", Access.MEMBER)(_no_choice)
    with pytest.raises(ValueError, match="claims \\['task'\\] again"):
        Registry.of(*PEOPLE, *ADMINS, again)


def test_a_handler_for_a_command_the_registry_does_not_know_is_refused() -> None:
    with pytest.raises(KeyError, match="/khongco is not in the command registry"):
        Router("x").command("khongco")(_nothing)
