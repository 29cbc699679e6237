"""Per-event context handed to every handler: who, in which language, when, and the open unit of work.

One incoming event is one unit of work: everything a handler writes (its use-case, the choices it
offers, the step it remembers) commits together after it returns, or not at all.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from core.conversation.events import Account, Choice, Incoming, Reply
from core.i18n import gettext_for
from core.repositories import UnitOfWork
from core.standing import Deadlines, Verdict, judge
from core.types import Actor, AgencyPeriod
from core.usecases.outreach import ACK_ACTION
from core.usecases.rules import Rules, effective_rules

CHOICE_TTL = timedelta(hours=24)
STATE_TTL = timedelta(hours=2)


class Flow(enum.StrEnum):
    """A multi-step command waiting for the person's next message."""

    SUBMIT = "submit"
    SUBMIT_DOC = "submit_doc"  # confirmed from a reminder's button; the document number may follow
    BROADCAST = "broadcast"
    ADHOC = "adhoc"


class Step(enum.StrEnum):
    TEXT = "text"
    AUDIENCE = "audience"
    CODES = "codes"
    DEADLINE = "deadline"
    CONFIRM = "confirm"


class Act(enum.StrEnum):
    """What a choice token stands for."""

    TASK = "task"
    SUBMIT_PICK = "submit_pick"
    SUBMIT_MORE = "submit_more"
    SUBMIT_SKIP = "submit_skip"
    SUBMIT_CONFIRM = "submit_confirm"
    UNDO = "undo"
    LANGUAGE = "language"
    CHANNEL = "channel"
    ACK = ACK_ACTION  # the notices' "Received" buttons, issued by core.usecases.outreach.broadcast
    AUDIENCE = "audience"
    BROADCAST_SEND = "broadcast_send"
    ADHOC_CREATE = "adhoc_create"
    INVITE_ADMIN = "invite_admin"
    PERIOD_OF_PLAN = "period_of_plan"  # a period named in several plans: run the command with the one chosen
    NUDGE_SEND = "nudge_send"  # /nhacnho, confirmed after seeing who is nudged
    CANCEL = "cancel"
    ERASE = "erase"  # /xoadulieu, confirmed


@dataclass
class Effects:
    """What the service must do once the unit of work has committed."""

    queued: bool = False  # new outbox rows: send them soon
    periods_changed: bool = False  # periods or submissions changed: re-derive the reminder jobs


@dataclass
class Ctx:
    uow: UnitOfWork
    rules: Rules
    incoming: Incoming
    account: Account | None
    now: datetime
    invite_link: Callable[[str], str | None] = lambda code: None
    web_link: Callable[[str], str | None] = lambda token: None  # the dashboard's sign-in URL, if it runs
    effects: Effects = field(default_factory=Effects)

    @property
    def lang(self) -> str:
        return self.account.language if self.account else "vi"

    @property
    def me(self) -> Account:
        assert self.account is not None, "handler needs a registered account"
        return self.account

    @property
    def actor(self) -> Actor:
        return Actor.of(self.me)

    def t(self, message: str, **values: Any) -> str:
        """Translate ``message`` into the person's language, then fill ``values``."""
        text = gettext_for(self.lang).gettext(message)
        return text % values if values else text

    def tn(self, singular: str, plural: str, n: int, **values: Any) -> str:
        text = gettext_for(self.lang).ngettext(singular, plural, n)
        return text % {"n": n, **values}

    async def choices(
        self, options: list[tuple[str, str, dict[str, Any]]], ttl: timedelta = CHOICE_TTL
    ) -> tuple[Choice, ...]:
        """Issue server-side tokens for (label, action, payload) options."""
        offered = [(str(a), p) for _, a, p in options]
        tokens = await self.uow.conversations.offer(self.me.account_id, offered, self.now, ttl)
        return tuple(Choice(label, token) for (label, _, _), token in zip(options, tokens, strict=True))

    async def remember(self, flow: Flow, data: dict[str, Any]) -> None:
        """The step the person is at, kept for a while in the database."""
        await self.uow.conversations.set_state(self.me.account_id, flow.value, data, self.now + STATE_TTL)

    async def forget(self) -> None:
        await self.uow.conversations.clear_state(self.me.account_id)

    async def state(self) -> tuple[str, dict[str, Any]] | None:
        return await self.uow.conversations.state(self.me.account_id, self.now)

    async def deadlines(self) -> Deadlines:
        """The working-day calendar with the days stored in the database (read once per event), and when a
        deadline on a day off ends."""
        self.rules = await effective_rules(self.uow, self.rules)
        return self.rules.deadlines

    async def standing(self, p: AgencyPeriod) -> Verdict:
        """The agency's standing for the period now (``core.standing.judge``)."""
        return judge(p.period.due_at, p.submitted_at, await self.deadlines(), self.now)

    def reply(self, text: str, choices: tuple[Choice, ...] = ()) -> list[Reply]:
        return [Reply(text, choices, language=self.lang)]
