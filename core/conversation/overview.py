"""Sở Nội vụ's view of a period: /tonghop, /nhacnho and the /xuat workbook (and the choice among plans
sharing a period's name)."""

from __future__ import annotations

from typing import Any

from core import bundles, errors, messages
from core.conversation.commands import Access
from core.conversation.context import Act, Ctx
from core.conversation.events import Document, Reply
from core.conversation.router import Router
from core.deadlines import to_vn
from core.export import compliance_workbook
from core.i18n import N_
from core.messages import last_day
from core.standing import Judged
from core.types import AgencyKind, PeriodStatusRow
from core.usecases import outreach, overview

router = Router("overview")

# How /tonghop heads each kind's names when a period's list holds several kinds.
KIND_GROUP = {
    AgencyKind.DEPARTMENT: N_("Departments (%(n)d): %(names)s"),
    AgencyKind.DISTRICT: N_("District People's Committees (%(n)d): %(names)s"),
    AgencyKind.COMMUNE: N_("Commune and ward People's Committees (%(n)d): %(names)s"),
    AgencyKind.OTHER: N_("Other agencies (%(n)d): %(names)s"),
}


def _no_period(ctx: Ctx, args: str) -> list[Reply]:
    return ctx.reply(ctx.t("No report period “%(ref)s”. Use a key such as 2023-04 or thang:2023-04.", ref=args))


async def _which_plan(ctx: Ctx, command: str, exc: errors.PeriodAmbiguous) -> list[Reply]:
    """Several plans have a period of that name: offer each, with its plan."""
    choices = await ctx.choices(  # "Báo cáo quý IV/2026 (KH 12/KH-UBND)", never the machine key
        [
            (bundles.short_name(ctx.lang, label, number), Act.PERIOD_OF_PLAN, {"command": command, "ref": option})
            for option, (label, number) in zip(exc.options, exc.named, strict=True)
        ]
    )
    return ctx.reply(ctx.t("Several plans have a period of that name. Which one?"), choices)


@router.choice(Act.PERIOD_OF_PLAN, Access.ADMIN, single_use=True)
async def act_period_of_plan(ctx: Ctx, payload: dict[str, Any]) -> list[Reply]:
    command = {"tonghop": cmd_overview, "nhacnho": cmd_nudge, "xuat": cmd_export}.get(str(payload["command"]))
    if command is None:
        return ctx.reply(ctx.t("This choice is not valid or has expired."))
    return await command(ctx, str(payload["ref"]))


@router.command("tonghop")
async def cmd_overview(ctx: Ctx, args: str) -> list[Reply]:
    """/tonghop [period]: on time / late / missing with agency names (default: the most recently due)."""
    try:
        seen = await overview.overview(ctx.uow, ctx.actor, args or None, ctx.now, ctx.rules)
    except errors.PeriodUnknown:
        return _no_period(ctx, args)
    except errors.PeriodAmbiguous as exc:
        return await _which_plan(ctx, "tonghop", exc)
    period, counted = seen.period, seen.tally

    def names(rows: tuple[Judged, ...], marked: bool = False) -> str:
        """The agencies' names; grouped by kind, a line each, when there are several kinds (departments and the
        communes of a province are a long list: officials read it by group, in official order)."""

        def listed(group: tuple[Judged, ...]) -> str:
            return "; ".join(j.row.agency.name + (_reach_mark(ctx, j.row) if marked else "") for j in group) or "—"

        kinds = list(dict.fromkeys(j.row.agency.kind for j in rows))
        if len(kinds) < 2:
            return listed(rows)
        return "".join(
            "\n• " + ctx.t(KIND_GROUP[k], n=len(group), names=listed(group))
            for k in kinds
            for group in [tuple(j for j in rows if j.row.agency.kind is k)]
        )

    lines = [
        ctx.t(
            "%(label)s — deadline %(due)s",
            label=bundles.short_name(ctx.lang, period.label, period.plan_number),
            due=last_day(ctx.lang, period.due_at, (await ctx.deadlines()).extended_to(period.due_at)),
        ),
        ctx.t("On time (%(n)d): %(names)s", n=len(counted.on_time), names=names(counted.on_time)),
        ctx.t("Late (%(n)d): %(names)s", n=len(counted.late), names=names(counted.late)),
        ctx.t("Not yet sent (%(n)d): %(names)s", n=len(counted.not_sent), names=names(counted.not_sent, True)),
        ctx.t(
            "Of %(total)d agencies: %(reminded)d reminded, %(seen)d saw a reminder, %(sent)d sent.",
            total=counted.total,
            reminded=counted.reminded,
            seen=counted.seen,
            sent=counted.sent,
        ),
    ]
    return ctx.reply("\n".join(lines))


def _reach_mark(ctx: Ctx, row: PeriodStatusRow) -> str:
    if row.seen:
        return ctx.t(" (saw the reminder)")
    return ctx.t(" (reminded)") if row.reminded else ""


@router.command("nhacnho")
async def cmd_nudge(ctx: Ctx, args: str) -> list[Reply]:
    """/nhacnho [period]: who would be reminded now, for which plan and period; sent once confirmed."""
    try:
        seen = await outreach.nudge_preview(ctx.uow, ctx.actor, args or None, ctx.now)
    except errors.PeriodUnknown:
        return _no_period(ctx, args)
    except errors.PeriodAmbiguous as exc:
        return await _which_plan(ctx, "nhacnho", exc)
    p = seen.period
    label = messages.in_sentence(p.label)
    if not seen.missing:
        return ctx.reply(ctx.t("Every agency has sent %(label)s.", label=label))
    names = "; ".join(seen.missing[:10]) + (
        " " + ctx.t("and %(n)d more", n=len(seen.missing) - 10) if len(seen.missing) > 10 else ""
    )
    text = ctx.t(
        "Remind now the focal persons of the agencies yet to send %(label)s under Plan No. %(plan)s (%(n)d "
        "agencies, %(reachable)d of them with someone to remind): %(names)s.",
        label=label,
        plan=p.plan_number,
        n=len(seen.missing),
        reachable=seen.reachable,
        names=names,
    )
    ref = f"{p.plan_number} {p.series_code}:{p.key}"
    choices = await ctx.choices(
        [(ctx.t("Remind now"), Act.NUDGE_SEND, {"ref": ref}), (ctx.t("Cancel"), Act.CANCEL, {})]
    )
    return ctx.reply(text, choices)


@router.choice(Act.NUDGE_SEND, Access.ADMIN, single_use=True)
async def act_nudge(ctx: Ctx, payload: dict[str, Any]) -> list[Reply]:
    """The nudge, confirmed: an immediate reminder, through the outbox, to the agencies still missing."""
    try:
        done = await outreach.nudge(ctx.uow, ctx.actor, str(payload.get("ref")), ctx.now, ctx.rules)
    except (errors.PeriodUnknown, errors.PeriodAmbiguous):
        return ctx.reply(ctx.t("This choice is not valid or has expired."))
    if not done.missing:
        return ctx.reply(ctx.t("Every agency has sent %(label)s.", label=messages.in_sentence(done.period.label)))
    if not done.queued:  # nobody to remind: say so, not "a reminder is going to 0 focal persons of 0 agencies"
        return ctx.reply(
            ctx.tn(
                "No focal person to remind: %(n)d agency yet to send %(label)s has nobody registered.",
                "No focal person to remind: %(n)d agencies yet to send %(label)s have nobody registered.",
                done.missing,
                label=messages.in_sentence(done.period.label),
            )
        )
    ctx.effects.queued = True
    lines = [
        ctx.tn(
            "A reminder is going to %(people)d focal person of %(agencies)s yet to send %(label)s.",
            "A reminder is going to %(people)d focal persons of %(agencies)s yet to send %(label)s.",
            done.queued,
            people=done.queued,
            agencies=ctx.tn("%(n)d agency", "%(n)d agencies", done.reached_agencies),
            label=messages.in_sentence(done.period.label),
        )
    ]
    no_account = done.missing - done.reached_agencies
    if no_account:
        lines.append(
            ctx.tn(
                "%(n)d agency has no registered focal person.",
                "%(n)d agencies have no registered focal person.",
                no_account,
            )
        )
    return ctx.reply("\n".join(lines))


@router.command("xuat")
async def cmd_export(ctx: Ctx, args: str) -> list[Reply]:
    """/xuat [period]: Excel workbook of compliance per agency and period."""
    try:
        rows = await overview.export_rows(ctx.uow, ctx.actor, args or None, ctx.now, ctx.rules)
    except errors.PeriodUnknown:
        return _no_period(ctx, args)
    except errors.PeriodAmbiguous as exc:
        return await _which_plan(ctx, "xuat", exc)
    if not rows:
        return ctx.reply(ctx.t("No report period has fallen due yet: nothing to export."))
    data = compliance_workbook(rows, ctx.now)
    name = f"tong-hop-bao-cao-{to_vn(ctx.now):%Y%m%d-%H%M}.xlsx"
    mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    text = ctx.tn("Compliance workbook: %(n)d row.", "Compliance workbook: %(n)d rows.", len(rows))
    return [Reply(text, document=Document(name, data, mime), language=ctx.lang)]
