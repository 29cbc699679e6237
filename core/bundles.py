"""One message per person per moment (issue 30): the reminders due to one person at one instant, across every
plan, leave as one message in office form — "Sở Nội vụ đề nghị Sở Tư pháp gửi các báo cáo sau: 1. …; 2. …" —
each report with its own "Đã nộp" choice and one "Đã nhận" for the message.

A reminder is planned as a row of its own with its line (``BundlePart``); the message is put together when the
rows are claimed for sending (``core.usecases.outbox.claim``), from the lines whose reports are still not
confirmed at that instant, most urgent first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from core.i18n import gettext_for
from core.messages import ReportRef, ack_label, column_label, deadline, greeting, plan_reference
from core.types import BundlePart, ClaimedDelivery, DeliveryKind

FOCAL = "focal"
LEADER = "leader"
GROUP_OF = {
    DeliveryKind.BEFORE: FOCAL,
    DeliveryKind.DUE: FOCAL,
    DeliveryKind.OVERDUE: FOCAL,
    DeliveryKind.ESCALATION: LEADER,
    DeliveryKind.UNSEEN: LEADER,
}
KINDS_OF = {g: tuple(k for k, v in GROUP_OF.items() if v == g) for g in (FOCAL, LEADER)}


def short_name(lang: str, label: str, plan_number: str) -> str:
    """A period as a civil servant names it in a list or on a button: "Báo cáo quý I/2026 (KH 08/KH-UBND)"."""
    if not plan_number:
        return label
    return gettext_for(lang).gettext("%(label)s (Plan %(plan)s)") % {"label": label, "plan": plan_number}


def _standing(lang: str, kind: DeliveryKind, days: int, agency: str) -> tuple[str, int]:
    """How urgent the report is, in words, and its rank (smaller first: most overdue, due today, fewest days)."""
    tr = gettext_for(lang)
    if kind in (DeliveryKind.OVERDUE, DeliveryKind.ESCALATION):
        text = tr.ngettext("%(n)d working day overdue", "%(n)d working days overdue", days) % {"n": days}
        if kind is DeliveryKind.ESCALATION:
            text = tr.gettext("%(agency)s has not sent it, %(late)s") % {"agency": agency, "late": text}
        return text, -days
    if kind is DeliveryKind.UNSEEN:
        return tr.gettext("no one of %(agency)s has confirmed receiving a reminder or sending it") % {
            "agency": agency
        }, 0
    if days <= 0:
        return tr.gettext("the deadline is today"), 0
    return tr.ngettext("%(n)d day left", "%(n)d days left", days) % {"n": days}, days


def part(
    kind: DeliveryKind, lang: str, name: str, agency_code: str, agency: str, report: ReportRef, days: int
) -> BundlePart:
    """The reminder's line for a message with others: "Báo cáo quý I/2026 theo Kế hoạch số 08/KH-UBND ngày
    15/1/2026 của … về …, gửi …; hạn chót: hết thứ Hai, 15/6/2026; còn 3 ngày."."""
    tr = gettext_for(lang)
    standing, rank = _standing(lang, kind, days, agency)
    line = tr.gettext("%(label)s under %(plan)s, to %(receiver)s; deadline: %(deadline)s; %(standing)s.") % {
        "label": report.label,
        "plan": plan_reference(lang, report),
        "receiver": report.receiver,
        "deadline": deadline(lang, report, days if kind in (DeliveryKind.BEFORE, DeliveryKind.DUE) else None),
        "standing": standing,
    }
    return BundlePart(
        GROUP_OF[kind],
        agency_code,
        name,
        agency,
        line,
        short_name(lang, column_label(report.label), report.plan_number),
        rank,
        report.via,
    )


def text(lang: str, parts: Sequence[BundlePart]) -> str:
    """The words of a message carrying ``parts`` (most urgent first, at least two): one salutation, one request, the
    reports numbered."""
    tr = gettext_for(lang)
    first = parts[0]
    vias = {p.via for p in parts}
    via = vias.pop() if len(vias) == 1 else ""  # who asks, when one agency asks for every report
    if first.group == LEADER:
        ask = tr.gettext("%(via)s asks you to direct that %(agency)s send the following reports:")
        if not via:
            ask = tr.gettext("Please direct that %(agency)s send the following reports:")
    else:
        ask = tr.gettext("%(via)s asks %(agency)s to send the following reports:")
        if not via:
            ask = tr.gettext("%(agency)s is asked to send the following reports:")
    lines = [greeting(lang, first.to, first.agency_name), ask % {"via": via, "agency": first.agency_name}]
    lines += [f"{n}. {p.line}" for n, p in enumerate(parts, start=1)]
    if first.group == FOCAL:
        lines.append(
            tr.gettext(
                "Once a report is sent, please choose its “Report sent” below (or send /danop); “Received” says "
                "you have read this message."
            )
        )
    return "\n".join(lines)


def compose(lang: str, members: Sequence[ClaimedDelivery]) -> ClaimedDelivery:
    """The message that carries ``members`` (ordered by urgency, at least two); for focal persons each report's
    "Đã nộp" choice and one "Đã nhận"."""
    tr = gettext_for(lang)
    head = members[0]
    parts = [m.part for m in members if m.part is not None]
    choices: list[tuple[str, str]] = []
    if parts[0].group == FOCAL:
        for m in members:
            assert m.part is not None
            # reminder_actions.reminder_choices gives (submit, acknowledge), in that order
            submit = next((token for _, token in m.choices[:1]), None)
            if submit:
                choices.append((tr.gettext("Sent: %(report)s") % {"report": m.part.tag}, submit))
        if len(head.choices) > 1:
            choices.append((ack_label(lang), head.choices[1][1]))
    return replace(head, text=text(lang, parts), choices=tuple(choices))
