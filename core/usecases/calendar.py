"""Calendar upkeep: the days Sở Nội vụ adds or takes back, applied at once and told to those it moves."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from core import keys, messages
from core.deadlines import to_vn
from core.errors import CalendarError
from core.messages import short_day

__all__ = ["CalendarError", "add_days", "entries", "remove_day"]
from core.planning.calendar import KNOWN_SWAPS, DayKind, WorkCalendar
from core.planning.planner import PointKind, ReminderPoint
from core.repositories import UnitOfWork
from core.types import PRIORITY_OF, Actor, CalendarDayInfo, DeliveryKind, NewDelivery, Role
from core.usecases.reminders import plan_window
from core.usecases.rules import Rules, effective_rules, require_admin

LOOK_AHEAD = timedelta(days=120)  # the next reminders compared before and after a change
REMINDERS = (PointKind.BEFORE, PointKind.DUE, PointKind.OVERDUE)
MAX_RANGE = 31  # days one add-off may cover
KIND = DeliveryKind.CALENDAR


# The law that sets the public holidays the `holidays` package knows: what the calendar names as their basis, in the
# words an office uses (never the package's name).
PUBLIC_HOLIDAYS = "Bộ luật Lao động năm 2019, Điều 112"


@dataclass(frozen=True, slots=True)
class CalendarEntry:
    """A day that is not as the plain weekly rule says, and who says so."""

    day: date
    kind: DayKind
    reason: str
    source: str
    origin: str  # "holidays" (the package), "shipped" (KNOWN_SWAPS), "admin" (stored in the database)


@dataclass(frozen=True, slots=True)
class CalendarChange:
    days: tuple[date, ...]
    moved: tuple[str, ...]  # codes of the agencies whose next reminder moved by a day or more
    told: int  # messages queued to their focal persons


async def entries(uow: UnitOfWork, rules: Rules, year: int | None, today: date) -> list[CalendarEntry]:
    """Holidays, make-up working days and stored changes, by date; a later source wins for its day. Without
    ``year``: this year and every year holding a stored change."""
    base: WorkCalendar = rules.calendar
    stored = await uow.calendar.days()
    found: dict[date, CalendarEntry] = {}
    years = [year] if year else sorted({d.day.year for d in stored} | {today.year})
    for y in years:
        day = date(y, 1, 1)
        while day.year == y:
            name = base.holiday_name(day)
            if name:
                found[day] = CalendarEntry(day, DayKind.OFF, name, PUBLIC_HOLIDAYS, "holidays")
            elif day.weekday() >= 5 and base.is_working_day(day):
                found[day] = CalendarEntry(day, DayKind.WORKDAY, "", PUBLIC_HOLIDAYS, "holidays")
            day += timedelta(days=1)
    for s in KNOWN_SWAPS:
        if year is None or s.day.year == year:
            found[s.day] = CalendarEntry(s.day, s.kind, s.reason, s.source, "shipped")
    for d in stored:
        if year is None or d.day.year == year:
            found[d.day] = CalendarEntry(d.day, DayKind(d.kind), d.reason, d.source, "admin")
    return [found[d] for d in sorted(found)]


async def add_days(
    uow: UnitOfWork,
    actor: Actor,
    rules: Rules,
    first: date,
    last: date,
    kind: DayKind,
    reason: str,
    source: str,
    now: datetime,
    apply: bool = True,
) -> CalendarChange:
    """Make ``first``..``last`` days off (or one make-up working day), re-plan, tell whoever it moves. With
    ``apply`` False, only say what it would do: nothing is written and nobody is told.

    Raises:
        CalendarError: no reason, a range backwards or too long, or no day in it would change.
    """
    require_admin(actor)
    reason, source = " ".join(reason.split()), " ".join(source.split())
    if not reason:
        raise CalendarError("cần ghi lý do (--reason is required)")
    if last < first or (last - first).days >= MAX_RANGE:
        raise CalendarError(f"khoảng ngày không hợp lệ (the range must run forward, at most {MAX_RANGE} days)")
    if kind is DayKind.WORKDAY and last != first:
        raise CalendarError("ngày làm bù ghi từng ngày một (one make-up working day at a time)")
    now_rules = await effective_rules(uow, rules)
    wanted = kind is DayKind.WORKDAY
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    changing = [d for d in days if now_rules.calendar.is_working_day(d) != wanted]
    if not changing:
        state = "ngày làm việc (a working day)" if wanted else "ngày nghỉ (a day off)"
        raise CalendarError(f"{short_day(first)} đã là {state}: không có gì thay đổi (nothing changes)")
    then = replace(now_rules, calendar=now_rules.calendar.with_days(dict.fromkeys(changing, kind)))
    if apply:
        for d in changing:
            await uow.calendar.put(CalendarDayInfo(d, kind.value, reason, source, now, actor.label))
    change = _Change(tuple(changing), "calendar_" + kind.value, reason, apply)
    return await _told(uow, actor, now_rules, then, change, now)


async def remove_day(
    uow: UnitOfWork, actor: Actor, rules: Rules, day: date, now: datetime, apply: bool = True
) -> CalendarChange:
    """Take back a stored change; a shipped or package swap that did not happen is set back to the plain rule.
    With ``apply`` False, only say what it would do.

    Raises:
        CalendarError: nothing on that day to take back.
    """
    require_admin(actor)
    assert not rules.stored_days, "the configured calendar, without the stored days"
    now_rules = await effective_rules(uow, rules)
    stored = {d.day: DayKind(d.kind) for d in await uow.calendar.days()}
    if day in stored:
        del stored[day]
    elif rules.calendar.is_working_day(day) == (day.weekday() < 5):  # the plain weekly rule already
        raise CalendarError(f"ngày {short_day(day)} không có thay đổi nào để bỏ (nothing to remove on that day)")
    else:
        stored[day] = DayKind.NORMAL
    then = replace(now_rules, calendar=rules.calendar.with_days(stored))
    if apply and not await uow.calendar.remove(day):
        await uow.calendar.put(
            CalendarDayInfo(day, DayKind.NORMAL.value, "Bỏ ngày hoán đổi (taken back)", "", now, actor.label)
        )
    return await _told(uow, actor, now_rules, then, _Change((day,), "calendar_remove", "", apply), now)


async def _next_reminders(uow: UnitOfWork, rules: Rules, now: datetime) -> dict[str, ReminderPoint]:
    """Each agency's next reminder (before, due or overdue) by ``rules``' calendar (the stored days included)."""
    _, points = await plan_window(uow, rules, now, now + LOOK_AHEAD)
    nxt: dict[str, ReminderPoint] = {}
    for p in points:
        if p.kind in REMINDERS:
            for code in p.agencies:
                nxt.setdefault(code, p)
    return nxt


@dataclass(frozen=True, slots=True)
class _Change:
    days: tuple[date, ...]
    action: str  # for the audit log
    reason: str
    apply: bool


async def _told(
    uow: UnitOfWork, actor: Actor, before_rules: Rules, after_rules: Rules, change: _Change, now: datetime
) -> CalendarChange:
    """Whose next reminder moves from the calendar of ``before_rules`` to that of ``after_rules``; applied, each
    of their focal persons is told (through the outbox) and the change audited."""
    before = await _next_reminders(uow, before_rules, now)
    after = await _next_reminders(uow, after_rules, now)
    moved = [  # the same reminder, now on another day
        code
        for code, old in before.items()
        if code in after and after[code].key == old.key and to_vn(after[code].at).date() != to_vn(old.at).date()
    ]
    key_of_change = f"{now.isoformat()}:{change.days[0].isoformat()}"
    items: list[NewDelivery] = []
    for r in await uow.accounts.recipients(Role.FOCAL, moved):
        old, new = before[r.agency_code], after[r.agency_code]
        text = messages.reminder_moved(
            r.language, r.person_name, r.agency_name, old.label, old.at, new.at, change.reason
        )
        key = keys.for_account(keys.calendar_change(key_of_change, r.agency_code), r.account_id)
        items.append(NewDelivery(key, r.account_id, KIND, text, PRIORITY_OF[KIND]))
    if not change.apply:
        return CalendarChange(change.days, tuple(moved), len(items))
    told = await uow.outbox.enqueue(items, now)
    await uow.audit.record(
        actor.label,
        change.action,
        "calendar_day",
        change.days[0].isoformat(),
        {"days": [d.isoformat() for d in change.days], "reason": change.reason, "moved": moved, "told": told},
        at=now,
    )
    return CalendarChange(change.days, tuple(moved), told)
