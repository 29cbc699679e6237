"""Per-event context handed to every handler: who, in which language, when, and the ports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from core.conversation.events import Account, Choice, Incoming, Reply
from core.conversation.ports import Notifier, Store
from core.i18n import gettext_for

CHOICE_TTL = timedelta(hours=24)
STATE_TTL = timedelta(hours=2)


@dataclass
class Ctx:
    store: Store
    notifier: Notifier
    incoming: Incoming
    account: Account | None
    now: datetime
    bot_username: str | None = None

    @property
    def lang(self) -> str:
        return self.account.language if self.account else "vi"

    @property
    def me(self) -> Account:
        assert self.account is not None, "handler needs a registered account"
        return self.account

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
        tokens = await self.store.offer(self.me.account_id, [(a, p) for _, a, p in options], self.now, ttl)
        return tuple(Choice(label, token) for (label, _, _), token in zip(options, tokens, strict=True))

    def reply(self, text: str, choices: tuple[Choice, ...] = ()) -> list[Reply]:
        return [Reply(text, choices)]
