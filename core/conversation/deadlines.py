"""/hanbaocao and /trangthai: the agency's periods, their deadlines and its standing in each."""

from __future__ import annotations

from core.conversation.context import Ctx
from core.conversation.events import Reply
from core.conversation.router import Router
from core.deadlines import to_vn
from core.i18n import format_instant
from core.messages import last_day, short_day, subject
from core.standing import past
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
    left = ((await ctx.deadlines()).last_day(p.period.due_at) - to_vn(ctx.now).date()).days  # Điều 148 counted
    if left <= 0:
        return ctx.t("not sent — due today")
    return ctx.tn("not sent — %(n)d day left", "not sent — %(n)d days left", left)


def _by_plan(periods: list[AgencyPeriod]) -> dict[str, list[AgencyPeriod]]:
    """Periods grouped by plan, plans in the order of their first (most urgent) period."""
    grouped: dict[str, list[AgencyPeriod]] = {}
    for p in periods:
        grouped.setdefault(p.period.plan_number, []).append(p)
    return grouped


def plan_heading(ctx: Ctx, p: AgencyPeriod, with_subject: bool = True) -> str:
    """ "Kế hoạch số 08/KH-UBND về cải cách hành chính nhà nước tỉnh Tuyên Quang năm 2026:" (its subject if known)."""
    title = p.period.plan_title
    if with_subject and title:
        return ctx.t("Plan No. %(plan)s on %(subject)s:", plan=p.period.plan_number, subject=subject(title))
    return ctx.t("Plan No. %(plan)s:", plan=p.period.plan_number)


async def due_phrase(ctx: Ctx, p: AgencyPeriod) -> str:
    """The last day allowed (``core.messages.last_day``): the day the law runs a day off on to, and why."""
    return last_day(ctx.lang, p.period.due_at, (await ctx.deadlines()).extended_to(p.period.due_at))


async def _line(ctx: Ctx, p: AgencyPeriod) -> str:
    return ctx.t(
        "• %(label)s — deadline %(due)s: %(state)s",
        label=p.period.label,
        due=await due_phrase(ctx, p),
        state=await days_phrase(ctx, p),
    )


@router.command("hanbaocao")
async def cmd_deadlines(ctx: Ctx, args: str) -> list[Reply]:
    """/hanbaocao: open and upcoming periods, grouped by plan (plans in force only), with due date, days left and the
    agency's status; ``/hanbaocao <plan number>`` for one plan."""
    periods = await plan.deadlines(ctx.uow, ctx.me.agency_id, ctx.now, await ctx.deadlines())
    wanted, note = args.strip(), []
    if wanted:
        one = [p for p in periods if p.period.plan_number.casefold() == wanted.casefold()]
        if one:
            periods = one
        else:  # not one of the agency's plans: every plan, and why
            note = [
                ctx.t(
                    "%(agency)s owes no report of a plan numbered “%(plan)s”; here are all its plans.",
                    agency=ctx.me.agency_name,
                    plan=wanted[:40],
                )
            ]
            wanted = ""
    ended = [] if wanted else _ended(ctx, await plan.never_sent(ctx.uow, ctx.me.agency_id, ctx.now))
    if not periods:
        return ctx.reply(
            "\n".join([ctx.t("%(agency)s has no report due in the coming weeks.", agency=ctx.me.agency_name), *ended])
        )
    lines = [*note, ctx.t("Reports of %(agency)s:", agency=ctx.me.agency_name)]
    grouped = _by_plan(periods)
    for items in grouped.values():
        lines.append(plan_heading(ctx, items[0]))
        lines += [await _line(ctx, p) for p in items]
    lines.append(ctx.t("Once a report is sent, confirm it with /danop."))
    if len(grouped) > 1 and not wanted:
        lines.append(ctx.t("One plan only: /hanbaocao %(plan)s. This week: /tuannay.", plan=next(iter(grouped))))
    return ctx.reply("\n".join([*lines, *ended]))


@router.command("tuannay")
async def cmd_week(ctx: Ctx, args: str) -> list[Reply]:
    """/tuannay: what the agency must send this week and what is overdue, across the plans in force, by plan."""
    periods = await plan.week(ctx.uow, ctx.me.agency_id, ctx.now, await ctx.deadlines())
    monday, sunday = plan.week_of(ctx.now)
    span = {"first": f"{monday.day}/{monday.month}", "last": short_day(sunday), "agency": ctx.me.agency_name}
    if not periods:
        return ctx.reply(ctx.t("This week (%(first)s–%(last)s) %(agency)s has no report due and none overdue.", **span))
    due = await ctx.deadlines()
    overdue = [p for p in periods if p.submitted_at is None and past(p.period.due_at, due, ctx.now)]
    this_week = [p for p in periods if p not in overdue]
    lines = [ctx.t("This week (%(first)s–%(last)s), %(agency)s:", **span)]
    if not this_week:
        lines.append(ctx.t("No report falls due this week."))
    for items in _by_plan(this_week).values():
        lines.append(plan_heading(ctx, items[0], with_subject=False))
        lines += [await _line(ctx, p) for p in items]
    if overdue:  # one line a plan: a phone screen, however long the backlog
        lines.append(ctx.t("Overdue, not yet sent:"))
        for number, items in _by_plan(overdue).items():
            oldest = items[0]
            lines.append(
                ctx.tn(
                    "• Plan No. %(plan)s: %(n)d report (%(label)s, %(late)d working days overdue)",
                    "• Plan No. %(plan)s: %(n)d reports, the oldest %(label)s (%(late)d working days overdue)",
                    len(items),
                    plan=number,
                    label=oldest.period.label,
                    late=(await ctx.standing(oldest)).days,
                )
            )
    lines.append(ctx.t("Once a report is sent, confirm it with /danop. Everything ahead: /hanbaocao."))
    return ctx.reply("\n".join(lines))


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
    ended = await plan.ended_plans(ctx.uow, ctx.now)
    lines = [ctx.t("Reporting history of %(agency)s:", agency=ctx.me.agency_name)]
    on_time = 0
    grouped = _by_plan(sorted(periods, key=lambda p: p.period.plan_number in ended))  # plans in force first
    closed: list[str] = []
    for number, items in grouped.items():
        sent = [p for p in items if (await ctx.standing(p)).standing is Standing.ON_TIME]
        on_time += len(sent)
        if number in ended:  # a plan that ended: counted, not listed period by period (nor chased)
            closed.append(
                ctx.t(
                    "• Plan No. %(plan)s: %(on_time)d of %(total)d reports on time.",
                    plan=number,
                    on_time=len(sent),
                    total=len(items),
                )
            )
            continue
        lines.append(plan_heading(ctx, items[0]))
        for p in items:
            doc = f" — {p.document_number}" if p.document_number else ""
            lines.append(f"• {p.period.label}: {await days_phrase(ctx, p)}{doc}")
    if closed:
        lines += [ctx.t("Plans that have ended:"), *closed]
    lines.append(ctx.t("On time: %(on_time)d of %(total)d.", on_time=on_time, total=len(periods)))
    return ctx.reply("\n".join(lines))
