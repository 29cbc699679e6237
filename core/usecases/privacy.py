"""Personal data under Luật Bảo vệ dữ liệu cá nhân (Law 91/2025/QH15, in force from 1/1/2026; Nghị định
13/2023/NĐ-CP before it): people are told what is processed and why when they register, may see everything held
about them (/dulieu) and have it erased (/xoadulieu, or an admin on the dashboard or the CLI); message texts and
audit records are kept no longer than configured.

Erasure keeps the agency's history true: a submission stays, confirmed by "Cán bộ đầu mối (đã xóa)".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from core.errors import NotAllowed, PersonUnknown
from core.repositories import UnitOfWork
from core.types import Account, Actor, Erased, PersonalData, Role
from core.usecases.rules import Rules, require_admin

# How the agency's history names a person whose data was erased (names are stored as written, not translated).
PLACEHOLDER = {
    Role.FOCAL: "Cán bộ đầu mối (đã xóa)",
    Role.LEADER: "Lãnh đạo cơ quan (đã xóa)",
    Role.ADMIN: "Cán bộ Sở Nội vụ (đã xóa)",
}


async def controller(uow: UnitOfWork, rules: Rules) -> str:
    """Who processes the data, as the notice names it: configured, or the admin agency's name."""
    if rules.data_controller:
        return rules.data_controller
    agency = await uow.agencies.by_code(rules.admin_agency)
    return agency.name if agency is not None else "Sở Nội vụ"


async def held(uow: UnitOfWork, person_id: int) -> PersonalData:
    """Everything held about the person. Raises PersonUnknown."""
    data = await uow.privacy.held(person_id)
    if data is None:
        raise PersonUnknown(str(person_id))
    return data


async def erase_own(uow: UnitOfWork, account: Account, now: datetime) -> Erased:
    """The person of ``account`` erases their own data (after confirming in the chat)."""
    return await _erase(uow, f"account:{account.account_id}", account.person_id, now)


async def erase(uow: UnitOfWork, actor: Actor, person_id: int, now: datetime) -> Erased:
    """An admin (or the operator) erases a person's data on their request. Raises NotAllowed unless an admin,
    and for the admin's own person (they use /xoadulieu); PersonUnknown."""
    require_admin(actor)
    if person_id == actor.person_id:
        raise NotAllowed("an admin erases their own data with /xoadulieu")
    return await _erase(uow, actor.label, person_id, now)


async def _erase(uow: UnitOfWork, who: str, person_id: int, now: datetime) -> Erased:
    data = await held(uow, person_id)
    erased = await uow.privacy.erase(person_id, PLACEHOLDER[data.role], now)
    if erased is None:
        raise PersonUnknown(str(person_id))
    await uow.audit.record(  # what was done, never what was erased
        who,
        "erase_personal_data",
        "person",
        person_id,
        {
            "agency": erased.agency_code,
            "accounts": erased.accounts,
            "texts_cleared": erased.texts_cleared,
            "sessions_ended": erased.sessions_ended,
            "rows_rewritten": erased.rows_rewritten,
        },
        at=now,
    )
    return erased


STRANGERS_KEPT = timedelta(days=30)
STRANGERS_ACTIONS = ("stranger_reply", "register_failed", "web_sign_in_refused")


@dataclass(frozen=True)
class Retained:
    texts_cleared: int
    audit_deleted: int


async def apply_retention(uow: UnitOfWork, rules: Rules, now: datetime) -> Retained:
    """Clear message texts older than ``rules.text_retention`` and delete audit records older than
    ``rules.audit_retention_years`` (run daily)."""
    texts = await uow.privacy.clear_texts(now - rules.text_retention)
    audit = await uow.privacy.drop_audit(now - timedelta(days=round(365.25 * rules.audit_retention_years)))
    # Strangers are nobody the service serves: their platform identifiers, and the addresses of refused sign-in
    # links, are kept only as long as the throttles that count them need, and a while to look into abuse.
    audit += await uow.privacy.drop_audit(now - STRANGERS_KEPT, STRANGERS_ACTIONS)
    if texts or audit:
        await uow.audit.record(
            "scheduler", "retention", "delivery", None, {"texts_cleared": texts, "audit_deleted": audit}, at=now
        )
    return Retained(texts, audit)
