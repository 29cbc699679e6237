"""The conversation core: who is speaking, what they may do, which handler answers.

Permissions are checked here on every event — commands, buttons and numbered picks alike — from the
database's current view of the account, never from anything the platform sent back.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from core.conversation import admin, user
from core.conversation.context import Ctx
from core.conversation.events import EventKind, Incoming, Reply
from core.conversation.parse import MAX_TEXT, normalise, parse_number, parse_plain_command
from core.conversation.ports import Notifier, Store, StoreError
from core.deadlines import utcnow
from core.types import Role

log = logging.getLogger(__name__)

Handler = Callable[[Ctx, str], Awaitable[list[Reply]]]
Action = Callable[[Ctx, dict[str, Any]], Awaitable[list[Reply]]]
Flow = Callable[[Ctx, dict[str, Any], Incoming], Awaitable[list[Reply]]]


class Access(enum.Enum):
    ANYONE = 0  # even unregistered
    MEMBER = 1  # any registered person
    SUBMITTER = 2  # focal person, leader or admin of the agency
    ADMIN = 3  # Sở Nội vụ admin


COMMANDS: dict[str, tuple[Handler, Access]] = {
    "huongdan": (user.cmd_help, Access.ANYONE),
    "nhiemvu": (user.cmd_tasks, Access.MEMBER),
    "hanbaocao": (user.cmd_deadlines, Access.MEMBER),
    "trangthai": (user.cmd_status, Access.MEMBER),
    "ngonngu": (user.cmd_language, Access.MEMBER),
    "danop": (user.cmd_submit, Access.SUBMITTER),
    "huynop": (user.cmd_undo, Access.SUBMITTER),
    "kenh": (user.cmd_channel, Access.MEMBER),
    "lienket": (user.cmd_link, Access.MEMBER),
    "tonghop": (admin.cmd_overview, Access.ADMIN),
    "nhacnho": (admin.cmd_nudge, Access.ADMIN),
    "thongbao": (admin.cmd_broadcast, Access.ADMIN),
    "thongbao_ds": (admin.cmd_notices, Access.ADMIN),
    "dotxuat": (admin.cmd_adhoc, Access.ADMIN),
    "xuat": (admin.cmd_export, Access.ADMIN),
    "moi": (admin.cmd_invite, Access.ADMIN),
}
KNOWN = {*COMMANDS, "start", "dangky", "huy"}
# action → (handler, access, single use)
ACTIONS: dict[str, tuple[Action, Access, bool]] = {
    "task": (user.act_task, Access.MEMBER, False),
    "submit_pick": (user.act_submit_pick, Access.SUBMITTER, False),
    "submit_confirm": (user.act_submit_confirm, Access.SUBMITTER, True),
    "undo": (user.act_undo, Access.SUBMITTER, True),
    "language": (user.act_language, Access.MEMBER, False),
    "channel": (user.act_channel, Access.MEMBER, True),
    "ack": (admin.act_ack, Access.MEMBER, False),
    "audience": (admin.act_audience, Access.ADMIN, True),
    "broadcast_send": (admin.act_broadcast_send, Access.ADMIN, True),
    "adhoc_create": (admin.act_adhoc_create, Access.ADMIN, True),
    "cancel": (lambda ctx, payload: _cancel(ctx), Access.MEMBER, True),
}
FLOWS: dict[str, tuple[Flow, Access]] = {
    "submit": (user.flow_submit, Access.SUBMITTER),
    "broadcast": (admin.flow_broadcast, Access.ADMIN),
    "adhoc": (admin.flow_adhoc, Access.ADMIN),
}
SINGLE_USE = frozenset(name for name, (_, _, once) in ACTIONS.items() if once)


def role_name(ctx: Ctx, role: Role) -> str:
    if role is Role.ADMIN:
        return ctx.t("Sở Nội vụ admin")
    return ctx.t("agency leader") if role is Role.LEADER else ctx.t("focal person")


def _allowed(ctx: Ctx, access: Access) -> bool:
    if access is Access.ANYONE:
        return True
    if ctx.account is None:
        return False
    if access is Access.ADMIN:
        return ctx.account.role is Role.ADMIN
    return True  # MEMBER and SUBMITTER: every registered role may read and confirm for its own agency


async def _cancel(ctx: Ctx) -> list[Reply]:
    await ctx.store.clear_state(ctx.me.account_id)
    return ctx.reply(ctx.t("Cancelled."))


class Conversation:
    def __init__(
        self,
        store: Store,
        notifier: Notifier,
        bot_username: str | None = None,
        clock: Callable[[], Any] = utcnow,
    ) -> None:
        self.store = store
        self.notifier = notifier
        self.bot_username = bot_username
        self.clock = clock

    async def handle(self, event: Incoming) -> list[Reply]:
        """Answer one event. Never raises: an unexpected error is logged and the person is told."""
        ctx = Ctx(self.store, self.notifier, event, None, self.clock(), self.bot_username)
        try:
            ctx.account = await self.store.account(event.sender)
            return await self._dispatch(ctx, event)
        except Exception:
            log.exception(
                "error handling %s from %s:%s (command %r)",
                event.kind.value,
                event.sender.platform.value,
                event.sender.user_id,
                event.command,
            )
            return ctx.reply(ctx.t("Sorry, something went wrong. Please try again later."))

    async def _dispatch(self, ctx: Ctx, event: Incoming) -> list[Reply]:
        if not event.sender.private:
            return ctx.reply(ctx.t("Please message me privately: I only answer in a private chat."))
        if event.kind is EventKind.EDITED:
            return ctx.reply(ctx.t("I do not read edited messages; please send it again."))
        if event.kind is EventKind.UNSUPPORTED:
            return ctx.reply(ctx.t("I can only read text commands and report files. Send /huongdan for help."))
        if len(event.text) > MAX_TEXT or len(event.args) > MAX_TEXT:
            return ctx.reply(ctx.t("The message is too long; please send something shorter."))
        if event.kind is EventKind.COMMAND:
            return await self._command(ctx, event.command or "", normalise(event.args))
        if event.kind is EventKind.CHOICE:
            return await self._choice(ctx, event.token or "")
        state = await self.store.get_state(ctx.account.account_id, ctx.now) if ctx.account else None
        if event.kind is EventKind.TEXT and state is None:  # "đã nộp", "nhiem vu": commands typed as words
            plain = parse_plain_command(event.text, KNOWN)
            if plain is not None:
                return await self._command(ctx, plain[0], plain[1])
        if ctx.account is None:
            return self._unregistered(ctx)
        number = parse_number(event.text) if event.kind is EventKind.TEXT else None
        if number is not None:  # "2": a pick from the last numbered list (channels without buttons)
            token = await self.store.pick_from_menu(ctx.me.account_id, number, ctx.now)
            if token is not None:
                return await self._choice(ctx, token)
            if state is None:
                return ctx.reply(ctx.t("There is no list to choose from, or no item %(n)d in it.", n=number))
        if state is not None and state[0] in FLOWS:
            flow, access = FLOWS[state[0]]
            if not _allowed(ctx, access):
                await self.store.clear_state(ctx.me.account_id)
                return ctx.reply(ctx.t("You are not allowed to do this."))
            clean = Incoming(event.sender, event.kind, text=normalise(event.text), file=event.file)
            return await flow(ctx, state[1], clean)
        if event.kind is EventKind.FILE:
            return ctx.reply(ctx.t("To attach a report file, first choose the report with /danop."))
        return ctx.reply(ctx.t("I did not understand. Send /huongdan to see what I can do."))

    def _unregistered(self, ctx: Ctx) -> list[Reply]:
        return ctx.reply(
            ctx.t(
                "You are not registered yet. Ask Sở Nội vụ for a registration code, then send /dangky CODE "
                "(for example /dangky K7Q2M9XHB4TZ8WNA)."
            )
        )

    async def _command(self, ctx: Ctx, name: str, args: str) -> list[Reply]:
        if name in ("start", "dangky"):
            return await self._register(ctx, name, args)
        if name == "huy":
            return await _cancel(ctx) if ctx.account else self._unregistered(ctx)
        entry = COMMANDS.get(name)
        if entry is None:
            return ctx.reply(ctx.t("Unknown command /%(name)s. Send /huongdan to see the commands.", name=name[:32]))
        handler, access = entry
        if ctx.account is None and access is not Access.ANYONE:
            return self._unregistered(ctx)
        if not _allowed(ctx, access):
            return ctx.reply(ctx.t("This command is for Sở Nội vụ admins only."))
        if ctx.account is not None:
            await self.store.clear_state(ctx.account.account_id)  # a new command ends any unfinished one
        return await handler(ctx, args)

    async def _choice(self, ctx: Ctx, token: str) -> list[Reply]:
        if ctx.account is None:
            return self._unregistered(ctx)
        try:
            action, payload = await self.store.take_choice(token, ctx.account.account_id, ctx.now, SINGLE_USE)
        except StoreError as exc:
            if exc.code == "choice_not_yours":
                return ctx.reply(ctx.t("This button is not for you."))
            if exc.code == "choice_used":
                return ctx.reply(ctx.t("This choice has already been used."))
            return ctx.reply(ctx.t("This choice is not valid or has expired."))
        entry = ACTIONS.get(action)
        if entry is None:
            return ctx.reply(ctx.t("This choice is not valid or has expired."))
        handler, access, _ = entry
        if not _allowed(ctx, access):
            return ctx.reply(ctx.t("You are not allowed to do this."))
        return await handler(ctx, payload)

    async def _register(self, ctx: Ctx, name: str, args: str) -> list[Reply]:
        code = "".join(args.split()).replace("-", "").upper()
        if ctx.account is not None:
            if not code:
                return await user.cmd_help(ctx, "")
            return ctx.reply(
                ctx.t(
                    "You are already registered as %(role)s of %(agency)s.",
                    role=role_name(ctx, ctx.account.role),
                    agency=ctx.account.agency_name,
                )
            )
        if not code:
            if name == "start":
                return self._unregistered(ctx)
            return ctx.reply(ctx.t("Please send the code after the command: /dangky CODE"))
        try:
            ctx.account = await self.store.redeem_invite(code, ctx.incoming.sender, ctx.now)
        except StoreError as exc:
            reasons = {
                "invite_used": ctx.t("This registration code has already been used."),
                "invite_expired": ctx.t("This registration code has expired. Please ask Sở Nội vụ for a new one."),
                "already_registered": ctx.t("This chat account is already registered."),
            }
            return ctx.reply(reasons.get(exc.code, ctx.t("This registration code is not valid. Please check it.")))
        role = role_name(ctx, ctx.account.role)
        if ctx.account.linked:
            return ctx.reply(
                ctx.t(
                    "Linked: %(name)s (%(agency)s) now also uses this account. Choose where reminders go with /kenh.",
                    name=ctx.account.person_name,
                    agency=ctx.account.agency_name,
                )
            )
        text = ctx.t(
            "Welcome, %(name)s (%(agency)s). You are registered as %(role)s.",
            name=ctx.account.person_name,
            agency=ctx.account.agency_name,
            role=role,
        )
        return [*ctx.reply(text), *(await user.cmd_help(ctx, ""))]
