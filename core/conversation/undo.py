"""/huynop: undoing a confirmation within the undo window."""

from __future__ import annotations

from typing import Any

from core import errors, messages
from core.conversation.commands import Access
from core.conversation.context import Act, Ctx
from core.conversation.events import Reply
from core.conversation.router import Router
from core.usecases import submissions

router = Router("undo")


@router.command("huynop")
async def cmd_undo(ctx: Ctx, args: str) -> list[Reply]:
    """/huynop: undo a confirmation made in the last 24 hours."""
    recent = await submissions.recent(ctx.uow, ctx.me.agency_id, ctx.now, ctx.rules)
    if not recent:
        return ctx.reply(ctx.t("There is no confirmation from the last 24 hours to undo."))
    choices = await ctx.choices([(p.period.label, Act.UNDO, {"period_id": p.period.id}) for p in recent])
    return ctx.reply(ctx.t("Which confirmation should be undone?"), choices)


@router.choice(Act.UNDO, Access.SUBMITTER, single_use=True)
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
