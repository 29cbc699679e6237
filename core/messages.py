"""Every text a person reads from the reminder engine, rendered in the recipient's language.

Message ids are English; the Vietnamese catalog (locales/vi) is what most people read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.i18n import format_day, gettext_for
from core.types import DeliveryKind, Period


@dataclass(frozen=True, slots=True)
class ReportRef:
    """What a reminder says about the report it is about."""

    label: str
    plan_number: str
    due_at: datetime
    wording: str
    receiver: str


def report_ref(period: Period) -> ReportRef:
    return ReportRef(period.label, period.plan_number, period.due_at, period.wording, period.receiver)


def reminder(kind: DeliveryKind, lang: str, name: str, agency: str, report: ReportRef, days: int) -> str:
    """The reminder of ``kind``: ``days`` is calendar days left before the deadline, or working days after it."""
    if kind is DeliveryKind.OVERDUE:
        return reminder_overdue(lang, name, agency, report, days)
    if kind is DeliveryKind.ESCALATION:
        return escalation(lang, name, agency, report, days)
    return reminder_before(lang, name, agency, report, days)


def _days_left(lang: str, days: int) -> str:
    tr = gettext_for(lang)
    if days <= 0:
        return tr.gettext("today is the deadline")
    if days == 1:
        return tr.gettext("1 day left (the deadline is tomorrow)")
    return tr.ngettext("%(n)d day left", "%(n)d days left", days) % {"n": days}


def greeting(lang: str, name: str, agency: str) -> str:
    return gettext_for(lang).gettext("Dear %(name)s (%(agency)s),") % {"name": name, "agency": agency}


def reminder_before(lang: str, name: str, agency: str, report: ReportRef, days_left: int) -> str:
    tr = gettext_for(lang)
    body = tr.gettext(
        "Reminder: %(label)s under plan No. %(plan)s.\n"
        "Deadline: %(due)s — %(left)s.\n"
        "The plan says: “%(wording)s”, to %(receiver)s.\n"
        "Once the report is sent, please confirm it with /danop."
    ) % {
        "label": report.label,
        "plan": report.plan_number,
        "due": format_day(report.due_at, lang),
        "left": _days_left(lang, days_left),
        "wording": report.wording,
        "receiver": report.receiver,
    }
    return f"{greeting(lang, name, agency)}\n{body}"


def reminder_overdue(lang: str, name: str, agency: str, report: ReportRef, working_days: int) -> str:
    tr = gettext_for(lang)
    body = tr.ngettext(
        "%(label)s under plan No. %(plan)s is overdue: the deadline was %(due)s "
        "(“%(wording)s”), %(n)d working day ago.\n"
        "Please send the report to %(receiver)s without delay and confirm it with /danop.",
        "%(label)s under plan No. %(plan)s is overdue: the deadline was %(due)s "
        "(“%(wording)s”), %(n)d working days ago.\n"
        "Please send the report to %(receiver)s without delay and confirm it with /danop.",
        working_days,
    ) % {
        "label": report.label,
        "plan": report.plan_number,
        "due": format_day(report.due_at, lang),
        "wording": report.wording,
        "n": working_days,
        "receiver": report.receiver,
    }
    return f"{greeting(lang, name, agency)}\n{body}"


def escalation(lang: str, name: str, agency: str, report: ReportRef, working_days: int) -> str:
    tr = gettext_for(lang)
    body = tr.ngettext(
        "%(agency)s has not yet sent %(label)s under plan No. %(plan)s. The deadline was %(due)s, "
        "%(n)d working day ago.\nPlease direct that the report be sent to %(receiver)s.",
        "%(agency)s has not yet sent %(label)s under plan No. %(plan)s. The deadline was %(due)s, "
        "%(n)d working days ago.\nPlease direct that the report be sent to %(receiver)s.",
        working_days,
    ) % {
        "agency": agency,
        "label": report.label,
        "plan": report.plan_number,
        "due": format_day(report.due_at, lang),
        "n": working_days,
        "receiver": report.receiver,
    }
    return f"{greeting(lang, name, agency)}\n{body}"


@dataclass(frozen=True, slots=True)
class DigestPeriod:
    label: str
    due_at: datetime
    on_time: int
    late: int
    missing: int
    overdue_agencies: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DigestDeliveries:
    sent: int
    failed: int
    blocked: int
    blocked_recipients: tuple[str, ...]


def digest(lang: str, name: str, day: datetime, periods: list[DigestPeriod], deliveries: DigestDeliveries) -> str:
    tr = gettext_for(lang)
    lines = [
        tr.gettext("Dear %(name)s,") % {"name": name},
        tr.gettext("Reporting summary for %(day)s.") % {"day": format_day(day, lang)},
    ]
    if not periods:
        lines.append(tr.gettext("No report period is open."))
    for p in periods:
        lines.append(
            tr.gettext("• %(label)s (deadline %(due)s): %(on_time)d on time, %(late)d late, %(missing)d not yet sent.")
            % {
                "label": p.label,
                "due": format_day(p.due_at, lang),
                "on_time": p.on_time,
                "late": p.late,
                "missing": p.missing,
            }
        )
        if p.overdue_agencies:
            lines.append(tr.gettext("  Overdue: %(names)s.") % {"names": "; ".join(p.overdue_agencies)})
    lines.append(
        tr.gettext("Reminders yesterday: %(sent)d sent, %(failed)d failed, %(blocked)d blocked.")
        % {"sent": deliveries.sent, "failed": deliveries.failed, "blocked": deliveries.blocked}
    )
    if deliveries.blocked_recipients:
        lines.append(
            tr.gettext("These people have blocked the bot and receive nothing: %(names)s.")
            % {"names": "; ".join(deliveries.blocked_recipients)}
        )
    return "\n".join(lines)


def ack_label(lang: str) -> str:
    return gettext_for(lang).gettext("Received")


def notice(lang: str, name: str, agency: str, text: str, sender_agency: str) -> str:
    tr = gettext_for(lang)
    head = tr.gettext("Notice from %(sender)s:") % {"sender": sender_agency}
    tail = tr.gettext("Please press “Received” to confirm that you have read it.")
    return f"{greeting(lang, name, agency)}\n{head}\n\n{text}\n\n{tail}"


def adhoc_request(lang: str, name: str, agency: str, label: str, due_at: datetime, sender_agency: str) -> str:
    tr = gettext_for(lang)
    body = tr.gettext(
        "%(sender)s requests an ad-hoc report: %(label)s.\nDeadline: %(due)s.\n"
        "Once the report is sent, please confirm it with /danop."
    ) % {"sender": sender_agency, "label": label, "due": format_day(due_at, lang)}
    return f"{greeting(lang, name, agency)}\n{body}"


def quota_warning(lang: str, name: str, platform: str, used: int, quota: int, percent: int) -> str:
    tr = gettext_for(lang)
    body = tr.gettext(
        "%(platform)s has used %(percent)d%% of this month's message quota (%(used)d of %(quota)d). "
        "Near the limit, reminders and escalations go first; digests and notices wait or go through "
        "Telegram."
    ) % {"platform": platform.capitalize(), "percent": percent, "used": used, "quota": quota}
    return f"{tr.gettext('Dear %(name)s,') % {'name': name}}\n{body}"
