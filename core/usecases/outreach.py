"""What Sở Nội vụ sends on its own: nudges, notices (with acknowledgements) and ad-hoc report requests.

Each use-case writes every row it needs (notice, choice tokens, outbox rows, audit) in the caller's one
transaction: a crash half-way leaves nothing half-sent.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from core import keys, messages
from core.dayphrase import DayPhraseError, read_day
from core.deadlines import end_of_day, to_vn
from core.errors import AdhocDeadlineRefused, AdhocRefused, NoAdhocSeries, NoticeRefused
from core.messages import short_day
from core.repositories import UnitOfWork
from core.standing import judge, past
from core.types import (
    PRIORITY_OF,
    Actor,
    AgencyKind,
    DeliveryKind,
    NewDelivery,
    NoticeSummary,
    Period,
    Role,
)
from core.usecases import reminder_actions
from core.usecases.plan import period as find_period
from core.usecases.rules import Rules, effective_rules, require_admin

ACK_TTL = timedelta(days=60)
MAX_NOTICE = 3000  # characters of a notice: about two Telegram messages, never more than one reply's bound
ACK_ACTION = "ack"
# "Tất cả" is every department, district and commune in being: the agencies Sở Nội vụ writes to (issue 28, finding
# 7: the communes were left out, 24 of 153 accounts reached). Agencies of other kinds (the ministry, the Party's and
# the People's Council's standing bodies, the provincial People's Committee itself, Công an tỉnh) are chosen by code.
AUDIENCES: dict[str, tuple[AgencyKind, ...]] = {
    "all": (AgencyKind.DEPARTMENT, AgencyKind.DISTRICT, AgencyKind.COMMUNE),
    "departments": (AgencyKind.DEPARTMENT,),
    "communes": (AgencyKind.COMMUNE,),
    "districts": (AgencyKind.DISTRICT,),
}


async def audience_codes(uow: UnitOfWork, audience: str) -> list[str]:
    """The active agencies of a named audience ("all", "departments", "communes", "districts")."""
    kinds = AUDIENCES[audience]
    return [a.code for a in await uow.agencies.all() if a.kind in kinds]


async def offered_audiences(uow: UnitOfWork) -> list[str]:
    """The named audiences that have members today, in the order a form offers them (a province whose districts
    ended on 1/7/2025 is offered no "districts")."""
    kinds = {a.kind for a in await uow.agencies.all()}
    return [name for name, wanted in AUDIENCES.items() if kinds & set(wanted)]


async def split_codes(uow: UnitOfWork, wanted: Collection[str]) -> tuple[list[str], list[str]]:
    """(known agency codes in the order given, unknown ones)."""
    known = {a.code for a in await uow.agencies.all()}
    wanted = [c.strip().upper() for c in wanted if c.strip()]
    return [c for c in dict.fromkeys(wanted) if c in known], [c for c in wanted if c not in known]


CHOICES = (*AUDIENCES, "codes")  # what a form offers: a named audience, or the codes typed


async def chosen_codes(uow: UnitOfWork, audience: str, codes: Collection[str]) -> tuple[list[str], list[str]]:
    """(the agencies, unknown codes) of a form's audience: a named one ("all", "departments", "districts"), or
    "codes" and the codes given."""
    if audience == "codes":
        return await split_codes(uow, codes)
    return await audience_codes(uow, audience if audience in AUDIENCES else "all"), []


async def reach(uow: UnitOfWork, agency_codes: Collection[str]) -> int:
    """How many people a notice to these agencies would reach."""
    return len(await uow.accounts.recipients(None, agency_codes))


@dataclass(frozen=True, slots=True)
class NudgeResult:
    period: Period
    missing: int  # agencies that have not sent
    reached_agencies: int
    queued: int  # messages written to the outbox


async def nudge(uow: UnitOfWork, actor: Actor, ref: str | None, now: datetime, rules: Rules) -> NudgeResult:
    """Remind now, through the outbox, the focal persons of agencies that have not sent the period.

    The text is the scheduler's own for this moment: days left before the deadline, or working days
    overdue after it, naming the series' receiver.
    """
    require_admin(actor)
    p = await find_period(uow, ref, now)
    missing = [r.agency.code for r in await uow.periods.status(p.id) if r.submitted_at is None]
    if not missing:
        return NudgeResult(p, 0, 0, 0)
    rules = await effective_rules(uow, rules)
    kind = DeliveryKind.OVERDUE if past(p.due_at, rules.deadlines, now) else DeliveryKind.BEFORE
    days = reminder_days(kind, p.due_at, now, rules)
    report = messages.report_ref(p, rules.deadlines)
    people = await uow.accounts.recipients(Role.FOCAL, missing)
    key = keys.nudge(p.id, now)
    items = []
    for r in people:
        mine = keys.for_account(key, r.account_id)
        choices = await reminder_actions.reminder_choices(uow, r.account_id, r.language, p.id, mine, now)
        text = messages.reminder(kind, r.language, r.person_name, r.agency_name, report, days)
        items.append(
            NewDelivery(
                mine, r.account_id, DeliveryKind.NUDGE, text, PRIORITY_OF[DeliveryKind.NUDGE], None, choices, p.id
            )
        )
    queued = await uow.outbox.enqueue(items, now)
    await uow.audit.record(actor.label, "nudge", "report_period", p.id, {"queued": queued}, at=now)
    return NudgeResult(p, len(missing), len({r.agency_code for r in people}), queued)


@dataclass(frozen=True, slots=True)
class NudgePreview:
    period: Period
    missing: tuple[str, ...]  # the agencies yet to send, by name, in the office's order
    reachable: int  # of them, those with a focal person who can be reminded


async def nudge_preview(uow: UnitOfWork, actor: Actor, ref: str | None, now: datetime) -> NudgePreview:
    """Who ``nudge`` would remind, for which plan and period; nothing is written (issue 30: /nhacnho sent at once,
    for a plan it picked silently)."""
    require_admin(actor)
    p = await find_period(uow, ref, now)
    missing = [r.agency for r in await uow.periods.status(p.id) if r.submitted_at is None]
    people = await uow.accounts.recipients(Role.FOCAL, [a.code for a in missing])
    return NudgePreview(p, tuple(a.name for a in missing), len({r.agency_code for r in people}))


def reminder_days(kind: DeliveryKind, due_at: datetime, at: datetime, rules: Rules) -> int:
    """Calendar days left before the last day allowed (the day the law runs a day off on to, issue 30), or working
    days since it (at least 1)."""
    if kind in (DeliveryKind.OVERDUE, DeliveryKind.ESCALATION):
        return judge(due_at, None, rules.deadlines, at).days or 1  # a point planned on the deadline's day itself
    return (rules.deadlines.last_day(due_at) - to_vn(at).date()).days


@dataclass(frozen=True, slots=True)
class BroadcastResult:
    notice_id: int
    queued: int


@dataclass(frozen=True, slots=True)
class NoticeDraft:
    """A notice that may be sent: its text, the agencies it goes to and how many people that reaches."""

    text: str
    codes: tuple[str, ...]
    people: int


async def draft_notice(
    uow: UnitOfWork, actor: Actor, text: str, audience: str, codes: Collection[str] = ()
) -> NoticeDraft:
    """Check a notice before it is shown or sent: ``audience`` is "all", "departments", "districts", or "codes"
    (then ``codes`` names the agencies).

    Raises:
        NotAllowed: not a Sở Nội vụ admin.
        NoticeRefused: empty, longer than ``MAX_NOTICE``, unknown codes, or nobody to send it to (all listed).
    """
    require_admin(actor)
    text = text.strip()
    chosen, unknown = await chosen_codes(uow, audience, codes)
    empty, too_long = _text_problems(text)
    if empty or too_long or unknown or not chosen:
        raise NoticeRefused(empty, too_long, MAX_NOTICE, tuple(unknown), not chosen)
    return NoticeDraft(text, tuple(chosen), await reach(uow, chosen))


def notice_text(text: str) -> str:
    """The text of a notice, stripped, before its audience is chosen.

    Raises:
        NoticeRefused: empty or longer than ``MAX_NOTICE``.
    """
    text = text.strip()
    empty, too_long = _text_problems(text)
    if empty or too_long:
        raise NoticeRefused(empty, too_long, MAX_NOTICE, (), False)
    return text


def _text_problems(text: str) -> tuple[bool, bool]:
    """(empty, too long) of a stripped notice text."""
    return not text, len(text) > MAX_NOTICE


async def broadcast(
    uow: UnitOfWork, actor: Actor, sender_agency: str, text: str, agency_codes: Collection[str], now: datetime
) -> BroadcastResult:
    """A notice to every person of these agencies, each copy with its own "Received" button.

    Raises:
        NotAllowed: not a Sở Nội vụ admin.
        NoticeRefused: as ``draft_notice`` says; nothing is written.
    """
    draft = await draft_notice(uow, actor, text, "codes", agency_codes)
    text, agency_codes = draft.text, draft.codes
    people = await uow.accounts.recipients(None, agency_codes)
    audience = {"agencies": list(agency_codes)}
    notice_id = await uow.notices.add(actor.person_id, text, audience, now)
    await uow.audit.record(actor.label, "broadcast", "notice", notice_id, audience, at=now)
    key = keys.notice(notice_id)
    items = []
    for r in people:
        (token,) = await uow.conversations.offer(r.account_id, [(ACK_ACTION, {"notice_id": notice_id})], now, ACK_TTL)
        items.append(
            NewDelivery(
                keys.for_account(key, r.account_id),
                r.account_id,
                DeliveryKind.NOTICE,
                messages.notice(r.language, r.person_name, r.agency_name, text, sender_agency),
                PRIORITY_OF[DeliveryKind.NOTICE],
                notice_id,
                ((messages.ack_label(r.language), token),),
            )
        )
    return BroadcastResult(notice_id, await uow.outbox.enqueue(items, now))


async def acknowledge(uow: UnitOfWork, account_id: int, notice_id: int, now: datetime) -> bool:
    """This account has read the notice; recorded once."""
    done = await uow.notices.acknowledge(notice_id, account_id, now)
    if done:
        await uow.audit.record(f"account:{account_id}", "acknowledge", "notice", notice_id, at=now)
    return done


async def notices(uow: UnitOfWork, actor: Actor, limit: int = 10) -> list[NoticeSummary]:
    require_admin(actor)
    return await uow.notices.summaries(limit)


ADHOC_HORIZON = timedelta(days=366)  # an ad-hoc request is due within a year, or it is a typing mistake


async def adhoc_deadline(uow: UnitOfWork, phrase: str, now: datetime, rules: Rules) -> date:
    """The last day an ad-hoc request's deadline, said as people say it ("thứ Sáu tuần sau", "cuối tháng",
    "20/12/2026"), names, on the working-day calendar (``core.dayphrase``); shown back before anything is saved.

    Raises:
        AdhocDeadlineRefused: unreadable, before today, or more than a year ahead.
    """
    calendar = (await effective_rules(uow, rules)).calendar
    try:
        day = read_day(phrase, to_vn(now).date(), calendar)
    except DayPhraseError:
        raise AdhocDeadlineRefused("unreadable", phrase[:60]) from None
    _check_adhoc_due(day, now)
    return day


def _check_adhoc_due(day: date, now: datetime) -> None:
    if end_of_day(day) <= now:
        raise AdhocDeadlineRefused("past", f"{short_day(day)}")
    if end_of_day(day) > now + ADHOC_HORIZON:
        raise AdhocDeadlineRefused("too_far", f"{short_day(day)}")


ADHOC_TITLE = 150  # characters of an ad-hoc request's subject


@dataclass(frozen=True, slots=True)
class AdhocDraft:
    """An ad-hoc request that may be sent: its subject, agencies, the day its deadline names, and whom it reaches."""

    title: str
    codes: tuple[str, ...]
    due: date
    people: int


async def draft_adhoc(
    uow: UnitOfWork,
    actor: Actor,
    title: str,
    audience: str,
    codes: Collection[str],
    deadline: str,
    now: datetime,
    rules: Rules,
) -> AdhocDraft:
    """Check an ad-hoc request before it is shown or sent (the dashboard's form; chat asks step by step).

    Raises:
        NotAllowed: not a Sở Nội vụ admin.
        AdhocRefused: no subject or a subject over ``ADHOC_TITLE`` characters, unknown agency codes, nobody to
            ask, or a deadline that is unreadable, past or more than a year ahead (every problem listed).
    """
    require_admin(actor)
    title = " ".join(title.split())
    chosen, unknown = await chosen_codes(uow, audience, codes)
    due: date | None = None
    refused: AdhocDeadlineRefused | None = None
    try:
        due = await adhoc_deadline(uow, deadline, now, rules)
    except AdhocDeadlineRefused as exc:
        refused = exc
    if not title or len(title) > ADHOC_TITLE or unknown or not chosen or due is None:
        raise AdhocRefused(not title, len(title) > ADHOC_TITLE, tuple(unknown), not chosen, refused)
    return AdhocDraft(title, tuple(chosen), due, len(await uow.accounts.recipients(Role.FOCAL, chosen)))


@dataclass(frozen=True, slots=True)
class AdhocResult:
    period: Period
    queued: int


async def request_adhoc(
    uow: UnitOfWork,
    actor: Actor,
    sender_agency: str,
    title: str,
    agency_codes: Collection[str],
    due_at: datetime,
    now: datetime,
    rules: Rules | None = None,
) -> AdhocResult:
    """A new period of the ad-hoc series owed by these agencies, and the request to their focal persons.

    Raises:
        NotAllowed: not a Sở Nội vụ admin.
        AdhocDeadlineRefused: due before today or more than a year ahead.
        NoAdhocSeries: no plan has an ad-hoc series.
    """
    require_admin(actor)
    _check_adhoc_due(to_vn(due_at).date(), now)
    series = await uow.periods.latest_adhoc_series()
    if series is None:
        raise NoAdhocSeries()
    said = title.strip()
    label = said if said.casefold().startswith(series.name.casefold()) else f"{series.name}: {said}"
    p = await uow.periods.add_period(series.id, f"{to_vn(due_at):%Y-%m-%d}", label, now, due_at, agency_codes)
    await uow.audit.record(
        actor.label,
        "create_adhoc_period",
        "report_period",
        p.id,
        {"title": title, "agencies": list(agency_codes), "due_at": due_at.isoformat()},
        at=now,
    )
    key = keys.adhoc(p.id)
    deadlines = (await effective_rules(uow, rules or Rules())).deadlines
    items = []
    for r in await uow.accounts.recipients(Role.FOCAL, agency_codes):
        mine = keys.for_account(key, r.account_id)
        choices = await reminder_actions.reminder_choices(uow, r.account_id, r.language, p.id, mine, now)
        text = messages.adhoc_request(
            r.language, r.person_name, r.agency_name, p.label, due_at, sender_agency, deadlines.extended_to(due_at)
        )
        items.append(
            NewDelivery(
                mine, r.account_id, DeliveryKind.ADHOC, text, PRIORITY_OF[DeliveryKind.ADHOC], None, choices, p.id
            )
        )
    return AdhocResult(p, await uow.outbox.enqueue(items, now))
