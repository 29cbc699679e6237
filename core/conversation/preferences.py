"""/ngonngu, /kenh, /lienket and /web: the person's language, the app reminders go to, linking the other
app, and a sign-in link to the dashboard."""

from __future__ import annotations

from typing import Any

from core import errors
from core.conversation.commands import Access
from core.conversation.context import Act, Ctx
from core.conversation.events import Reply
from core.conversation.router import Router
from core.i18n import format_instant
from core.types import Platform
from core.usecases import accounts, web_access

router = Router("preferences")


PLATFORM_NAMES = {Platform.TELEGRAM: "Telegram", Platform.ZALO: "Zalo", Platform.CONSOLE: "Console"}


@router.command("ngonngu")
async def cmd_language(ctx: Ctx, args: str) -> list[Reply]:
    choices = await ctx.choices(
        [("Tiếng Việt", Act.LANGUAGE, {"lang": "vi"}), ("English", Act.LANGUAGE, {"lang": "en"})]
    )
    return ctx.reply(ctx.t("Choose your language:"), choices)


@router.choice(Act.LANGUAGE, Access.MEMBER)
async def act_language(ctx: Ctx, payload: dict[str, Any]) -> list[Reply]:
    try:
        ctx.account = await accounts.set_language(ctx.uow, ctx.me, str(payload.get("lang")))
    except errors.NotAllowed:
        return ctx.reply(ctx.t("This choice is not valid or has expired."))
    return ctx.reply(ctx.t("Language set: English.") if ctx.lang == "en" else ctx.t("Language set: Tiếng Việt."))


@router.command("kenh")
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


@router.choice(Act.CHANNEL, Access.MEMBER, single_use=True)
async def act_channel(ctx: Ctx, payload: dict[str, Any]) -> list[Reply]:
    try:
        platform = await accounts.set_channel(ctx.uow, ctx.me, int(payload.get("account_id", 0)))
    except errors.NotAllowed:
        return ctx.reply(ctx.t("This choice is not valid or has expired."))
    return ctx.reply(ctx.t("Reminders will now go to %(channel)s.", channel=PLATFORM_NAMES[platform]))


@router.command("lienket")
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


@router.command("web")
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
