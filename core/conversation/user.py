"""Commands every registered person has: tasks, deadlines, submit, undo, status, language, help."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from core.conversation.context import STATE_TTL, Ctx
from core.conversation.events import Incoming, Reply
from core.conversation.parse import parse_document_number
from core.conversation.ports import AgencyPeriod, StoreError
from core.deadlines import to_vn
from core.i18n import format_day, format_instant
from core.types import Role, TaskRole

UNDO_WINDOW = timedelta(hours=24)
UPCOMING = timedelta(days=45)  # /hanbaocao shows periods opening within this
RECENT = timedelta(days=62)  # …and those due this long ago that are not yet sent


def days_phrase(ctx: Ctx, p: AgencyPeriod) -> str:
    today = to_vn(ctx.now).date()
    due = to_vn(p.period.due_at).date()
    if p.submitted_at is not None:
        when = format_instant(p.submitted_at, ctx.lang)
        return ctx.t("sent late at %(when)s", when=when) if p.late else ctx.t("sent on time at %(when)s", when=when)
    if ctx.now > p.period.due_at:
        return ctx.tn("not sent — %(n)d day overdue", "not sent — %(n)d days overdue", (today - due).days)
    if due == today:
        return ctx.t("not sent — due today")
    return ctx.tn("not sent — %(n)d day left", "not sent — %(n)d days left", (due - today).days)


async def cmd_help(ctx: Ctx, args: str) -> list[Reply]:
    """/huongdan: what the bot does and the commands this person may use."""
    lines = [
        ctx.t("Nhắc việc bot: reminders of the reports your agency owes under the province's plans."),
        ctx.t("/nhiemvu — the tasks the plan assigns to your agency"),
        ctx.t("/hanbaocao — report deadlines and what your agency has sent"),
        ctx.t("/danop — confirm that a report has been sent"),
        ctx.t("/huynop — undo a confirmation (within 24 hours)"),
        ctx.t("/trangthai — your agency's reporting history"),
        ctx.t("/ngonngu — Tiếng Việt / English"),
        ctx.t("/kenh — Telegram or Zalo for reminders; /lienket — add the other app"),
        ctx.t("/huy — cancel what you are doing"),
    ]
    if ctx.account and ctx.account.role is Role.ADMIN:
        lines += [
            ctx.t("For Sở Nội vụ:"),
            ctx.t("/tonghop [period] — who has and has not reported"),
            ctx.t("/nhacnho [period] — remind the agencies that have not reported, now"),
            ctx.t("/thongbao — send a notice; /thongbao_ds — who received it"),
            ctx.t("/dotxuat — request an ad-hoc report"),
            ctx.t("/xuat [period] — Excel workbook of compliance"),
            ctx.t("/moi CODE [focal|leader|admin] — create a registration code"),
        ]
    if ctx.account is None:
        lines.append(ctx.t("To start, send /dangky followed by the registration code Sở Nội vụ gave you."))
    return ctx.reply("\n".join(lines))


async def cmd_tasks(ctx: Ctx, args: str) -> list[Reply]:
    """/nhiemvu: the agency's tasks, grouped by plan, lead then coordinating; a choice shows the full text."""
    tasks = await ctx.store.tasks(ctx.me.agency_id)
    if not tasks:
        return ctx.reply(ctx.t("No plan assigns a task to %(agency)s yet.", agency=ctx.me.agency_name))
    wanted = args.strip().upper()
    if wanted:
        match = [x for x in tasks if x.ref.upper() == wanted]
        if not match:
            return ctx.reply(
                ctx.t("There is no task %(ref)s for your agency. Send /nhiemvu to see the list.", ref=args)
            )
        return [_full_text(ctx, match[0].plan_number, match[0].ref, match[0].title, match[0].text, match[0].role)]
    lines = [ctx.t("Tasks of %(agency)s:", agency=ctx.me.agency_name)]
    for plan in dict.fromkeys(x.plan_number for x in tasks):
        lines.append(ctx.t("Plan No. %(plan)s", plan=plan))
        for role, heading in ((TaskRole.LEAD, ctx.t("Lead:")), (TaskRole.COORDINATE, ctx.t("Coordinating:"))):
            mine = [x for x in tasks if x.plan_number == plan and x.role is role]
            if mine:
                lines.append(heading)
                lines += [f"  {x.ref} — {x.title}" for x in mine]
    lines.append(ctx.t("Choose a task to read its full text."))
    choices = await ctx.choices([(x.ref, "task", {"ref": x.ref, "plan": x.plan_number}) for x in tasks])
    return ctx.reply("\n".join(lines), choices)


def _full_text(ctx: Ctx, plan: str, ref: str, title: str, text: str, role: TaskRole) -> Reply:
    role_text = ctx.t("lead") if role is TaskRole.LEAD else ctx.t("coordinating")
    head = ctx.t("Plan No. %(plan)s, item %(ref)s (%(role)s):", plan=plan, ref=ref, role=role_text)
    return Reply(f"{head}\n{title}\n\n{text}")


async def act_task(ctx: Ctx, payload: dict[str, Any]) -> list[Reply]:
    tasks = await ctx.store.tasks(ctx.me.agency_id)
    match = [x for x in tasks if x.ref == payload.get("ref") and x.plan_number == payload.get("plan")]
    if not match:
        return ctx.reply(ctx.t("This task is no longer assigned to your agency."))
    x = match[0]
    return [_full_text(ctx, x.plan_number, x.ref, x.title, x.text, x.role)]


async def _agency_periods(ctx: Ctx) -> list[AgencyPeriod]:
    return await ctx.store.agency_periods(ctx.me.agency_id, ctx.now - RECENT, ctx.now + UPCOMING)


async def cmd_deadlines(ctx: Ctx, args: str) -> list[Reply]:
    """/hanbaocao: open and upcoming periods with due date, weekday, days left and the agency's status."""
    periods = [p for p in await _agency_periods(ctx) if p.submitted_at is None or p.period.due_at >= ctx.now]
    if not periods:
        return ctx.reply(ctx.t("%(agency)s has no report due in the coming weeks.", agency=ctx.me.agency_name))
    lines = [ctx.t("Reports of %(agency)s:", agency=ctx.me.agency_name)]
    for p in periods:
        lines.append(
            ctx.t(
                "• %(label)s — deadline %(due)s (%(wording)s): %(state)s",
                label=p.period.label,
                due=format_day(p.period.due_at, ctx.lang),
                wording=p.period.wording,
                state=days_phrase(ctx, p),
            )
        )
    lines.append(ctx.t("Once a report is sent, confirm it with /danop."))
    return ctx.reply("\n".join(lines))


async def cmd_status(ctx: Ctx, args: str) -> list[Reply]:
    """/trangthai: the agency's history of periods due so far."""
    periods = await ctx.store.agency_periods(ctx.me.agency_id, ctx.now - timedelta(days=3660), ctx.now)
    periods = [p for p in periods if p.period.due_at <= ctx.now or p.submitted_at is not None]
    if not periods:
        return ctx.reply(ctx.t("No report of %(agency)s has fallen due yet.", agency=ctx.me.agency_name))
    lines = [ctx.t("Reporting history of %(agency)s:", agency=ctx.me.agency_name)]
    for p in periods:
        doc = f" — {p.document_number}" if p.document_number else ""
        lines.append(f"• {p.period.label}: {days_phrase(ctx, p)}{doc}")
    on_time = sum(1 for p in periods if p.submitted_at and not p.late)
    lines.append(ctx.t("On time: %(on_time)d of %(total)d.", on_time=on_time, total=len(periods)))
    return ctx.reply("\n".join(lines))


# ------------------------------------------------------------------ /danop


async def cmd_submit(ctx: Ctx, args: str) -> list[Reply]:
    """/danop [period]: pick the period, optionally give the document number or file, confirm."""
    owed = [p for p in await _agency_periods(ctx) if p.submitted_at is None and p.period.opens_at <= ctx.now]
    if args:
        period = await ctx.store.find_period(args, ctx.now)
        match = [p for p in owed if period and p.period.id == period.id]
        if not match:
            return ctx.reply(
                ctx.t("“%(ref)s” is not a period your agency still owes. Send /danop to choose.", ref=args)
            )
        return await _ask_confirmation(ctx, match[0].period.id, {}, match)
    if not owed:
        return ctx.reply(ctx.t("%(agency)s owes no open report right now.", agency=ctx.me.agency_name))
    choices = await ctx.choices([(p.period.label, "submit_pick", {"period_id": p.period.id}) for p in owed])
    return ctx.reply(ctx.t("Which report has %(agency)s sent?", agency=ctx.me.agency_name), choices)


async def act_submit_pick(ctx: Ctx, payload: dict[str, Any]) -> list[Reply]:
    return await _ask_confirmation(ctx, int(payload["period_id"]), {})


async def _ask_confirmation(
    ctx: Ctx, period_id: int, data: dict[str, Any], known: list[AgencyPeriod] | None = None
) -> list[Reply]:
    owed = {p.period.id: p for p in (known if known is not None else await _agency_periods(ctx))}
    p = owed.get(period_id)
    if p is None or p.submitted_at is not None:
        await ctx.store.clear_state(ctx.me.account_id)
        return ctx.reply(ctx.t("This report is already confirmed or no longer owed."))
    data = {**data, "period_id": period_id}
    await ctx.store.set_state(ctx.me.account_id, "submit", data, ctx.now + STATE_TTL)
    lines = [ctx.t("%(label)s — deadline %(due)s.", label=p.period.label, due=format_day(p.period.due_at, ctx.lang))]
    if data.get("document_number"):
        lines.append(ctx.t("Document number: %(doc)s", doc=data["document_number"]))
    if data.get("file_ref"):
        lines.append(ctx.t("Report file attached."))
    lines.append(ctx.t("You may send the document number (for example 125/BC-SNV) or the report file, then confirm."))
    choices = await ctx.choices(
        [(ctx.t("Confirm: report sent"), "submit_confirm", {"period_id": period_id}), (ctx.t("Cancel"), "cancel", {})]
    )
    return ctx.reply("\n".join(lines), choices)


async def flow_submit(ctx: Ctx, data: dict[str, Any], event: Incoming) -> list[Reply]:
    """Text or a file while /danop waits for confirmation."""
    if event.file is not None:
        return await _ask_confirmation(ctx, int(data["period_id"]), {**data, "file_ref": event.file.ref})
    doc = parse_document_number(event.text)
    if doc is None:
        return ctx.reply(
            ctx.t("“%(text)s” does not look like a document number (for example 125/BC-SNV).", text=event.text[:80])
        )
    return await _ask_confirmation(ctx, int(data["period_id"]), {**data, "document_number": doc})


async def act_submit_confirm(ctx: Ctx, payload: dict[str, Any]) -> list[Reply]:
    state = await ctx.store.get_state(ctx.me.account_id, ctx.now)
    data = state[1] if state and state[0] == "submit" and state[1].get("period_id") == payload["period_id"] else {}
    try:
        receipt = await ctx.store.submit(
            ctx.me, int(payload["period_id"]), ctx.now, data.get("document_number"), data.get("file_ref")
        )
    except StoreError as exc:
        await ctx.store.clear_state(ctx.me.account_id)
        if exc.code == "already_submitted":
            return ctx.reply(ctx.t("This report was already confirmed earlier."))
        return ctx.reply(ctx.t("This report is already confirmed or no longer owed."))
    await ctx.store.clear_state(ctx.me.account_id)
    state_text = ctx.t("late") if receipt.late else ctx.t("on time")
    lines = [
        ctx.t(
            "Recorded: %(agency)s sent %(label)s at %(when)s — %(state)s.",
            agency=ctx.me.agency_name,
            label=receipt.period.label,
            when=format_instant(receipt.confirmed_at, ctx.lang),
            state=state_text,
        )
    ]
    if receipt.document_number:
        lines.append(ctx.t("Document number: %(doc)s", doc=receipt.document_number))
    if receipt.file_attached:
        lines.append(ctx.t("Report file attached."))
    lines.append(ctx.t("Reminders for this report have stopped. To undo within 24 hours: /huynop."))
    return ctx.reply("\n".join(lines))


# ------------------------------------------------------------------ /huynop


async def cmd_undo(ctx: Ctx, args: str) -> list[Reply]:
    """/huynop: undo a confirmation made in the last 24 hours."""
    recent = await ctx.store.recent_submissions(ctx.me.agency_id, ctx.now - UNDO_WINDOW)
    if not recent:
        return ctx.reply(ctx.t("There is no confirmation from the last 24 hours to undo."))
    choices = await ctx.choices([(p.period.label, "undo", {"period_id": p.period.id}) for p in recent])
    return ctx.reply(ctx.t("Which confirmation should be undone?"), choices)


async def act_undo(ctx: Ctx, payload: dict[str, Any]) -> list[Reply]:
    try:
        period = await ctx.store.undo(ctx.me, int(payload["period_id"]), ctx.now, UNDO_WINDOW)
    except StoreError as exc:
        if exc.code == "too_late":
            return ctx.reply(ctx.t("A confirmation can only be undone within 24 hours."))
        return ctx.reply(ctx.t("There is no confirmation from the last 24 hours to undo."))
    await ctx.notifier.periods_changed()
    return ctx.reply(ctx.t("The confirmation of %(label)s has been undone; reminders resume.", label=period.label))


# ------------------------------------------------------------------ /ngonngu


async def cmd_language(ctx: Ctx, args: str) -> list[Reply]:
    choices = await ctx.choices([("Tiếng Việt", "language", {"lang": "vi"}), ("English", "language", {"lang": "en"})])
    return ctx.reply(ctx.t("Choose your language:"), choices)


async def act_language(ctx: Ctx, payload: dict[str, Any]) -> list[Reply]:
    lang = payload.get("lang")
    if lang not in ("vi", "en"):
        return ctx.reply(ctx.t("This choice is not valid or has expired."))
    await ctx.store.set_language(ctx.me.account_id, str(lang))
    ctx.account = replace(ctx.me, language=str(lang))
    return ctx.reply(ctx.t("Language set: English.") if lang == "en" else ctx.t("Language set: Tiếng Việt."))


# ------------------------------------------------------------------ /kenh and /lienket

PLATFORM_NAMES = {"telegram": "Telegram", "zalo": "Zalo", "console": "Console"}


async def cmd_channel(ctx: Ctx, args: str) -> list[Reply]:
    """/kenh: choose which of the person's chat accounts receives reminders."""
    accounts = await ctx.store.accounts_of(ctx.me.person_id)
    if len(accounts) < 2:
        return ctx.reply(ctx.t("You have only one chat account. To add Telegram or Zalo, send /lienket."))
    lines = [ctx.t("Reminders go to one of your chat accounts. Choose which:")]
    options = []
    for account_id, platform, preferred in accounts:
        name = PLATFORM_NAMES.get(platform, platform)
        lines.append(f"• {name}" + (f" — {ctx.t('current')}" if preferred else ""))
        options.append((name, "channel", {"account_id": account_id}))
    return ctx.reply("\n".join(lines), await ctx.choices(options))


async def act_channel(ctx: Ctx, payload: dict[str, Any]) -> list[Reply]:
    accounts = {a: p for a, p, _ in await ctx.store.accounts_of(ctx.me.person_id)}
    account_id = int(payload.get("account_id", 0))
    if account_id not in accounts:
        return ctx.reply(ctx.t("This choice is not valid or has expired."))
    await ctx.store.set_preferred(ctx.me.person_id, account_id)
    name = PLATFORM_NAMES.get(accounts[account_id], accounts[account_id])
    return ctx.reply(ctx.t("Reminders will now go to %(channel)s.", channel=name))


async def cmd_link(ctx: Ctx, args: str) -> list[Reply]:
    """/lienket: a one-time code to add this person's account on another platform."""
    inv = await ctx.store.create_link_code(ctx.me, ctx.now)
    return ctx.reply(
        ctx.t(
            "On the other app (Telegram or Zalo), send this to the Nhắc việc bot: /dangky %(code)s\n"
            "The code is valid until %(when)s and can be used once.",
            code=inv.code,
            when=format_instant(inv.expires_at, ctx.lang),
        )
    )
