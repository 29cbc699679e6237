"""/hanbaocao and /trangthai: the agency's periods, their deadlines and its standing in each."""

from __future__ import annotations

from core.conversation.context import Ctx
from core.conversation.events import Reply
from core.conversation.router import Router
from core.deadlines import to_vn
from core.i18n import format_day, format_instant
from core.types import AgencyPeriod, Standing
from core.usecases import plan

router = Router("deadlines")


async def days_phrase(ctx: Ctx, p: AgencyPeriod) -> str:
    verdict = await ctx.standing(p)
    if p.submitted_at is not None:
        when = format_instant(p.submitted_at, ctx.lang)
        if verdict.standing is Standing.LATE:
            return ctx.t("sent late at %(when)s", when=when)
        return ctx.t("sent on time at %(when)s", when=when)
    if verdict.standing is Standing.MISSING:
        return ctx.tn("not sent — %(n)d working day overdue", "not sent — %(n)d working days overdue", verdict.days)
    left = (to_vn(p.period.due_at).date() - to_vn(ctx.now).date()).days
    if left < 0:  # the plan's day, a day off, has passed; the law runs the time to the next working day
        extended = (await ctx.deadlines()).last_day(p.period.due_at)
        return ctx.t(
            "not sent — under Article 148 the time runs to the end of %(day)s", day=format_day(extended, ctx.lang)
        )
    if left == 0:
        return ctx.t("not sent — due today")
    return ctx.tn("not sent — %(n)d day left", "not sent — %(n)d days left", left)


@router.command("hanbaocao")
async def cmd_deadlines(ctx: Ctx, args: str) -> list[Reply]:
    """/hanbaocao: open and upcoming periods with due date, weekday, days left and the agency's status."""
    periods = await plan.deadlines(ctx.uow, ctx.me.agency_id, ctx.now, await ctx.deadlines())
    ended = _ended(ctx, await plan.never_sent(ctx.uow, ctx.me.agency_id, ctx.now))
    if not periods:
        return ctx.reply(
            "\n".join([ctx.t("%(agency)s has no report due in the coming weeks.", agency=ctx.me.agency_name), *ended])
        )
    lines = [ctx.t("Reports of %(agency)s:", agency=ctx.me.agency_name)]
    for p in periods:
        lines.append(
            ctx.t(
                "• %(label)s — deadline %(due)s (%(wording)s): %(state)s",
                label=p.period.label,
                due=format_day(p.period.due_at, ctx.lang),
                wording=p.period.wording,
                state=await days_phrase(ctx, p),
            )
        )
    lines.append(ctx.t("Once a report is sent, confirm it with /danop."))
    return ctx.reply("\n".join([*lines, *ended]))


def _ended(ctx: Ctx, never: list[AgencyPeriod]) -> list[str]:
    """Plans that have ended, with the periods never sent: said once, at the end, not chased."""
    if not never:
        return []
    by_plan: dict[str, list[str]] = {}
    for p in never:
        by_plan.setdefault(p.period.plan_number, []).append(p.period.label)
    return [
        ctx.t("Plans that have ended (no longer reminded):"),
        *(
            ctx.t("• Plan No. %(plan)s: never sent: %(labels)s", plan=number, labels="; ".join(labels))
            for number, labels in by_plan.items()
        ),
    ]


@router.command("trangthai")
async def cmd_status(ctx: Ctx, args: str) -> list[Reply]:
    """/trangthai: the agency's history of periods due so far."""
    periods = await plan.history(ctx.uow, ctx.me.agency_id, ctx.now, await ctx.deadlines())
    if not periods:
        return ctx.reply(ctx.t("No report of %(agency)s has fallen due yet.", agency=ctx.me.agency_name))
    lines = [ctx.t("Reporting history of %(agency)s:", agency=ctx.me.agency_name)]
    on_time = 0
    for p in periods:
        doc = f" — {p.document_number}" if p.document_number else ""
        lines.append(f"• {p.period.label}: {await days_phrase(ctx, p)}{doc}")
        on_time += (await ctx.standing(p)).standing is Standing.ON_TIME
    lines.append(ctx.t("On time: %(on_time)d of %(total)d.", on_time=on_time, total=len(periods)))
    return ctx.reply("\n".join(lines))
