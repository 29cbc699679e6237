"""What Sở Nội vụ sends on its own: notices (/thongbao, /thongbao_ds, "Đã nhận") and ad-hoc report
requests (/dotxuat), with the choice of audience they share."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from core import errors, messages
from core.conversation.commands import Access
from core.conversation.context import Act, Ctx, Flow, Step
from core.conversation.events import Incoming, Reply
from core.conversation.router import Router
from core.deadlines import end_of_day
from core.i18n import format_day, format_instant
from core.usecases import outreach

router = Router("outreach")


async def _ask_audience(ctx: Ctx, flow: Flow, data: dict[str, Any]) -> list[Reply]:
    await ctx.remember(flow, {**data, "step": Step.AUDIENCE})
    labels = {
        "all": ctx.t("Everyone"),
        "departments": ctx.t("Departments"),
        "communes": ctx.t("Communes and wards"),
        "districts": ctx.t("Districts"),
    }
    groups = [
        (labels[name], Act.AUDIENCE, {"flow": flow, "audience": name})
        for name in await outreach.offered_audiences(ctx.uow)
    ]
    choices = await ctx.choices(
        [
            *groups,
            (ctx.t("Choose agencies"), Act.AUDIENCE, {"flow": flow, "audience": "chosen"}),
            (ctx.t("Cancel"), Act.CANCEL, {}),
        ]
    )
    return ctx.reply(ctx.t("Who should receive it?"), choices)


@router.choice(Act.AUDIENCE, Access.ADMIN, single_use=True)
async def act_audience(ctx: Ctx, payload: dict[str, Any]) -> list[Reply]:
    state = await ctx.state()
    if state is None or state[0] != payload.get("flow"):
        return ctx.reply(ctx.t("This choice is not valid or has expired."))
    flow, data = Flow(state[0]), state[1]
    audience = str(payload.get("audience"))
    if audience == "chosen":
        await ctx.remember(flow, {**data, "step": Step.CODES})
        return ctx.reply(ctx.t("Send the agency codes, separated by commas (for example: STP, STC, UBND-NH)."))
    if audience not in outreach.AUDIENCES:
        return ctx.reply(ctx.t("This choice is not valid or has expired."))
    codes = await outreach.audience_codes(ctx.uow, audience)
    if not codes:  # the group emptied since it was offered: nothing is sent to nobody
        return ctx.reply(ctx.t("No agency is in that group today; nothing was sent. Choose the agencies instead."))
    return await _after_audience(ctx, flow, data, codes)


async def _after_audience(ctx: Ctx, flow: Flow, data: dict[str, Any], codes: list[str]) -> list[Reply]:
    data = {**data, "codes": codes}
    if flow is Flow.BROADCAST:
        return await _preview_notice(ctx, data)
    await ctx.remember(flow, {**data, "step": Step.DEADLINE})
    return ctx.reply(
        ctx.t(
            "Send the deadline: a date (20/12/2026) or as you would say it: “thứ Sáu tuần sau”, “cuối tháng”, "
            "“trong 5 ngày làm việc”. You will see the day before anything is sent."
        )
    )


async def _chosen_codes(ctx: Ctx, flow: Flow, data: dict[str, Any], text: str) -> list[Reply]:
    codes, unknown = await outreach.split_codes(ctx.uow, re.split(r"[,;\s]+", text))
    if unknown or not codes:
        return ctx.reply(
            ctx.t("Unknown agency codes: %(codes)s. Send the codes again.", codes=", ".join(unknown) or "—")
        )
    return await _after_audience(ctx, flow, data, codes)


@router.command("thongbao")
async def cmd_broadcast(ctx: Ctx, args: str) -> list[Reply]:
    """/thongbao [text]: compose, choose the audience, preview, confirm."""
    if args:
        return await _notice_text(ctx, args)
    await ctx.remember(Flow.BROADCAST, {"step": Step.TEXT})
    return ctx.reply(ctx.t("Send the text of the notice (or /huy to cancel)."))


def _notice_refused(ctx: Ctx, exc: errors.NoticeRefused, text: str) -> list[Reply]:
    if exc.too_long:
        return ctx.reply(
            ctx.t("The notice is too long (%(n)d characters; at most %(limit)d).", n=len(text.strip()), limit=exc.limit)
        )
    if exc.empty:
        return ctx.reply(ctx.t("Send the text of the notice (or /huy to cancel)."))
    return ctx.reply(ctx.t("Choose at least one agency."))


async def _notice_text(ctx: Ctx, text: str) -> list[Reply]:
    try:
        text = outreach.notice_text(text)
    except errors.NoticeRefused as exc:
        return _notice_refused(ctx, exc, text)
    return await _ask_audience(ctx, Flow.BROADCAST, {"text": text})


async def _preview_notice(ctx: Ctx, data: dict[str, Any]) -> list[Reply]:
    try:
        draft = await outreach.draft_notice(ctx.uow, ctx.actor, data["text"], "codes", data["codes"])
    except errors.NoticeRefused as exc:
        await ctx.forget()
        return _notice_refused(ctx, exc, data["text"])
    await ctx.remember(Flow.BROADCAST, {**data, "step": Step.CONFIRM})
    head = ctx.t(
        "Preview — to %(agencies)s (%(accounts)s):",
        agencies=ctx.tn("%(n)d agency", "%(n)d agencies", len(draft.codes)),
        accounts=ctx.tn("%(n)d account", "%(n)d accounts", draft.people),
    )
    choices = await ctx.choices([(ctx.t("Send"), Act.BROADCAST_SEND, {}), (ctx.t("Cancel"), Act.CANCEL, {})])
    return ctx.reply(f"{head}\n\n{draft.text}", choices)


@router.flow(Flow.BROADCAST, Access.ADMIN)
async def flow_broadcast(ctx: Ctx, data: dict[str, Any], event: Incoming) -> list[Reply]:
    step = data.get("step")
    if step == Step.TEXT:
        return await _notice_text(ctx, event.text)
    if step == Step.CODES:
        return await _chosen_codes(ctx, Flow.BROADCAST, data, event.text)
    return ctx.reply(ctx.t("Please choose one of the options above, or /huy to cancel."))


@router.choice(Act.BROADCAST_SEND, Access.ADMIN, single_use=True)
async def act_broadcast_send(ctx: Ctx, payload: dict[str, Any]) -> list[Reply]:
    state = await ctx.state()
    if state is None or state[0] != Flow.BROADCAST or state[1].get("step") != Step.CONFIRM:
        return ctx.reply(ctx.t("This choice is not valid or has expired."))
    data = state[1]
    await ctx.forget()
    try:
        sent = await outreach.broadcast(ctx.uow, ctx.actor, ctx.me.agency_name, data["text"], data["codes"], ctx.now)
    except errors.NoticeRefused as exc:  # an agency ended between the preview and now
        return _notice_refused(ctx, exc, data["text"])
    ctx.effects.queued = True
    return ctx.reply(
        ctx.tn(
            "Notice #%(id)d is going to %(n)d account. See /thongbao_ds for who has received it.",
            "Notice #%(id)d is going to %(n)d accounts. See /thongbao_ds for who has received it.",
            sent.queued,
            id=sent.notice_id,
        )
    )


@router.choice(Act.ACK, Access.MEMBER)
async def act_ack(ctx: Ctx, payload: dict[str, Any]) -> list[Reply]:
    await outreach.acknowledge(ctx.uow, ctx.me.account_id, int(payload["notice_id"]), ctx.now)
    return ctx.reply(ctx.t("Thank you: your receipt of the notice is recorded."))


@router.command("thongbao_ds")
async def cmd_notices(ctx: Ctx, args: str) -> list[Reply]:
    """/thongbao_ds: recent notices with delivered / acknowledged counts and who has not acknowledged."""
    found = await outreach.notices(ctx.uow, ctx.actor)
    if not found:
        return ctx.reply(ctx.t("No notice has been sent yet."))
    lines = []
    for n in found:
        short = n.text if len(n.text) <= 60 else n.text[:57] + "…"
        lines.append(
            ctx.t(
                "#%(id)d %(when)s: “%(text)s” — delivered %(delivered)d/%(total)d, acknowledged %(acked)d.",
                id=n.id,
                when=format_instant(n.created_at, ctx.lang),
                text=short,
                delivered=n.delivered,
                total=n.recipients,
                acked=n.acknowledged,
            )
        )
        if n.not_acknowledged:
            lines.append(ctx.t("  Not yet acknowledged: %(names)s", names="; ".join(n.not_acknowledged)))
    return ctx.reply("\n".join(lines))


@router.command("dotxuat")
async def cmd_adhoc(ctx: Ctx, args: str) -> list[Reply]:
    """/dotxuat [title]: request an ad-hoc report: title, audience, deadline, preview, confirm."""
    if args:
        return await _adhoc_title(ctx, args)
    await ctx.remember(Flow.ADHOC, {"step": Step.TEXT})
    return ctx.reply(ctx.t("Send the subject of the ad-hoc report (or /huy to cancel)."))


async def _adhoc_title(ctx: Ctx, title: str) -> list[Reply]:
    if len(title) > outreach.ADHOC_TITLE:
        return ctx.reply(ctx.t("The subject is too long (at most 150 characters)."))
    return await _ask_audience(ctx, Flow.ADHOC, {"title": title})


@router.flow(Flow.ADHOC, Access.ADMIN)
async def flow_adhoc(ctx: Ctx, data: dict[str, Any], event: Incoming) -> list[Reply]:
    step = data.get("step")
    if step == Step.TEXT:
        return await _adhoc_title(ctx, event.text)
    if step == Step.CODES:
        return await _chosen_codes(ctx, Flow.ADHOC, data, event.text)
    if step == Step.DEADLINE:
        try:
            day = await outreach.adhoc_deadline(ctx.uow, event.text, ctx.now, ctx.rules)
        except errors.AdhocDeadlineRefused as exc:
            return ctx.reply(_deadline_refused(ctx, exc))
        data = {**data, "due": day.isoformat(), "step": Step.CONFIRM}
        await ctx.remember(Flow.ADHOC, data)
        said = event.text.strip()
        text = ctx.t(
            "Ad-hoc report “%(title)s” from %(agencies)s, deadline %(due)s (“%(said)s”).",
            title=data["title"],
            agencies=ctx.tn("%(n)d agency", "%(n)d agencies", len(data["codes"])),
            due=format_day(day, ctx.lang),
            said=said[:60],
        )
        choices = await ctx.choices(
            [(ctx.t("Send the request"), Act.ADHOC_CREATE, {}), (ctx.t("Cancel"), Act.CANCEL, {})]
        )
        return ctx.reply(text, choices)
    return ctx.reply(ctx.t("Please choose one of the options above, or /huy to cancel."))


@router.choice(Act.ADHOC_CREATE, Access.ADMIN, single_use=True)
async def act_adhoc_create(ctx: Ctx, payload: dict[str, Any]) -> list[Reply]:
    state = await ctx.state()
    if state is None or state[0] != Flow.ADHOC or state[1].get("step") != Step.CONFIRM:
        return ctx.reply(ctx.t("This choice is not valid or has expired."))
    data = state[1]
    due = end_of_day(date.fromisoformat(data["due"]))
    try:
        made = await outreach.request_adhoc(
            ctx.uow, ctx.actor, ctx.me.agency_name, data["title"], data["codes"], due, ctx.now, ctx.rules
        )
    except errors.NoAdhocSeries:
        return ctx.reply(ctx.t("No plan has an ad-hoc report series; add one to the plan file first."))
    except errors.AdhocDeadlineRefused as exc:  # confirmed the day after it was shown
        await ctx.forget()
        return ctx.reply(_deadline_refused(ctx, exc))
    await ctx.forget()
    ctx.effects.queued = ctx.effects.periods_changed = True
    return ctx.reply(
        ctx.tn(
            "Created %(label)s, deadline %(due)s; the request is going to %(n)d focal person, reminders will follow.",
            "Created %(label)s, deadline %(due)s; the request is going to %(n)d focal persons, reminders will follow.",
            made.queued,
            label=messages.in_sentence(made.period.label),
            due=format_day(due, ctx.lang),
        )
    )


def _deadline_refused(ctx: Ctx, exc: errors.AdhocDeadlineRefused) -> str:
    return messages.adhoc_deadline_refused(ctx.lang, exc.reason, exc.phrase)
