"""/dulieu and /xoadulieu: a person sees everything held about them and has it erased; the notice registration
shows (see ``core.usecases.privacy``)."""

from __future__ import annotations

from typing import Any

from core import messages
from core.conversation.commands import Access
from core.conversation.context import Act, Ctx
from core.conversation.events import Reply
from core.conversation.router import Router
from core.i18n import format_day, format_instant
from core.types import Platform
from core.usecases import privacy

router = Router("privacy")

APPS = {Platform.TELEGRAM: "Telegram", Platform.ZALO: "Zalo", Platform.CONSOLE: "Console"}


async def notice(ctx: Ctx) -> str:
    """What is processed, by whom, why, for how long, and the person's rights (shown at registration)."""
    return ctx.t(
        "About your personal data: %(controller)s processes your full name, position, agency, chat account "
        "identifiers, language and the messages sent to you, only to remind your agency of the reports the "
        "province's plans require. Message texts are kept %(days)d days, the record of actions %(years)d years. "
        "You can see everything held about you with /dulieu and ask for it to be erased with /xoadulieu "
        "(Law on Personal Data Protection 2025).",
        controller=await privacy.controller(ctx.uow, ctx.rules),
        days=ctx.rules.text_retention.days,
        years=ctx.rules.audit_retention_years,
    )


@router.command("dulieu")
async def cmd_data(ctx: Ctx, args: str) -> list[Reply]:
    """/dulieu: everything the service holds about this person."""
    d = await privacy.held(ctx.uow, ctx.me.person_id)
    here, blocked = ctx.t("reminders go here"), ctx.t("bot blocked")
    apps = "; ".join(
        APPS[a.platform]
        + (f" ({here})" if a.receives else "")
        + (f" ({blocked})" if a.blocked else "")
        + ", "
        + ctx.t("registered on %(day)s", day=format_day(a.registered_at, ctx.lang))
        for a in d.accounts
        if a.active
    )
    lines = [
        ctx.t("Your personal data held by the reminder service:"),
        "• " + ctx.t("Full name: %(name)s", name=d.name),
        "• " + ctx.t("Position: %(title)s", title=d.title or "—"),
        "• " + ctx.t("Agency: %(agency)s", agency=d.agency_name),
        "• " + ctx.t("Role: %(role)s", role=ctx.t(messages.PERSON_ROLES[d.role])),
        "• " + ctx.t("Chat accounts: %(apps)s", apps=apps or "—"),
        "• " + ctx.t("Language: %(language)s", language="English" if ctx.lang == "en" else "Tiếng Việt"),
        "• "
        + ctx.t(
            "Messages sent to you: %(sent)d (texts still kept: %(kept)d); marked as read: %(read)d",
            sent=d.messages_sent,
            kept=d.messages_kept,
            read=d.messages_acknowledged,
        ),
        "• " + ctx.t("Dashboard sign-ins: %(n)d", n=d.web_sign_ins),
    ]
    done = [s for s in d.submissions if not s.undone]
    lines.append("• " + ctx.t("Reports you confirmed as sent: %(n)d", n=len(done)))
    lines += [f"  – {s.label}: {format_instant(s.confirmed_at, ctx.lang)}" for s in done[-10:]]
    if d.files_sent:
        lines.append(
            "• "
            + ctx.t(
                "Report files you sent: %(n)d (your agency's documents: they stay if your data is erased)",
                n=d.files_sent,
            )
        )
    lines.append(
        ctx.t(
            "Processed by %(controller)s. To have your data erased, send /xoadulieu.",
            controller=await privacy.controller(ctx.uow, ctx.rules),
        )
    )
    return ctx.reply("\n".join(lines))


@router.command("xoadulieu")
async def cmd_erase(ctx: Ctx, args: str) -> list[Reply]:
    """/xoadulieu: say what erasing does, and ask for confirmation."""
    placeholder = privacy.PLACEHOLDER[ctx.me.role]
    text = ctx.t(
        "You ask for your personal data to be erased: your full name, position, chat account identifiers and the "
        "texts of the messages sent to you will be erased everywhere; your accounts stop and you will receive no "
        'more reminders. Your agency\'s reporting history stays, naming you "%(placeholder)s". '
        "This cannot be undone. Erase your data?",
        placeholder=placeholder,
    )
    choices = await ctx.choices([(ctx.t("Erase my data"), Act.ERASE, {}), (ctx.t("Cancel"), Act.CANCEL, {})])
    return ctx.reply(text, choices)


@router.choice(Act.ERASE, Access.MEMBER, single_use=True)
async def act_erase(ctx: Ctx, payload: dict[str, Any]) -> list[Reply]:
    await privacy.erase_own(ctx.uow, ctx.me, ctx.now)
    return ctx.reply(
        ctx.t(
            "Your personal data has been erased and this account no longer receives messages from the reminder "
            "service. To use it again, ask Sở Nội vụ for a new registration code."
        )
    )
