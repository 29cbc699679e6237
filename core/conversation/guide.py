"""/huongdan: what the bot does and the commands this person may use; cancelling a step in progress."""

from __future__ import annotations

from typing import Any

from core.conversation.commands import COMMANDS, Access
from core.conversation.context import Act, Ctx
from core.conversation.events import Reply
from core.conversation.router import Router
from core.types import Role

router = Router("guide")


async def cancel(ctx: Ctx) -> list[Reply]:
    await ctx.forget()
    return ctx.reply(ctx.t("Cancelled."))


@router.choice(Act.CANCEL, Access.MEMBER, single_use=True)
async def act_cancel(ctx: Ctx, payload: dict[str, Any]) -> list[Reply]:
    return await cancel(ctx)


@router.command("huongdan")
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
