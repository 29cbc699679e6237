"""/moi: a registration code for a person, from chat (an admin code asks for one more confirmation)."""

from __future__ import annotations

from typing import Any

from core import errors, messages
from core.conversation.commands import Access
from core.conversation.context import Act, Ctx
from core.conversation.events import Reply
from core.conversation.router import Router
from core.i18n import format_instant
from core.types import Role
from core.usecases import accounts

router = Router("invites")


ROLES = {
    "focal": Role.FOCAL,
    "dau_moi": Role.FOCAL,
    "leader": Role.LEADER,
    "lanh_dao": Role.LEADER,
    "admin": Role.ADMIN,
    "quan_tri": Role.ADMIN,
}


@router.command("moi")
async def cmd_invite(ctx: Ctx, args: str) -> list[Reply]:
    """/moi CODE [ROLE] [Full name, position]: create a registration code for a person from chat."""
    head, _, person = args.partition(" ")
    rest = person.strip()
    first, _, after = rest.partition(" ")
    role = Role.FOCAL
    if first.lower() in ROLES:
        role, rest = ROLES[first.lower()], after.strip()
    name, _, title = (x.strip() for x in rest.partition(","))
    if not head:
        return ctx.reply(
            ctx.t(
                "Usage: /moi AGENCY_CODE [dau_moi|lanh_dao|quan_tri] [Full name, position], "
                "for example /moi STP Nguyễn Văn A, Chuyên viên Văn phòng Sở"
            )
        )
    try:
        agency = await accounts.may_invite(ctx.uow, ctx.actor, head, role, ctx.rules)
    except errors.AgencyUnknown:
        return ctx.reply(ctx.t("Unknown agency code %(code)s.", code=head[:32]))
    except errors.AdminElsewhere:
        return ctx.reply(
            ctx.t("Admin codes are only for %(agency)s, which compiles the reports.", agency=ctx.rules.admin_agency)
        )
    payload = {"agency": agency.code, "role": role.value, "name": name, "title": title}
    if role is Role.ADMIN:  # full rights: one more step, so it is never minted by a slip
        choices = await ctx.choices(
            [(ctx.t("Create the admin code"), Act.INVITE_ADMIN, payload), (ctx.t("Cancel"), Act.CANCEL, {})]
        )
        return ctx.reply(
            ctx.t("Create an administrator code (full rights) for %(agency)s?", agency=agency.name), choices
        )
    return await _create_invite(ctx, payload)


@router.choice(Act.INVITE_ADMIN, Access.ADMIN, single_use=True)
async def act_invite_admin(ctx: Ctx, payload: dict[str, Any]) -> list[Reply]:
    return await _create_invite(ctx, payload)


async def _create_invite(ctx: Ctx, payload: dict[str, Any]) -> list[Reply]:
    role = Role(payload["role"])
    try:
        inv = await accounts.create_invite(
            ctx.uow, ctx.actor, payload["agency"], role, ctx.now, ctx.rules, payload["name"], payload["title"]
        )
    except errors.DomainError:
        return ctx.reply(ctx.t("Unknown agency code %(code)s.", code=str(payload["agency"])[:32]))
    who = messages.addressee(inv.person_name or "", inv.person_title or "") or ctx.t("(no name given)")
    agency = await ctx.uow.agencies.by_code(inv.agency_code)
    lines = [
        ctx.t(
            "Registration code for %(who)s, %(role)s: %(code)s",
            who=who,
            # "quản trị viên Sở Nội vụ", not "quản trị viên Sở Nội vụ của SNV" (issue 29)
            role=messages.position_at(messages.person_role(ctx.lang, role), agency.name if agency else inv.agency_code),
            code=inv.code,
        ),
        ctx.t(
            "Valid until %(when)s. The person sends: /dangky %(code)s",
            when=format_instant(inv.expires_at, ctx.lang),
            code=inv.code,
        ),
    ]
    link = ctx.invite_link(inv.code)  # the chat platform's deep link, when the service knows one
    if link:
        lines.append(link)
    return ctx.reply("\n".join(lines))
