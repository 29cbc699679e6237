"""The conversation core: who is speaking, what they may do, which handler answers.

Each event is one unit of work: the account is read, the handler runs its use-case and the whole
answer commits once. Permissions are checked here on every event — commands, buttons and numbered
picks alike — from the database's current view of the account, never from anything the platform sent.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime

from core import errors, messages
from core.conversation import guide, privacy
from core.conversation.commands import BY_NAME, Access
from core.conversation.context import Ctx, Flow
from core.conversation.events import EventKind, Incoming, Reply
from core.conversation.features import REGISTRY
from core.conversation.parse import MAX_TEXT, normalise, parse_number, parse_plain_command
from core.conversation.ports import Notifier
from core.conversation.router import Registry
from core.deadlines import utcnow
from core.i18n import gettext_for
from core.ports import FileSource, FileTooLarge
from core.repositories import Conflict, UnitOfWork, UnitOfWorkFactory
from core.types import Role
from core.usecases import accounts, inbound
from core.usecases.rules import Rules

MAX_REPLY = 6000  # characters: three Zalo messages, two Telegram ones
Keep = Callable[[UnitOfWork, list[Reply]], Awaitable[None]]
log = logging.getLogger(__name__)


def role_name(ctx: Ctx, role: Role) -> str:
    if role is Role.ADMIN:
        return ctx.t("Sở Nội vụ admin")
    return ctx.t("agency leader") if role is Role.LEADER else ctx.t("focal person")


def bounded(reply: Reply) -> Reply:
    """A reply of at most ``MAX_REPLY`` characters (about three chat messages), cut at a line end; the rest is
    said to be left out, with where to read it whole."""
    if len(reply.text) <= MAX_REPLY:
        return reply
    head = reply.text[:MAX_REPLY]
    cut = head.rfind("\n")
    head = head[:cut] if cut > MAX_REPLY // 2 else head
    left = reply.text[len(head) :].count("\n") + 1
    tail = gettext_for(reply.language).ngettext(
        "… %(n)d more line left out; /xuat (or the plan file) has it all.",
        "… %(n)d more lines left out; /xuat (or the plan file) has them all.",
        left,
    ) % {"n": left}
    return replace(reply, text=f"{head.rstrip()}\n{tail}")


def _allowed(ctx: Ctx, access: Access) -> bool:
    if access is Access.ANYONE:
        return True
    if ctx.account is None:
        return False
    if access is Access.ADMIN:
        return ctx.account.role is Role.ADMIN
    return True  # MEMBER and SUBMITTER: every registered role may read and confirm for its own agency


class Conversation:
    def __init__(
        self,
        uows: UnitOfWorkFactory,
        notifier: Notifier,
        rules: Rules | None = None,
        invite_link: Callable[[str], str | None] = lambda code: None,
        web_link: Callable[[str], str | None] = lambda token: None,
        clock: Callable[[], datetime] = utcnow,
        registry: Registry = REGISTRY,
    ) -> None:
        self.registry = registry
        self.uows = uows
        self.notifier = notifier
        self.rules = rules or Rules()
        self.invite_link = invite_link
        self.web_link = web_link
        self.clock = clock

    async def handle(self, event: Incoming, keep: Keep | None = None) -> list[Reply]:
        """Answer one event in one unit of work. Never raises: an error is logged and the person told.

        ``keep`` is given the replies inside that unit of work, before it commits: a channel that answers later
        writes them there, so the update is recorded as handled together with what is to be said."""
        lang = "vi"
        try:
            async with self.uows() as uow:
                if not await inbound.first_time(uow, event.sender.platform, event.update_key, self.clock()):
                    log.info("%s update %s was handled before; ignored", event.sender.platform.value, event.update_key)
                    return []
                account = await uow.accounts.by_sender(event.sender)
                lang = account.language if account else lang
                ctx = Ctx(uow, self.rules, event, account, self.clock(), self.invite_link, self.web_link)
                replies = await self._dispatch(ctx, event)
                if ctx.account is None and replies:  # still not registered: answered a few times, then not
                    if await inbound.may_answer_stranger(uow, event.sender, ctx.now):
                        replies = [replace(r, to_stranger=True) for r in replies]
                    else:
                        log.info("%s sender %s is over the replies for strangers", event.sender.platform.value,
                                 event.sender.user_id)  # fmt: skip
                        replies = []
                replies = [bounded(r) for r in replies]
                if keep is not None:
                    await keep(uow, replies)
                await uow.commit()  # the update is recorded as handled with what it did, or not at all
        except Exception as exc:
            if isinstance(exc, Conflict) and await self._handled_elsewhere(event):
                log.info("%s update %s was handled by another instance", event.sender.platform.value, event.update_key)
                return []
            log.exception(
                "error handling %s from %s:%s (command %r)",
                event.kind.value,
                event.sender.platform.value,
                event.sender.user_id,
                event.command,
            )
            text = gettext_for(lang).gettext("Sorry, something went wrong. Please try again later.")
            return [Reply(text, language=lang)]
        if ctx.effects.queued:
            self.notifier.deliveries_queued()
        if ctx.effects.periods_changed:
            await self.notifier.periods_changed()
        return replies

    async def fetch_file(self, event: Incoming, source: FileSource) -> Incoming:
        """The event with its file's content, fetched from the platform before the event is handled (so no
        transaction waits on the download) — only when the sender is registered and at a step that takes a file
        (/danop's confirmation, or just after a confirmation from a reminder's button), and only up to the largest
        file accepted. A file that cannot be had comes back with its ``problem``, for the flow to say so."""
        file = event.file
        if event.kind is not EventKind.FILE or file is None or file.data is not None:
            return event
        async with self.uows() as uow:  # read only
            account = await uow.accounts.by_sender(event.sender)
            state = await uow.conversations.state(account.account_id, self.clock()) if account else None
        if state is None or state[0] not in (Flow.SUBMIT, Flow.SUBMIT_DOC):
            return event
        limit = self.rules.file_limit
        if file.size is not None and file.size > limit:
            return replace(event, file=replace(file, problem="too_large"))
        try:
            data = await source.fetch(file.ref, limit)
        except FileTooLarge:
            return replace(event, file=replace(file, problem="too_large"))
        except Exception as exc:  # the platform's error: the person is told to send it again
            log.warning("%s: file could not be fetched: %s", event.sender.platform.value, type(exc).__name__)
            return replace(event, file=replace(file, problem="unavailable"))
        return replace(event, file=replace(file, data=data))

    async def _handled_elsewhere(self, event: Incoming) -> bool:
        """Whether the update is now recorded as handled (by another instance, at the same moment)."""
        if not event.update_key:
            return False
        async with self.uows() as uow:  # read only: rolled back on exit
            return not await inbound.first_time(uow, event.sender.platform, event.update_key, self.clock())

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
        state = await ctx.state() if ctx.account else None
        if event.kind is EventKind.TEXT and state is None:  # "đã nộp", "nhiem vu": commands typed as words
            plain = parse_plain_command(event.text)
            if plain is not None:
                return await self._command(ctx, plain[0], plain[1])
        if ctx.account is None:
            return self._unregistered(ctx)
        number = parse_number(event.text) if event.kind is EventKind.TEXT else None
        if number is not None:  # "2": a pick from the last numbered list (channels without buttons)
            token = await ctx.uow.conversations.pick(ctx.me.account_id, number, ctx.now)
            if token is not None:
                return await self._choice(ctx, token)
            if state is None:
                return ctx.reply(ctx.t("There is no list to choose from, or no item %(n)d in it.", n=number))
        flow = self.registry.flows.get(state[0]) if state is not None else None
        if state is not None and flow is not None:
            if not _allowed(ctx, flow.access):
                await ctx.forget()
                return ctx.reply(ctx.t("You are not allowed to do this."))
            clean = Incoming(event.sender, event.kind, text=normalise(event.text), file=event.file)
            return await flow.handler(ctx, state[1], clean)
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
            return await guide.cancel(ctx) if ctx.account else self._unregistered(ctx)
        spec = BY_NAME.get(name)
        if spec is None:
            return ctx.reply(ctx.t("Unknown command /%(name)s. Send /huongdan to see the commands.", name=name[:32]))
        if ctx.account is None and spec.access is not Access.ANYONE:
            return self._unregistered(ctx)
        if not _allowed(ctx, spec.access):
            return ctx.reply(ctx.t("This command is for Sở Nội vụ admins only."))
        if ctx.account is not None:
            await ctx.forget()  # a new command ends any unfinished one
        return await self.registry.commands[name](ctx, args)

    async def _choice(self, ctx: Ctx, token: str) -> list[Reply]:
        if ctx.account is None:
            return self._unregistered(ctx)
        row = await ctx.uow.conversations.choice(token)
        if row is None:
            return ctx.reply(ctx.t("This choice is not valid or has expired."))
        if row.account_id != ctx.me.account_id and not await ctx.uow.accounts.same_person(
            row.account_id, ctx.me.account_id
        ):  # the same person on another channel (a message that fell back) may still use it
            return ctx.reply(ctx.t("This choice is not for you."))
        if row.used_at is not None:
            return ctx.reply(ctx.t("This choice has already been used."))
        if row.expires_at <= ctx.now:
            return ctx.reply(ctx.t("This choice is not valid or has expired."))
        entry = self.registry.choices.get(row.action)
        if entry is None:
            return ctx.reply(ctx.t("This choice is not valid or has expired."))
        if not _allowed(ctx, entry.access):
            return ctx.reply(ctx.t("You are not allowed to do this."))
        # One decision per menu: the sibling buttons (Confirm / Cancel…) are used up with it.
        if entry.single_use and not await ctx.uow.conversations.use_menu(row.menu_id, ctx.now):
            return ctx.reply(ctx.t("This choice has already been used."))
        return await entry.handler(ctx, dict(row.payload))

    async def _register(self, ctx: Ctx, name: str, args: str) -> list[Reply]:
        code = "".join(args.split()).replace("-", "").upper()
        if ctx.account is not None:
            if not code:
                return await guide.cmd_help(ctx, "")
            # Said so that it cannot be read as "you have just registered" (issue 29): whose the account is, and
            # that the code is still there for the person it was made for.
            return ctx.reply(
                ctx.t(
                    "This account is already registered to %(name)s, %(role)s. The code %(code)s was not used and "
                    "stays valid for the person it was made for.",
                    name=ctx.account.person_name,
                    role=messages.position_at(role_name(ctx, ctx.account.role), ctx.account.agency_name),
                    code=code,
                )
            )
        if not code:
            if name == "start":
                return self._unregistered(ctx)
            return ctx.reply(ctx.t("Please send the code after the command: /dangky CODE"))
        try:
            ctx.account = await accounts.register(ctx.uow, code, ctx.incoming.sender, ctx.now)
        except errors.InviteUsed:
            return ctx.reply(ctx.t("This registration code has already been used."))
        except errors.InviteExpired:
            return ctx.reply(ctx.t("This registration code has expired. Please ask Sở Nội vụ for a new one."))
        except errors.AlreadyRegistered:
            return ctx.reply(ctx.t("This chat account is already registered."))
        except errors.InviteUnknown:
            return ctx.reply(ctx.t("This registration code is not valid. Please check it."))
        except errors.TooManyAttempts as exc:
            return ctx.reply(ctx.t("Too many wrong codes. Please try again in %(n)s minutes.", n=str(exc) or "10"))
        except errors.LinkSamePlatform:
            return ctx.reply(
                ctx.t("A link code adds your other app (Telegram or Zalo); send it from there, not from this one.")
            )
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
            role=role_name(ctx, ctx.account.role),
        )
        return [*ctx.reply(f"{text}\n\n{await privacy.notice(ctx)}"), *(await guide.cmd_help(ctx, ""))]
