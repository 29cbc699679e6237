"""/danop and the reminder's own choices: confirming a report (with its document number or file), and
"Đã nhận" on a reminder."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from core import bundles, errors, messages
from core.conversation.commands import Access
from core.conversation.context import Act, Ctx, Flow
from core.conversation.events import FileRef, Incoming, Reply
from core.conversation.parse import parse_document_number
from core.conversation.router import Router
from core.i18n import format_day, format_instant
from core.types import AgencyPeriod, Platform, ReportFile, Standing, SubmissionReceipt
from core.usecases import plan, reminder_actions, report_files, submissions, web_access
from core.usecases.reminder_actions import REMIND_ACK, REMIND_SUBMIT

router = Router("submit")
NO_FILES = frozenset({Platform.ZALO})  # apps whose Bot API gives the bot no documents (only pictures)


FIRST_PAGE = 4  # periods /danop offers before "older"


@router.command("danop")
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
    overdue = (await ctx.standing(p)).standing is Standing.MISSING
    if plans > 1:  # with its plan, in the form every list uses: "Báo cáo quý I/2026 (KH 08/KH-UBND)"
        if overdue:
            return ctx.t("%(label)s (Plan %(plan)s, overdue)", label=p.period.label, plan=p.period.plan_number)
        return bundles.short_name(ctx.lang, p.period.label, p.period.plan_number)
    return ctx.t("%(label)s (overdue)", label=p.period.label) if overdue else p.period.label


@router.choice(Act.SUBMIT_MORE, Access.SUBMITTER)
async def act_submit_more(ctx: Ctx, payload: dict[str, Any]) -> list[Reply]:
    owed = await plan.owed(ctx.uow, ctx.me.agency_id, ctx.now)
    if len(owed) <= FIRST_PAGE:
        return (
            await _offer_periods(ctx, owed, 0)
            if owed
            else ctx.reply(ctx.t("%(agency)s owes no open report right now.", agency=ctx.me.agency_name))
        )
    return await _offer_periods(ctx, owed, FIRST_PAGE)


@router.choice(Act.SUBMIT_PICK, Access.SUBMITTER)
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
    if data.get("file_name"):
        lines.append(ctx.t("Report file received: %(name)s", name=data["file_name"]))
    elif data.get("file_ref"):
        lines.append(ctx.t("Report file attached."))
    if carries_files(ctx):
        lines.append(
            ctx.t(
                "You may send the document number (for example %(example)s) or the report file, then confirm.",
                example=messages.example_document(ctx.me.agency_code),
            )
        )
    else:
        lines.append(
            ctx.t(
                "You may send the document number (for example %(example)s), then confirm.",
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


@router.flow(Flow.SUBMIT, Access.SUBMITTER)
async def flow_submit(ctx: Ctx, data: dict[str, Any], event: Incoming) -> list[Reply]:
    """Text or a file while /danop waits for confirmation."""
    if event.file is not None:
        return await _received_file(ctx, data, event.file)
    doc = parse_document_number(event.text)
    if doc is None:
        return _not_a_document_number(ctx, event.text)
    return await _ask_confirmation(ctx, int(data["period_id"]), {**data, "document_number": doc})


@router.choice(Act.SUBMIT_CONFIRM, Access.SUBMITTER, single_use=True)
async def act_submit_confirm(ctx: Ctx, payload: dict[str, Any]) -> list[Reply]:
    state = await ctx.state()
    same = state and state[0] == Flow.SUBMIT and state[1].get("period_id") == payload["period_id"]
    data = state[1] if state and same else {}
    await ctx.forget()
    receipt = await _submit(
        ctx, int(payload["period_id"]), data.get("document_number"), data.get("file_ref"), data.get("file_id")
    )
    if isinstance(receipt, list):
        return receipt
    lines = [_recorded(ctx, receipt)]
    if receipt.document_number:
        lines.append(ctx.t("Document number: %(doc)s", doc=receipt.document_number))
    if receipt.file_attached:
        lines.append(ctx.t("Report file attached."))
    else:
        lines.extend(await _upload_link(ctx, receipt))
    lines.append(ctx.t("Reminders for this report have stopped. To undo within 24 hours: /huynop."))
    return ctx.reply("\n".join(lines))


def carries_files(ctx: Ctx) -> bool:
    """Whether the person's app lets the bot have the files sent to it (Zalo's Bot API delivers none)."""
    return ctx.incoming.sender.platform not in NO_FILES


async def _received_file(ctx: Ctx, data: dict[str, Any], file: FileRef) -> list[Reply]:
    """A file at /danop's confirmation: kept at once (judged first), then carried by the confirmation."""
    period_id = int(data["period_id"])
    kept = await _take(ctx, period_id, file, report_files.receive)
    if isinstance(kept, list):
        return kept
    return await _ask_confirmation(ctx, period_id, {**data, "file_id": kept.id, "file_name": kept.name})


async def _file_after(ctx: Ctx, data: dict[str, Any], file: FileRef) -> list[Reply]:
    """The report file sent after a confirmation from a reminder's button: it joins the confirmation."""

    async def join(*args: Any) -> ReportFile:
        return (await report_files.deliver(*args)).file

    if "period_id" not in data:  # a step kept before files were taken there
        await ctx.forget()
        return ctx.reply(ctx.t("To attach a report file, first choose the report with /danop."))
    kept = await _take(ctx, int(data["period_id"]), file, join)
    if isinstance(kept, list):
        return kept
    await ctx.forget()
    lines = [ctx.t("Report file received: %(name)s", name=kept.name), ctx.t("Report file attached.")]
    return ctx.reply("\n".join(lines))


async def _take(
    ctx: Ctx, period_id: int, file: FileRef, keep: Callable[..., Awaitable[ReportFile]]
) -> ReportFile | list[Reply]:
    """The file the person sent, kept by ``keep`` (``report_files.receive``, or one that also joins it to the
    confirmation), or the reply that says why it is not."""
    if file.data is None:
        if file.problem == "too_large":
            return ctx.reply(_refusal(ctx, errors.FileRefused("too_large", ctx.rules.file_limit_mb)))
        if file.problem == "unavailable":
            return ctx.reply(ctx.t("The file could not be received from the app just now. Please send it again."))
        return ctx.reply(  # a picture on Zalo: the app gives the bot no document
            ctx.t("This app cannot pass report files to me. Confirm first; I will then send a link to upload it.")
        )
    try:
        return await keep(
            ctx.uow, ctx.actor, ctx.me.agency_id, period_id, file.name, file.data, ctx.now, ctx.rules,
            ctx.incoming.sender.platform.value,
        )  # fmt: skip
    except errors.FileRefused as exc:
        return ctx.reply(_refusal(ctx, exc))
    except errors.DomainError:
        await ctx.forget()
        return ctx.reply(ctx.t("This report is already confirmed or no longer owed."))


def _refusal(ctx: Ctx, exc: errors.FileRefused) -> str:
    return messages.file_refused(ctx.lang, exc.reason, exc.limit)


async def _upload_link(ctx: Ctx, receipt: SubmissionReceipt) -> list[str]:
    """For an app that cannot carry files: a one-time link to the dashboard's cell of the agency and period, where
    the file is uploaded."""
    if carries_files(ctx) or ctx.web_link("") is None:
        return []
    token = await web_access.login_link(ctx.uow, ctx.me, ctx.now, web_access.UPLOAD_TTL)
    where = quote(f"/o/{receipt.period.id}/{ctx.me.agency_code}", safe="")
    return [
        ctx.t(
            "To attach the report file, open this link (for one use, until %(when)s) and upload it there:\n%(link)s",
            when=format_instant(ctx.now + web_access.UPLOAD_TTL, ctx.lang),
            link=f"{ctx.web_link(token)}&next={where}",
        )
    ]


async def _submit(
    ctx: Ctx,
    period_id: int,
    document_number: str | None = None,
    file_ref: str | None = None,
    file_id: int | None = None,
) -> SubmissionReceipt | list[Reply]:
    """Confirm the period for the person's agency; a refusal comes back as the reply to send."""
    try:
        receipt = await submissions.submit(
            ctx.uow, ctx.actor, ctx.me.agency_id, period_id, ctx.now, ctx.rules, document_number, file_ref, file_id
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


@router.choice(REMIND_SUBMIT, Access.SUBMITTER)
async def act_remind_submit(ctx: Ctx, payload: dict[str, Any]) -> list[Reply]:
    """ "Đã nộp báo cáo" on a reminder: confirm exactly that period, then offer the document number."""
    receipt = await _submit(ctx, int(payload["period_id"]))
    if isinstance(receipt, list):
        return receipt
    await ctx.remember(Flow.SUBMIT_DOC, {"submission_id": receipt.submission_id, "period_id": receipt.period.id})
    lines = [
        _recorded(ctx, receipt),
        *await _upload_link(ctx, receipt),
        ctx.t(
            "You may send the document number (for example %(example)s) or the report file, or choose “Skip”.",
            example=messages.example_document(ctx.me.agency_code),
        )
        if carries_files(ctx)
        else ctx.t(
            "You may send the document number (for example %(example)s), or choose “Skip”.",
            example=messages.example_document(ctx.me.agency_code),
        ),
    ]
    choices = await ctx.choices([(ctx.t("Skip"), Act.SUBMIT_SKIP, {})])
    return ctx.reply("\n".join(lines), choices)


@router.choice(Act.SUBMIT_SKIP, Access.SUBMITTER, single_use=True)
async def act_submit_skip(ctx: Ctx, payload: dict[str, Any]) -> list[Reply]:
    await ctx.forget()
    return ctx.reply(ctx.t("Reminders for this report have stopped. To undo within 24 hours: /huynop."))


@router.flow(Flow.SUBMIT_DOC, Access.SUBMITTER)
async def flow_submit_doc(ctx: Ctx, data: dict[str, Any], event: Incoming) -> list[Reply]:
    """The document number (or, on an app that carries files, the report file) after a confirmation from a
    reminder's button."""
    if event.file is not None:
        return await _file_after(ctx, data, event.file)
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


@router.choice(REMIND_ACK, Access.MEMBER)
async def act_remind_ack(ctx: Ctx, payload: dict[str, Any]) -> list[Reply]:
    """ "Đã nhận" on a reminder: recorded once per delivery."""
    if await reminder_actions.acknowledge(ctx.uow, ctx.me.account_id, str(payload["key"]), ctx.now):
        return ctx.reply(ctx.t("Thank you: recorded that you have received the reminder."))
    return ctx.reply(ctx.t("Already recorded: you have received this reminder."))
