"""Signing in to the dashboard without a password: a one-time link from the bot (or the operator's CLI), valid
ten minutes, opens a browser session of eight hours. Tokens are random, stored only as SHA-256 hashes; the
person's role is read from the database on every request, so a demoted or deactivated person loses access
at once. Every form carries the session's CSRF token."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.errors import LinkRefused, SignInThrottled
from core.repositories import UnitOfWork
from core.types import Account, Actor, Role
from core.usecases import accounts

LOGIN_TTL = timedelta(minutes=10)
UPLOAD_TTL = timedelta(hours=1)  # a Zalo person's link to upload the report file: time to find the file
SESSION_TTL = timedelta(hours=8)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who is looking at the dashboard, as the database has them now."""

    account: Account
    csrf: str

    @property
    def actor(self) -> Actor:
        return Actor.of(self.account)

    def csrf_ok(self, given: str | None) -> bool:
        return bool(given) and hmac.compare_digest(given or "", self.csrf)


async def login_link(uow: UnitOfWork, account: Account, now: datetime, ttl: timedelta = LOGIN_TTL) -> str:
    """A new one-time sign-in token for this account (the caller makes it a URL)."""
    token = secrets.token_urlsafe(32)
    await uow.web.add_login(_hash(token), account.account_id, now, now + ttl)
    await uow.audit.record(
        f"account:{account.account_id}", "web_login_link", "chat_account", account.account_id, at=now
    )
    return token


async def operator_link(uow: UnitOfWork, agency_code: str, role: Role, name: str, now: datetime) -> str:
    """A sign-in token for the operator's console account of that agency and role (made if need be)."""
    sender = await accounts.console_account(uow, agency_code, role, name, now)
    account = await uow.accounts.by_sender(sender)
    if account is None:  # console_account has just made it active
        raise AssertionError("the console account is missing")
    return await login_link(uow, account, now)


SIGN_IN_FAILURES = 10  # refused sign-in links from one address …
SIGN_IN_WINDOW = timedelta(minutes=10)  # … within this, then that address waits (tokens are 256-bit: hygiene)


async def sign_in(uow: UnitOfWork, token: str, now: datetime, address: str = "") -> str:
    """Use a sign-in token; returns the new session's token. A refused link is audited under the client's address
    (never the token); the caller commits that too.

    Raises:
        SignInThrottled: ``SIGN_IN_FAILURES`` refusals from ``address`` within ``SIGN_IN_WINDOW``.
        LinkRefused: the link is unknown, used or expired.
    """
    who = f"web:{address or 'unknown'}"
    if await uow.audit.count(who, "web_sign_in_refused", now - SIGN_IN_WINDOW) >= SIGN_IN_FAILURES:
        raise SignInThrottled(str(int(SIGN_IN_WINDOW.total_seconds() // 60)))
    account_id = await uow.web.use_login(_hash(token), now) if token else None
    account = await uow.accounts.by_id(account_id) if account_id is not None else None
    if account is None:
        await uow.audit.record(who, "web_sign_in_refused", "web_login", None, at=now)
        raise LinkRefused()
    session = secrets.token_urlsafe(32)
    await uow.web.add_session(_hash(session), account.account_id, secrets.token_urlsafe(24), now, now + SESSION_TTL)
    await uow.audit.record(f"account:{account.account_id}", "web_sign_in", "chat_account", account.account_id, at=now)
    return session


async def viewer(uow: UnitOfWork, session: str | None, now: datetime) -> Viewer | None:
    """The person behind a session token, with their role as it is now; None if signed out or expired."""
    found = await uow.web.session(_hash(session), now) if session else None
    if found is None:
        return None
    account = await uow.accounts.by_id(found[0])
    return Viewer(account, found[1]) if account is not None else None


async def sign_out(uow: UnitOfWork, session: str, now: datetime) -> None:
    await uow.web.revoke(_hash(session), now)


async def sign_out_everywhere(uow: UnitOfWork, who: Viewer, now: datetime) -> int:
    """End every browser session of this person, on every device; how many."""
    return await uow.web.revoke_person(who.account.account_id, now)
