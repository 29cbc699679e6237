"""Commands every registered person has: tasks, deadlines, submit, undo, status, language, channel, help."""

from __future__ import annotations

from typing import Any

from core import errors, messages
from core.conversation.commands import COMMANDS, Access, handles, in_flow, on_choice
from core.conversation.context import Act, Ctx, Flow
from core.conversation.events import Incoming, Reply
from core.conversation.parse import parse_document_number
from core.deadlines import to_vn
from core.i18n import N_, format_day, format_instant
from core.types import AgencyPeriod, AssignedTask, Platform, Role, Standing, SubmissionReceipt, TaskRole
from core.usecases import accounts, plan, reminder_actions, submissions, web_access
from core.usecases.reminder_actions import REMIND_ACK, REMIND_SUBMIT

FIRST_PAGE = 4  # periods /danop offers before "older"
PLATFORM_NAMES = {Platform.TELEGRAM: "Telegram", Platform.ZALO: "Zalo", Platform.CONSOLE: "Console"}


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
    if left == 0:
        return ctx.t("not sent — due today")
    return ctx.tn("not sent — %(n)d day left", "not sent — %(n)d days left", left)


async def cancel(ctx: Ctx) -> list[Reply]:
    await ctx.forget()
    return ctx.reply(ctx.t("Cancelled."))


@on_choice(Act.CANCEL, Access.MEMBER, single_use=True)
async def act_cancel(ctx: Ctx, payload: dict[str, Any]) -> list[Reply]:
    return await cancel(ctx)


@handles("huongdan")
async def cmd_help(ctx: Ctx, args: str) -> list[Reply]:
    """/huongdan: what the bot does and the commands this person may use (from the registry)."""
    lines = [ctx.t("Nhắc việc bot: reminders of the reports your agency owes under the province's plans.")]
    lines += [ctx.t(c.help) for c in COMMANDS if c.help and c.access is not Access.ADMIN]
    if ctx.account and ctx.account.role is Role.ADMIN:
        lines.append(ctx.t("For Sở Nội vụ:"))
        lines += [ctx.t(c.help) for c in COMMANDS if c.help and c.access is Access.ADMIN]
    if ctx.account is None:
        lines.append(ctx.t("To start, send /dangky followed by the registration code Sở Nội vụ gave you."))
    return ctx.reply("\n".join(lines))


ROLE_HEADINGS = (
    (TaskRole.LEAD, N_("Lead (chủ trì):")),
    (TaskRole.COORDINATE, N_("Coordinating (phối hợp):")),
    (TaskRole.CARRY_OUT, N_("To carry out (thực hiện):")),
)


@handles("nhiemvu")
async def cmd_tasks(ctx: Ctx, args: str) -> list[Reply]:
    """/nhiemvu [REF]: the agency's tasks by plan and role (lead, coordinating, carry out); a choice shows the text."""
    tasks = await plan.tasks_of(ctx.uow, ctx.me.agency_id)
    if not tasks:
        return ctx.reply(ctx.t("No plan assigns a task to %(agency)s yet.", agency=ctx.me.agency_name))
    wanted = args.strip().upper().removeprefix("MỤC ").strip()
    if wanted:
        match = [x for x in tasks if x.ref.upper() == wanted]
        if not match:
            return ctx.reply(
                ctx.t("There is no task %(ref)s for your agency. Send /nhiemvu to see the list.", ref=args)
            )
        return [_full_text(ctx, x) for x in match]
    lines = [ctx.t("Tasks of %(agency)s:", agency=ctx.me.agency_name)]
    for number in dict.fromkeys(x.plan_number for x in tasks):
        lines.append(ctx.t("Plan No. %(plan)s", plan=number))
        for role, heading in ROLE_HEADINGS:
            mine = [x for x in tasks if x.plan_number == number and x.role is role]
            if mine:
                lines.append(ctx.t(heading))
                lines += [f"  {messages.ref_label(ctx.lang, x.ref, x.paragraph)} — {x.title}" for x in mine]
    lines.append(ctx.t("Choose a task to read its full text."))
    choices = await ctx.choices(
        [(messages.ref_label(ctx.lang, x.ref, x.paragraph), Act.TASK, _task_payload(x)) for x in tasks]
    )
    return ctx.reply("\n".join(lines), choices)


def _task_payload(x: AssignedTask) -> dict[str, Any]:
    return {"ref": x.ref, "paragraph": x.paragraph, "plan": x.plan_number}


def _full_text(ctx: Ctx, x: AssignedTask) -> Reply:
    role_text = ctx.t(messages.ROLE_NAMES[x.role])
    head = ctx.t(
        "Plan No. %(plan)s, item %(ref)s (%(role)s):",
        plan=x.plan_number,
        ref=messages.ref_label(ctx.lang, x.ref, x.paragraph),
        role=role_text,
    )
    return Reply(f"{head}\n{x.title}\n\n{x.text}", language=ctx.lang)


@on_choice(Act.TASK, Access.MEMBER)
async def act_task(ctx: Ctx, payload: dict[str, Any]) -> list[Reply]:
    tasks = await plan.tasks_of(ctx.uow, ctx.me.agency_id)
    match = [x for x in tasks if _task_payload(x) == {"paragraph": 0, **payload}]
    if not match:
        return ctx.reply(ctx.t("This task is no longer assigned to your agency."))
    return [_full_text(ctx, match[0])]


@handles("hanbaocao")
async def cmd_deadlines(ctx: Ctx, args: str) -> list[Reply]:
    """/hanbaocao: open and upcoming periods with due date, weekday, days left and the agency's status."""
    periods = await plan.deadlines(ctx.uow, ctx.me.agency_id, ctx.now, await ctx.calendar())
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
                state=await days_phrase(ctx, p),
            )
        )
    lines.append(ctx.t("Once a report is sent, confirm it with /danop."))
    return ctx.reply("\n".join(lines))


@handles("trangthai")
async def cmd_status(ctx: Ctx, args: str) -> list[Reply]:
    """/trangthai: the agency's history of periods due so far."""
    periods = await plan.history(ctx.uow, ctx.me.agency_id, ctx.now, await ctx.calendar())
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


# ------------------------------------------------------------------ /danop


@handles("danop")
async def cmd_submit(ctx: Ctx, args: str) -> list[Reply]:
    """/danop [period]: pick the period, optionally give the document number or file, confirm."""
    if args:
        named = await plan.owed_period(ctx.uow, ctx.me.agency_id, args, ctx.now)
        if not named:
            return ctx.reply(
                ctx.t("“%(ref)s” is not a period your agency still owes. Send /danop to choose.", ref=args)
            )
        if len(named) > 1:  # plans sharing the name: choose among them
            return await _offer_periods(ctx, named, 0)
        return await _ask_confirmation(ctx, named[0].period.id, {}, named)
    owed = await plan.owed(ctx.uow, ctx.me.agency_id, ctx.now)
    if not owed:
        return ctx.reply(ctx.t("%(agency)s owes no open report right now.", agency=ctx.me.agency_name))
    return await _offer_periods(ctx, owed, 0)


async def _offer_periods(ctx: Ctx, owed: list[AgencyPeriod], start: int) -> list[Reply]:
    """A page of owed periods, most urgent first; older ones behind a "more" choice."""
    page = owed[start : start + FIRST_PAGE] if start == 0 else owed[start:]
    plans = len({p.period.plan_number for p in owed})  # several plans: each choice names its plan
    offered: list[tuple[str, str, dict[str, Any]]] = [
        (await _period_choice(ctx, p, plans), Act.SUBMIT_PICK, {"period_id": p.period.id}) for p in page
    ]
    rest = len(owed) - start - len(page)
    if rest > 0:
        offered.append((ctx.tn("Older: %(n)d more period", "Older: %(n)d more periods", rest), Act.SUBMIT_MORE, {}))
    choices = await ctx.choices(offered)
    return ctx.reply(ctx.t("Which report has %(agency)s sent?", agency=ctx.me.agency_name), choices)


async def _period_choice(ctx: Ctx, p: AgencyPeriod, plans: int = 1) -> str:
    label = f"{p.period.label} — {p.period.plan_number}" if plans > 1 else p.period.label
    if (await ctx.standing(p)).standing is Standing.MISSING:
        return ctx.t("%(label)s (overdue)", label=label)
    return label


@on_choice(Act.SUBMIT_MORE, Access.SUBMITTER)
async def act_submit_more(ctx: Ctx, payload: dict[str, Any]) -> list[Reply]:
    owed = await plan.owed(ctx.uow, ctx.me.agency_id, ctx.now)
    if len(owed) <= FIRST_PAGE:
        return (
            await _offer_periods(ctx, owed, 0)
            if owed
            else ctx.reply(ctx.t("%(agency)s owes no open report right now.", agency=ctx.me.agency_name))
        )
    return await _offer_periods(ctx, owed, FIRST_PAGE)


@on_choice(Act.SUBMIT_PICK, Access.SUBMITTER)
async def act_submit_pick(ctx: Ctx, payload: dict[str, Any]) -> list[Reply]:
    return await _ask_confirmation(ctx, int(payload["period_id"]), {})


async def _ask_confirmation(
    ctx: Ctx, period_id: int, data: dict[str, Any], known: list[AgencyPeriod] | None = None
) -> list[Reply]:
    owed = {
        p.period.id: p for p in (known if known is not None else await plan.owed(ctx.uow, ctx.me.agency_id, ctx.now))
    }
    p = owed.get(period_id)
    if p is None:
        await ctx.forget()
        return ctx.reply(ctx.t("This report is already confirmed or no longer owed."))
    data = {**data, "period_id": period_id}
    await ctx.remember(Flow.SUBMIT, data)
    lines = [ctx.t("%(label)s — deadline %(due)s.", label=p.period.label, due=format_day(p.period.due_at, ctx.lang))]
    if data.get("document_number"):
        lines.append(ctx.t("Document number: %(doc)s", doc=data["document_number"]))
    if data.get("file_ref"):
        lines.append(ctx.t("Report file attached."))
    lines.append(
        ctx.t(
            "You may send the document number (for example %(example)s) or the report file, then confirm.",
            example=messages.example_document(ctx.me.agency_code),
        )
    )
    choices = await ctx.choices(
        [
            (ctx.t("Confirm: report sent"), Act.SUBMIT_CONFIRM, {"period_id": period_id}),
            (ctx.t("Cancel"), Act.CANCEL, {}),
        ]
    )
    return ctx.reply("\n".join(lines), choices)


def _not_a_document_number(ctx: Ctx, text: str) -> list[Reply]:
    return ctx.reply(
        ctx.t(
            "“%(text)s” does not look like a document number (for example %(example)s).",
            text=text[:80],
            example=messages.example_document(ctx.me.agency_code),
        )
    )


@in_flow(Flow.SUBMIT, Access.SUBMITTER)
async def flow_submit(ctx: Ctx, data: dict[str, Any], event: Incoming) -> list[Reply]:
    """Text or a file while /danop waits for confirmation."""
    if event.file is not None:
        return await _ask_confirmation(ctx, int(data["period_id"]), {**data, "file_ref": event.file.ref})
    doc = parse_document_number(event.text)
    if doc is None:
        return _not_a_document_number(ctx, event.text)
    return await _ask_confirmation(ctx, int(data["period_id"]), {**data, "document_number": doc})


@on_choice(Act.SUBMIT_CONFIRM, Access.SUBMITTER, single_use=True)
async def act_submit_confirm(ctx: Ctx, payload: dict[str, Any]) -> list[Reply]:
    state = await ctx.state()
    same = state and state[0] == Flow.SUBMIT and state[1].get("period_id") == payload["period_id"]
    data = state[1] if state and same else {}
    await ctx.forget()
    receipt = await _submit(ctx, int(payload["period_id"]), data.get("document_number"), data.get("file_ref"))
    if isinstance(receipt, list):
        return receipt
    lines = [_recorded(ctx, receipt)]
    if receipt.document_number:
        lines.append(ctx.t("Document number: %(doc)s", doc=receipt.document_number))
    if receipt.file_attached:
        lines.append(ctx.t("Report file attached."))
    lines.append(ctx.t("Reminders for this report have stopped. To undo within 24 hours: /huynop."))
    return ctx.reply("\n".join(lines))


async def _submit(
    ctx: Ctx, period_id: int, document_number: str | None = None, file_ref: str | None = None
) -> SubmissionReceipt | list[Reply]:
    """Confirm the period for the person's agency; a refusal comes back as the reply to send."""
    try:
        receipt = await submissions.submit(
            ctx.uow, ctx.actor, ctx.me.agency_id, period_id, ctx.now, ctx.rules, document_number, file_ref
        )
    except errors.AlreadySubmitted:
        return ctx.reply(ctx.t("This report was already confirmed earlier."))
    except errors.DomainError:
        return ctx.reply(ctx.t("This report is already confirmed or no longer owed."))
    ctx.effects.queued = ctx.effects.periods_changed = True  # the agency's copies are updated, reminders stop
    return receipt


def _recorded(ctx: Ctx, receipt: SubmissionReceipt) -> str:
    return ctx.t(
        "Recorded: %(agency)s sent %(label)s at %(when)s — %(state)s.",
        agency=ctx.me.agency_name,
        label=messages.in_sentence(receipt.period.label),
        when=format_instant(receipt.confirmed_at, ctx.lang),
        state=ctx.t("late") if receipt.late else ctx.t("on time"),
    )


# ------------------------------------------------------------------ the reminder's own choices


@on_choice(REMIND_SUBMIT, Access.SUBMITTER)
async def act_remind_submit(ctx: Ctx, payload: dict[str, Any]) -> list[Reply]:
    """ "Đã nộp báo cáo" on a reminder: confirm exactly that period, then offer the document number."""
    receipt = await _submit(ctx, int(payload["period_id"]))
    if isinstance(receipt, list):
        return receipt
    await ctx.remember(Flow.SUBMIT_DOC, {"submission_id": receipt.submission_id})
    lines = [
        _recorded(ctx, receipt),
        ctx.t(
            "You may send the document number (for example %(example)s), or choose “Skip”.",
            example=messages.example_document(ctx.me.agency_code),
        ),
    ]
    choices = await ctx.choices([(ctx.t("Skip"), Act.SUBMIT_SKIP, {})])
    return ctx.reply("\n".join(lines), choices)


@on_choice(Act.SUBMIT_SKIP, Access.SUBMITTER, single_use=True)
async def act_submit_skip(ctx: Ctx, payload: dict[str, Any]) -> list[Reply]:
    await ctx.forget()
    return ctx.reply(ctx.t("Reminders for this report have stopped. To undo within 24 hours: /huynop."))


@in_flow(Flow.SUBMIT_DOC, Access.SUBMITTER)
async def flow_submit_doc(ctx: Ctx, data: dict[str, Any], event: Incoming) -> list[Reply]:
    """The document number after a confirmation from a reminder's button."""
    doc = parse_document_number(event.text)
    if doc is None:
        return _not_a_document_number(ctx, event.text)
    await ctx.forget()
    if not await submissions.set_document(ctx.uow, ctx.actor, int(data["submission_id"]), doc):
        return ctx.reply(ctx.t("This report is already confirmed or no longer owed."))
    return ctx.reply(
        ctx.t("Document number: %(doc)s", doc=doc)
        + "\n"
        + ctx.t("Reminders for this report have stopped. To undo within 24 hours: /huynop.")
    )


@on_choice(REMIND_ACK, Access.MEMBER)
async def act_remind_ack(ctx: Ctx, payload: dict[str, Any]) -> list[Reply]:
    """ "Đã nhận" on a reminder: recorded once per delivery."""
    if await reminder_actions.acknowledge(ctx.uow, ctx.me.account_id, str(payload["key"]), ctx.now):
        return ctx.reply(ctx.t("Thank you: recorded that you have received the reminder."))
    return ctx.reply(ctx.t("Already recorded: you have received this reminder."))


# ------------------------------------------------------------------ /huynop


@handles("huynop")
async def cmd_undo(ctx: Ctx, args: str) -> list[Reply]:
    """/huynop: undo a confirmation made in the last 24 hours."""
    recent = await submissions.recent(ctx.uow, ctx.me.agency_id, ctx.now, ctx.rules)
    if not recent:
        return ctx.reply(ctx.t("There is no confirmation from the last 24 hours to undo."))
    choices = await ctx.choices([(p.period.label, Act.UNDO, {"period_id": p.period.id}) for p in recent])
    return ctx.reply(ctx.t("Which confirmation should be undone?"), choices)


@on_choice(Act.UNDO, Access.SUBMITTER, single_use=True)
async def act_undo(ctx: Ctx, payload: dict[str, Any]) -> list[Reply]:
    try:
        period = await submissions.undo(ctx.uow, ctx.actor, int(payload["period_id"]), ctx.now, ctx.rules)
    except errors.UndoTooLate:
        return ctx.reply(ctx.t("A confirmation can only be undone within 24 hours."))
    except errors.NothingToUndo:
        return ctx.reply(ctx.t("There is no confirmation from the last 24 hours to undo."))
    ctx.effects.periods_changed = True
    return ctx.reply(
        ctx.t(
            "The confirmation of %(label)s has been undone; reminders resume.",
            label=messages.in_sentence(period.label),
        )
    )


# ------------------------------------------------------------------ /ngonngu


@handles("ngonngu")
async def cmd_language(ctx: Ctx, args: str) -> list[Reply]:
    choices = await ctx.choices(
        [("Tiếng Việt", Act.LANGUAGE, {"lang": "vi"}), ("English", Act.LANGUAGE, {"lang": "en"})]
    )
    return ctx.reply(ctx.t("Choose your language:"), choices)


@on_choice(Act.LANGUAGE, Access.MEMBER)
async def act_language(ctx: Ctx, payload: dict[str, Any]) -> list[Reply]:
    try:
        ctx.account = await accounts.set_language(ctx.uow, ctx.me, str(payload.get("lang")))
    except errors.NotAllowed:
        return ctx.reply(ctx.t("This choice is not valid or has expired."))
    return ctx.reply(ctx.t("Language set: English.") if ctx.lang == "en" else ctx.t("Language set: Tiếng Việt."))


# ------------------------------------------------------------------ /kenh and /lienket


@handles("kenh")
async def cmd_channel(ctx: Ctx, args: str) -> list[Reply]:
    """/kenh: choose which of the person's chat accounts receives reminders."""
    mine = await accounts.accounts_of(ctx.uow, ctx.me)
    if len(mine) < 2:
        return ctx.reply(ctx.t("You have only one chat account. To add Telegram or Zalo, send /lienket."))
    lines = [ctx.t("Reminders go to one of your chat accounts. Choose which:")]
    options: list[tuple[str, str, dict[str, Any]]] = []
    for a in mine:
        name = PLATFORM_NAMES[a.platform]
        lines.append(f"• {name}" + (f" — {ctx.t('current')}" if a.preferred else ""))
        options.append((name, Act.CHANNEL, {"account_id": a.account_id}))
    return ctx.reply("\n".join(lines), await ctx.choices(options))


@on_choice(Act.CHANNEL, Access.MEMBER, single_use=True)
async def act_channel(ctx: Ctx, payload: dict[str, Any]) -> list[Reply]:
    try:
        platform = await accounts.set_channel(ctx.uow, ctx.me, int(payload.get("account_id", 0)))
    except errors.NotAllowed:
        return ctx.reply(ctx.t("This choice is not valid or has expired."))
    return ctx.reply(ctx.t("Reminders will now go to %(channel)s.", channel=PLATFORM_NAMES[platform]))


@handles("lienket")
async def cmd_link(ctx: Ctx, args: str) -> list[Reply]:
    """/lienket: a one-time code to add this person's account on another platform."""
    inv = await accounts.create_link_code(ctx.uow, ctx.me, ctx.now, ctx.rules)
    return ctx.reply(
        ctx.t(
            "On the other app (Telegram or Zalo), send this to the Nhắc việc bot: /dangky %(code)s\n"
            "The code is valid until %(when)s and can be used once.",
            code=inv.code,
            when=format_instant(inv.expires_at, ctx.lang),
        )
    )


# ------------------------------------------------------------------ /web


@handles("web")
async def cmd_web(ctx: Ctx, args: str) -> list[Reply]:
    """/web: a one-time link to the dashboard, valid ten minutes."""
    if ctx.web_link("") is None:
        return ctx.reply(ctx.t("The web dashboard is not switched on for this service."))
    token = await web_access.login_link(ctx.uow, ctx.me, ctx.now)
    return ctx.reply(
        ctx.t(
            "Your sign-in link to the web dashboard, for one use, valid until %(when)s. Do not forward it:\n%(link)s",
            when=format_instant(ctx.now + web_access.LOGIN_TTL, ctx.lang),
            link=ctx.web_link(token) or "",
        )
    )
