"""Registering, linking a second app, language and preferred channel."""

from __future__ import annotations

import logging
import secrets
from dataclasses import replace
from datetime import datetime, timedelta

from core import keys, messages
from core.errors import (
    AdminElsewhere,
    AgencyUnknown,
    AlreadyRegistered,
    ConsoleAccountEnded,
    DomainError,
    InviteExpired,
    InviteUnknown,
    InviteUsed,
    LinkSamePlatform,
    NotAllowed,
    TooManyAttempts,
)
from core.planfile import SELECTORS
from core.repositories import UnitOfWork
from core.types import (
    PRIORITY_OF,
    Account,
    Actor,
    Agency,
    ChatAccountInfo,
    DeliveryKind,
    InviteInfo,
    NewDelivery,
    Platform,
    Role,
    Sender,
)
from core.usecases.plan import agency as agency_by_code
from core.usecases.rules import Rules, require_admin

log = logging.getLogger(__name__)
MAX_FAILURES = 5  # wrong registration codes per chat account …
FAILURE_WINDOW = timedelta(minutes=10)  # … within this, then a wait

# Crockford-style alphabet: no I, L, O, U, so a code read aloud or typed on a phone is not mistaken.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 16  # 80 bits
FALLBACK_NAME = "Cán bộ"


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


async def register(uow: UnitOfWork, code: str, sender: Sender, now: datetime) -> Account:
    """Redeem a registration or link code for this chat account (``linked`` says which it was).

    A wrong code is audited (never the code itself) before the refusal is raised, and after
    ``MAX_FAILURES`` of them within ``FAILURE_WINDOW`` the account is refused for a while. A link code is
    redeemable only from the platform the person does not use yet, and the person's other accounts are told.

    Raises:
        TooManyAttempts, InviteUnknown, InviteUsed, InviteExpired, AlreadyRegistered, LinkSamePlatform.
    """
    who = f"{sender.platform.value}:{sender.user_id}"
    if await uow.audit.count(who, "register_failed", now - FAILURE_WINDOW) >= MAX_FAILURES:
        raise TooManyAttempts(str(int(FAILURE_WINDOW.total_seconds() // 60)))
    inv = await uow.invites.by_code(code)
    refusal: DomainError | None = None
    if inv is None:
        refusal = InviteUnknown()
    elif inv.used_at is not None:
        refusal = InviteUsed()
    elif inv.expires_at <= now:
        refusal = InviteExpired()
    if refusal is not None or inv is None:
        await uow.audit.record(who, "register_failed", "invite", None, {"reason": type(refusal).__name__}, at=now)
        log.warning("registration refused for %s: %s", who, type(refusal).__name__)
        raise refusal or InviteUnknown()
    if await uow.accounts.is_registered(sender.platform, sender.user_id):
        raise AlreadyRegistered()
    if inv.person_id is not None:
        platforms = {a.platform for a in await uow.accounts.accounts_of(inv.person_id)}
        if sender.platform in platforms:
            raise LinkSamePlatform(sender.platform.value)
    if not await uow.invites.claim(inv.id, now):
        raise InviteUsed()  # someone redeemed it at the same instant
    linked = inv.person_id is not None
    person_id = inv.person_id
    if person_id is None:
        # The name Sở Nội vụ gave with the invite; the chat nickname only when it gave none.
        name = inv.person_name or sender.display_name.strip()[:120] or FALLBACK_NAME
        person_id = await uow.accounts.add_person(name, inv.agency_id, inv.role, now, inv.person_title or "")
    account_id = await uow.accounts.add_account(person_id, sender, now)
    await uow.invites.set_used_by(inv.id, account_id)
    account = await uow.accounts.by_sender(sender)
    assert account is not None
    if linked:
        await _tell_linked(uow, account, sender.platform, account_id, now)
    await uow.audit.record(
        f"{sender.platform.value}:{sender.user_id}",
        "link_account" if linked else "register",
        "chat_account",
        account_id,
        {"invite_id": inv.id, "agency": account.agency_code, "role": account.role.value},
        at=now,
    )
    return replace(account, linked=linked)


async def create_invite(
    uow: UnitOfWork,
    actor: Actor,
    agency_code: str,
    role: Role,
    now: datetime,
    rules: Rules,
    name: str | None = None,
    title: str | None = None,
    admin_elsewhere: bool = False,
) -> InviteInfo:
    """A single-use registration code for a person of ``agency_code`` with ``role`` (admins only).

    ``name`` and ``title`` are the person's full name and position; greetings use them once registered.

    Raises:
        AdminElsewhere: an admin code for another agency than ``rules.admin_agency``, unless the operator
            widens it explicitly (``admin_elsewhere``).
    """
    agency = await may_invite(uow, actor, agency_code, role, rules, admin_elsewhere)
    name = " ".join((name or "").split())[:120] or None
    title = " ".join((title or "").split())[:120] or None
    return await _invite(uow, actor, agency.id, agency.code, role, now, now + rules.invite_ttl, None, name, title)


async def members(uow: UnitOfWork, said: str) -> list[Agency]:
    """The agencies ``said`` names: a group ("@communes", "@departments", "@districts", "@all") in official order,
    or codes separated by commas.

    Raises:
        AgencyUnknown: an unknown group or code (the first one).
    """
    said = said.strip()
    if said.startswith("@"):
        if said not in SELECTORS:
            raise AgencyUnknown(said[:32])
        kinds = SELECTORS[said]
        return [a for a in await uow.agencies.all() if a.kind in kinds]
    codes = list(dict.fromkeys(c.strip().upper() for c in said.split(",") if c.strip()))
    if not codes:
        raise AgencyUnknown(said[:32])
    return [await agency_by_code(uow, c) for c in codes]


async def create_invites(
    uow: UnitOfWork, actor: Actor, agencies: list[Agency], role: Role, now: datetime, rules: Rules
) -> list[tuple[Agency, InviteInfo]]:
    """One single-use code per agency (admins only; an admin code only for ``rules.admin_agency``): onboarding a
    group at once. The caller commits: all codes or none."""
    made = []
    for a in agencies:
        made.append((a, await create_invite(uow, actor, a.code, role, now, rules)))
    return made


async def may_invite(
    uow: UnitOfWork, actor: Actor, agency_code: str, role: Role, rules: Rules, admin_elsewhere: bool = False
) -> Agency:
    """The agency a code of ``role`` may be created for (checked before a confirmation step too).

    Raises:
        NotAllowed, AgencyUnknown, AdminElsewhere (see ``create_invite``).
    """
    require_admin(actor)
    agency = await uow.agencies.by_code(agency_code)
    if agency is None:
        raise AgencyUnknown(agency_code[:32])
    if role is Role.ADMIN and agency.code != rules.admin_agency and not admin_elsewhere:
        raise AdminElsewhere(agency.code)
    return agency


async def _invite(
    uow: UnitOfWork,
    actor: Actor,
    agency_id: int,
    agency_code: str,
    role: Role,
    now: datetime,
    expires_at: datetime,
    person_id: int | None = None,
    name: str | None = None,
    title: str | None = None,
) -> InviteInfo:
    code = new_code()
    invite_id = await uow.invites.add(code, agency_id, role, now, expires_at, actor.label, person_id, name, title)
    await uow.audit.record(
        actor.label,
        "create_invite",
        "invite",
        invite_id,
        {"agency": agency_code, "role": role.value, "name": name, "title": title},
        at=now,
    )
    return InviteInfo(code, agency_code, role, expires_at, name, title)


async def _tell_linked(uow: UnitOfWork, account: Account, platform: Platform, new_id: int, now: datetime) -> None:
    """The person's other accounts hear that a new account was linked (so a stranger's cannot go unnoticed)."""
    items = [
        NewDelivery(
            keys.for_account(f"linked:{new_id}", a.account_id),
            a.account_id,
            DeliveryKind.ACCOUNT,
            messages.account_linked(account.language, account.person_name, platform.value, now),
            PRIORITY_OF[DeliveryKind.ACCOUNT],
        )
        for a in await uow.accounts.accounts_of(account.person_id)
        if a.account_id != new_id
    ]
    await uow.outbox.enqueue(items, now)


async def create_link_code(uow: UnitOfWork, account: Account, now: datetime, rules: Rules) -> InviteInfo:
    """A one-time code that adds another chat account to this same person; one live code per person (a new
    one replaces the last), valid ``rules.link_ttl`` (10 minutes)."""
    await uow.invites.revoke_links(account.person_id, now)
    return await _invite(
        uow,
        Actor.of(account),
        account.agency_id,
        account.agency_code,
        account.role,
        now,
        now + rules.link_ttl,
        account.person_id,
    )


async def set_language(uow: UnitOfWork, account: Account, language: str) -> Account:
    if language not in ("vi", "en"):
        raise NotAllowed(f"unknown language {language[:8]!r}")
    await uow.accounts.set_language(account.account_id, language)
    await uow.audit.record(
        f"account:{account.account_id}", "set_language", "chat_account", account.account_id, {"language": language}
    )
    return replace(account, language=language)


async def accounts_of(uow: UnitOfWork, account: Account) -> list[ChatAccountInfo]:
    return await uow.accounts.accounts_of(account.person_id)


async def set_channel(uow: UnitOfWork, account: Account, target_account_id: int) -> Platform:
    """Reminders go to ``target_account_id`` from now on: it must be one of this person's accounts."""
    mine = {a.account_id: a.platform for a in await uow.accounts.accounts_of(account.person_id)}
    if target_account_id not in mine:
        raise NotAllowed("not one of this person's accounts")
    await uow.accounts.set_preferred(account.person_id, target_account_id)
    await uow.audit.record(
        f"account:{account.account_id}",
        "set_preferred_channel",
        "person",
        account.person_id,
        {"account_id": target_account_id},
    )
    return mine[target_account_id]


async def console_account(uow: UnitOfWork, agency_code: str, role: Role, name: str, now: datetime) -> Sender:
    """The terminal user for ``nhacviec chat --as CODE``: an operator on the server, audited."""
    user_id = f"{agency_code.strip().upper()}:{role.value}"
    sender = Sender(Platform.CONSOLE, user_id, user_id, name)
    if await uow.accounts.by_sender(sender) is not None:
        return sender
    if await uow.accounts.is_registered(sender.platform, sender.user_id):  # there, but deactivated
        raise ConsoleAccountEnded(user_id)
    agency = await uow.agencies.by_code(agency_code)
    if agency is None:
        raise AgencyUnknown(agency_code[:32])
    person_id = await uow.accounts.add_person(name, agency.id, role, now)
    account_id = await uow.accounts.add_account(person_id, sender, now)
    await uow.audit.record(
        "cli", "console_account", "chat_account", account_id, {"agency": agency.code, "role": role.value}, at=now
    )
    return sender


async def console_account_by_invite(uow: UnitOfWork, code: str, now: datetime) -> Sender | None:
    """The terminal user for ``nhacviec chat --as CODE`` where CODE is a registration code: the code is redeemed with
    the name and position Sở Nội vụ gave it (issue 29: the chat ignored them and the code stayed unused); run again
    with the same code, the account it made. None when no code is called so (``--as`` is then an agency code).

    Raises:
        InviteUsed, InviteExpired: as ``register``.
    """
    code = "".join(code.split()).replace("-", "").upper()
    inv = await uow.invites.by_code(code)
    if inv is None:
        return None
    user_id = f"invite:{inv.id}"
    sender = Sender(Platform.CONSOLE, user_id, user_id, "")
    if await uow.accounts.by_sender(sender) is not None:
        return sender
    await register(uow, code, sender, now)
    return sender


async def admin_chat_ids(uow: UnitOfWork, platform: Platform) -> list[str]:
    """Chats whose person is an admin (for the admins' command menu)."""
    return await uow.accounts.chat_ids(platform, Role.ADMIN)
