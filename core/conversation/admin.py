"""Commands of Sở Nội vụ admins: overview, nudge, notices, ad-hoc reports, Excel export, invites."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from core import messages
from core.conversation.context import STATE_TTL, Ctx
from core.conversation.events import Document, Incoming, Reply
from core.conversation.ports import OutgoingItem, StoreError
from core.deadlines import end_of_day, to_vn
from core.export import compliance_workbook
from core.i18n import format_day, format_instant
from core.types import AgencyKind, Role

MAX_NOTICE = 3000
ACK_TTL = timedelta(days=60)
AUDIENCES = {
    "all": (AgencyKind.DEPARTMENT, AgencyKind.DISTRICT),
    "departments": (AgencyKind.DEPARTMENT,),
    "districts": (AgencyKind.DISTRICT,),
}


async def _period(ctx: Ctx, args: str) -> tuple[Any, list[Reply]]:
    period = await ctx.store.find_period(args or None, ctx.now)
    if period is None:
        return None, ctx.reply(
            ctx.t("No report period “%(ref)s”. Use a key such as 2023-04 or thang:2023-04.", ref=args)
        )
    return period, []


async def cmd_overview(ctx: Ctx, args: str) -> list[Reply]:
    """/tonghop [period]: on time / late / missing with agency names (default: the most recently due)."""
    period, error = await _period(ctx, args)
    if error:
        return error
    rows = await ctx.store.period_status(period.id)
    on_time = [r.agency.name for r in rows if r.submitted_at and not r.late]
    late = [r.agency.name for r in rows if r.submitted_at and r.late]
    missing = [r.agency.name for r in rows if r.submitted_at is None]
    lines = [
        ctx.t("%(label)s — deadline %(due)s", label=period.label, due=format_instant(period.due_at, ctx.lang)),
        ctx.t("On time (%(n)d): %(names)s", n=len(on_time), names="; ".join(on_time) or "—"),
        ctx.t("Late (%(n)d): %(names)s", n=len(late), names="; ".join(late) or "—"),
        ctx.t("Not yet sent (%(n)d): %(names)s", n=len(missing), names="; ".join(missing) or "—"),
    ]
    return ctx.reply("\n".join(lines))


async def cmd_nudge(ctx: Ctx, args: str) -> list[Reply]:
    """/nhacnho [period]: an immediate reminder, through the outbox, to the agencies still missing."""
    period, error = await _period(ctx, args)
    if error:
        return error
    missing = tuple(r.agency.code for r in await ctx.store.period_status(period.id) if r.submitted_at is None)
    if not missing:
        return ctx.reply(ctx.t("Every agency has sent %(label)s.", label=period.label))
    receiver = next((a.name for a in await ctx.store.agencies() if a.code == "SNV"), "Sở Nội vụ")
    report = messages.ReportRef(period.label, period.plan_number, period.due_at, period.wording, receiver)
    people = await ctx.store.recipients(Role.FOCAL, missing)
    stamp = to_vn(ctx.now).strftime("%Y%m%dT%H%M%S")
    items = []
    for r in people:
        if ctx.now > period.due_at:
            days = max(1, (to_vn(ctx.now).date() - to_vn(period.due_at).date()).days)
            text = messages.reminder_overdue(r.language, r.person_name, r.agency_name, report, days)
        else:
            days = (to_vn(period.due_at).date() - to_vn(ctx.now).date()).days
            text = messages.reminder_before(r.language, r.person_name, r.agency_name, report, days)
        items.append(OutgoingItem(f"nudge:{period.id}:{stamp}#{r.account_id}", r.account_id, "nudge", text, 2))
    queued = await ctx.store.enqueue(items, ctx.now)
    ctx.notifier.deliveries_queued()
    no_account = len(missing) - len({r.agency_code for r in people})
    lines = [
        ctx.t(
            "Reminder queued for %(people)d focal persons of %(agencies)d agencies that have not sent %(label)s.",
            people=queued,
            agencies=len(missing) - no_account,
            label=period.label,
        )
    ]
    if no_account:
        lines.append(ctx.t("%(n)d agencies have no registered focal person.", n=no_account))
    return ctx.reply("\n".join(lines))


# ------------------------------------------------------------------ audience (shared by notices and ad-hoc)


async def _ask_audience(ctx: Ctx, flow: str, data: dict[str, Any]) -> list[Reply]:
    await ctx.store.set_state(ctx.me.account_id, flow, {**data, "step": "audience"}, ctx.now + STATE_TTL)
    choices = await ctx.choices(
        [
            (ctx.t("Everyone"), "audience", {"flow": flow, "audience": "all"}),
            (ctx.t("Departments"), "audience", {"flow": flow, "audience": "departments"}),
            (ctx.t("Districts"), "audience", {"flow": flow, "audience": "districts"}),
            (ctx.t("Chosen agencies"), "audience", {"flow": flow, "audience": "chosen"}),
            (ctx.t("Cancel"), "cancel", {}),
        ]
    )
    return ctx.reply(ctx.t("Who should receive it?"), choices)


async def act_audience(ctx: Ctx, payload: dict[str, Any]) -> list[Reply]:
    state = await ctx.store.get_state(ctx.me.account_id, ctx.now)
    if state is None or state[0] != payload.get("flow"):
        return ctx.reply(ctx.t("This choice is not valid or has expired."))
    flow, data = state
    audience = payload.get("audience")
    if audience == "chosen":
        await ctx.store.set_state(ctx.me.account_id, flow, {**data, "step": "codes"}, ctx.now + STATE_TTL)
        return ctx.reply(ctx.t("Send the agency codes, separated by commas (for example: STP, STC, UBND-NH)."))
    if audience not in AUDIENCES:
        return ctx.reply(ctx.t("This choice is not valid or has expired."))
    codes = [a.code for a in await ctx.store.agencies(AUDIENCES[str(audience)])]
    return await _after_audience(ctx, flow, data, codes)


async def _after_audience(ctx: Ctx, flow: str, data: dict[str, Any], codes: list[str]) -> list[Reply]:
    data = {**data, "codes": codes}
    if flow == "broadcast":
        return await _preview_notice(ctx, data)
    await ctx.store.set_state(ctx.me.account_id, flow, {**data, "step": "deadline"}, ctx.now + STATE_TTL)
    return ctx.reply(ctx.t("Send the deadline as dd/mm/yyyy (the last day allowed)."))


async def _codes(ctx: Ctx, text: str) -> tuple[list[str], list[str]]:
    wanted = [c.strip().upper() for c in re.split(r"[,;\s]+", text) if c.strip()]
    known = {a.code for a in await ctx.store.agencies()}
    return [c for c in dict.fromkeys(wanted) if c in known], [c for c in wanted if c not in known]


# ------------------------------------------------------------------ /thongbao


async def cmd_broadcast(ctx: Ctx, args: str) -> list[Reply]:
    """/thongbao [text]: compose, choose the audience, preview, confirm."""
    if args:
        return await _notice_text(ctx, args)
    await ctx.store.set_state(ctx.me.account_id, "broadcast", {"step": "text"}, ctx.now + STATE_TTL)
    return ctx.reply(ctx.t("Send the text of the notice (or /huy to cancel)."))


async def _notice_text(ctx: Ctx, text: str) -> list[Reply]:
    if len(text) > MAX_NOTICE:
        return ctx.reply(ctx.t("The notice is too long (%(n)d characters; at most 3000).", n=len(text)))
    return await _ask_audience(ctx, "broadcast", {"text": text})


async def _preview_notice(ctx: Ctx, data: dict[str, Any]) -> list[Reply]:
    people = await ctx.store.recipients(None, tuple(data["codes"]))
    await ctx.store.set_state(ctx.me.account_id, "broadcast", {**data, "step": "confirm"}, ctx.now + STATE_TTL)
    head = ctx.t(
        "Preview — to %(agencies)d agencies (%(accounts)d accounts):", agencies=len(data["codes"]), accounts=len(people)
    )
    choices = await ctx.choices([(ctx.t("Send"), "broadcast_send", {}), (ctx.t("Cancel"), "cancel", {})])
    return ctx.reply(f"{head}\n\n{data['text']}", choices)


async def flow_broadcast(ctx: Ctx, data: dict[str, Any], event: Incoming) -> list[Reply]:
    step = data.get("step")
    if step == "text":
        return await _notice_text(ctx, event.text)
    if step == "codes":
        return await _chosen_codes(ctx, "broadcast", data, event.text)
    return ctx.reply(ctx.t("Please use the buttons above, or /huy to cancel."))


async def _chosen_codes(ctx: Ctx, flow: str, data: dict[str, Any], text: str) -> list[Reply]:
    codes, unknown = await _codes(ctx, text)
    if unknown or not codes:
        return ctx.reply(
            ctx.t("Unknown agency codes: %(codes)s. Send the codes again.", codes=", ".join(unknown) or "—")
        )
    return await _after_audience(ctx, flow, data, codes)


async def act_broadcast_send(ctx: Ctx, payload: dict[str, Any]) -> list[Reply]:
    state = await ctx.store.get_state(ctx.me.account_id, ctx.now)
    if state is None or state[0] != "broadcast" or state[1].get("step") != "confirm":
        return ctx.reply(ctx.t("This choice is not valid or has expired."))
    data = state[1]
    people = await ctx.store.recipients(None, tuple(data["codes"]))
    notice_id = await ctx.store.create_notice(ctx.me, data["text"], {"agencies": data["codes"]}, ctx.now)
    items = []
    for r in people:
        label = messages.ack_label(r.language)
        (token,) = await ctx.store.offer(r.account_id, [("ack", {"notice_id": notice_id})], ctx.now, ACK_TTL)
        text = messages.notice(r.language, r.person_name, r.agency_name, data["text"], ctx.me.agency_name)
        items.append(
            OutgoingItem(
                f"notice:{notice_id}#{r.account_id}", r.account_id, "notice", text, 7, notice_id, ((label, token),)
            )
        )
    queued = await ctx.store.enqueue(items, ctx.now)
    await ctx.store.clear_state(ctx.me.account_id)
    ctx.notifier.deliveries_queued()
    return ctx.reply(
        ctx.t(
            "Notice #%(id)d queued for %(n)d accounts. See /thongbao_ds for who has received it.",
            id=notice_id,
            n=queued,
        )
    )


async def act_ack(ctx: Ctx, payload: dict[str, Any]) -> list[Reply]:
    await ctx.store.acknowledge(int(payload["notice_id"]), ctx.me.account_id, ctx.now)
    return ctx.reply(ctx.t("Thank you: your receipt of the notice is recorded."))


async def cmd_notices(ctx: Ctx, args: str) -> list[Reply]:
    """/thongbao_ds: recent notices with delivered / acknowledged counts and who has not acknowledged."""
    notices = await ctx.store.notices(10)
    if not notices:
        return ctx.reply(ctx.t("No notice has been sent yet."))
    lines = []
    for n in notices:
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


# ------------------------------------------------------------------ /dotxuat


async def cmd_adhoc(ctx: Ctx, args: str) -> list[Reply]:
    """/dotxuat [title]: request an ad-hoc report: title, audience, deadline, preview, confirm."""
    if args:
        return await _adhoc_title(ctx, args)
    await ctx.store.set_state(ctx.me.account_id, "adhoc", {"step": "title"}, ctx.now + STATE_TTL)
    return ctx.reply(ctx.t("Send the subject of the ad-hoc report (or /huy to cancel)."))


async def _adhoc_title(ctx: Ctx, title: str) -> list[Reply]:
    if len(title) > 150:
        return ctx.reply(ctx.t("The subject is too long (at most 150 characters)."))
    return await _ask_audience(ctx, "adhoc", {"title": title})


def parse_day(text: str) -> date | None:
    m = re.fullmatch(r"\s*(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})\s*", text)
    if not m:
        return None
    try:
        return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    except ValueError:
        return None


async def flow_adhoc(ctx: Ctx, data: dict[str, Any], event: Incoming) -> list[Reply]:
    step = data.get("step")
    if step == "title":
        return await _adhoc_title(ctx, event.text)
    if step == "codes":
        return await _chosen_codes(ctx, "adhoc", data, event.text)
    if step == "deadline":
        day = parse_day(event.text)
        if day is None:
            return ctx.reply(ctx.t("“%(text)s” is not a date; send it as dd/mm/yyyy.", text=event.text[:40]))
        if end_of_day(day) <= ctx.now:
            return ctx.reply(ctx.t("The deadline must be today or later."))
        data = {**data, "due": day.isoformat(), "step": "confirm"}
        await ctx.store.set_state(ctx.me.account_id, "adhoc", data, ctx.now + STATE_TTL)
        text = ctx.t(
            "Ad-hoc report “%(title)s” from %(n)d agencies, deadline %(due)s.",
            title=data["title"],
            n=len(data["codes"]),
            due=format_day(day, ctx.lang),
        )
        choices = await ctx.choices([(ctx.t("Send the request"), "adhoc_create", {}), (ctx.t("Cancel"), "cancel", {})])
        return ctx.reply(text, choices)
    return ctx.reply(ctx.t("Please use the buttons above, or /huy to cancel."))


async def act_adhoc_create(ctx: Ctx, payload: dict[str, Any]) -> list[Reply]:
    state = await ctx.store.get_state(ctx.me.account_id, ctx.now)
    if state is None or state[0] != "adhoc" or state[1].get("step") != "confirm":
        return ctx.reply(ctx.t("This choice is not valid or has expired."))
    data = state[1]
    due = end_of_day(date.fromisoformat(data["due"]))
    try:
        period = await ctx.store.create_adhoc_period(ctx.me, data["title"], tuple(data["codes"]), ctx.now, due)
    except StoreError:
        return ctx.reply(ctx.t("No plan has an ad-hoc report series; add one to the plan file first."))
    await ctx.store.clear_state(ctx.me.account_id)
    people = await ctx.store.recipients(Role.FOCAL, tuple(data["codes"]))
    items = [
        OutgoingItem(
            f"adhoc:{period.id}#{r.account_id}",
            r.account_id,
            "adhoc",
            messages.adhoc_request(r.language, r.person_name, r.agency_name, period.label, due, ctx.me.agency_name),
            3,
        )
        for r in people
    ]
    queued = await ctx.store.enqueue(items, ctx.now)
    ctx.notifier.deliveries_queued()
    await ctx.notifier.periods_changed()
    return ctx.reply(
        ctx.t(
            "Created %(label)s, deadline %(due)s; the request went to %(n)d focal persons and reminders will follow.",
            label=period.label,
            due=format_day(due, ctx.lang),
            n=queued,
        )
    )


# ------------------------------------------------------------------ /xuat and /moi


async def cmd_export(ctx: Ctx, args: str) -> list[Reply]:
    """/xuat [period]: Excel workbook of compliance per agency and period."""
    period_id = None
    if args:
        period, error = await _period(ctx, args)
        if error:
            return error
        period_id = period.id
    rows = await ctx.store.export_rows(period_id)
    if not rows:
        return ctx.reply(ctx.t("No report period has fallen due yet: nothing to export."))
    data = compliance_workbook(rows, ctx.now)
    name = f"tong-hop-bao-cao-{to_vn(ctx.now):%Y%m%d-%H%M}.xlsx"
    mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return [Reply(ctx.t("Compliance workbook: %(n)d rows.", n=len(rows)), document=Document(name, data, mime))]


async def cmd_invite(ctx: Ctx, args: str) -> list[Reply]:
    """/moi CODE [focal|leader|admin]: create a registration code from chat."""
    parts = args.split()
    roles = {
        "focal": Role.FOCAL,
        "dau_moi": Role.FOCAL,
        "leader": Role.LEADER,
        "lanh_dao": Role.LEADER,
        "admin": Role.ADMIN,
    }
    if not parts or len(parts) > 2 or (len(parts) == 2 and parts[1].lower() not in roles):
        return ctx.reply(ctx.t("Usage: /moi AGENCY_CODE [focal|leader|admin], for example /moi STP focal"))
    role = roles[parts[1].lower()] if len(parts) == 2 else Role.FOCAL
    try:
        inv = await ctx.store.create_invite(ctx.me, parts[0].upper(), role, ctx.now)
    except StoreError:
        return ctx.reply(ctx.t("Unknown agency code %(code)s.", code=parts[0][:32]))
    lines = [
        ctx.t(
            "Registration code for %(agency)s (%(role)s): %(code)s",
            agency=inv.agency_code,
            role=role.value,
            code=inv.code,
        ),
        ctx.t(
            "Valid until %(when)s. The person sends: /dangky %(code)s",
            when=format_instant(inv.expires_at, ctx.lang),
            code=inv.code,
        ),
    ]
    if ctx.bot_username:
        lines.append(f"https://t.me/{ctx.bot_username}?start={inv.code}")
    return ctx.reply("\n".join(lines))
