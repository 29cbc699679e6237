"""Every text a person reads from the reminder engine, rendered in the recipient's language.

Message ids are English; the Vietnamese catalog (locales/vi) is what most people read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from gettext import NullTranslations

from core.deadlines import to_vn
from core.i18n import N_, format_day, format_instant, gettext_for
from core.standing import Deadlines, at_an_hour
from core.types import DeliveryKind, Period, Role, TaskRole
from core.vietnamese import folded

ROLE_NAMES = {
    TaskRole.LEAD: N_("lead"),
    TaskRole.COORDINATE: N_("coordinating"),
    TaskRole.CARRY_OUT: N_("to carry out"),
}
PERSON_ROLES = {Role.FOCAL: N_("focal person"), Role.LEADER: N_("leader"), Role.ADMIN: N_("administrator")}


def ref_label(lang: str, ref: str, paragraph: int) -> str:
    """The plan's own reference: "III.1", or "III.1 (đoạn 4)" for a paragraph of an item."""
    if not paragraph:
        return ref
    return gettext_for(lang).gettext("%(ref)s (paragraph %(n)d)") % {"ref": ref, "n": paragraph}


def addressee(name: str, title: str) -> str:
    """ "Nguyễn Văn A, Chuyên viên Văn phòng Sở"; the name alone without a position."""
    return f"{name}, {title}" if name and title else name


def example_document(agency_code: str) -> str:
    """An example report number in the agency's own style: "125/BC-STP", "125/BC-UBND"."""
    return "125/BC-UBND" if agency_code.startswith("UBND") else f"125/BC-{agency_code}"


def file_refused(lang: str, reason: str, limit: int) -> str:
    """Why a report file is not kept (``core.errors.FileRefused``), as the chat, the dashboard and the CLI say it."""
    t = gettext_for(lang).gettext
    if reason == "too_large":
        return t("The file is larger than %(n)d MB and was not received. Please send a smaller one.") % {"n": limit}
    if reason == "empty":
        return t("The file is empty and was not received.")
    if reason == "too_many":
        said = t("%(n)d files have been received for this report already; this one was not. Please contact Sở Nội vụ.")
        return said % {"n": limit}
    return t(
        "The file was not received: only Word (.docx, .doc), PDF, Excel (.xlsx, .xls), OpenDocument (.odt) or .zip "
        "files are accepted, judged by their content."
    )


def person_role(lang: str, role: Role) -> str:
    return gettext_for(lang).gettext(PERSON_ROLES[role])


@dataclass(frozen=True, slots=True)
class ReportRef:
    """What a reminder says about the report it is about."""

    label: str
    plan_number: str
    due_at: datetime
    wording: str
    receiver: str
    plan_issued_on: date | None = None
    issuer: str = ""  # who issued the plan
    via: str = ""  # who asks and compiles (Sở Nội vụ)
    due_off: bool = False  # the deadline falls on a day off (a weekend, a holiday)
    extended_to: date | None = None  # …and so runs to the end of this working day (Điều 148)
    data_from: date | None = None  # the data the report covers
    data_to: date | None = None
    cutoff: str = ""  # the cut-off as the plan words it, when not computed
    plan_title: str = ""  # the plan's subject


def report_ref(period: Period, deadlines: Deadlines | None = None) -> ReportRef:
    """What a reminder says about ``period``; with ``deadlines``, whether its last day is a day off and how far
    the time allowed runs then."""
    due_day = to_vn(period.due_at).date()
    due_off = deadlines is not None and not deadlines.calendar.is_working_day(due_day)
    return ReportRef(
        period.label,
        period.plan_number,
        period.due_at,
        period.wording,
        period.receiver,
        period.plan_issued_on,
        period.plan_issuer,
        period.via,
        due_off,
        deadlines.extended_to(period.due_at) if deadlines is not None else None,
        period.data_from,
        period.data_to,
        period.cutoff,
        period.plan_title,
    )


def column_label(label: str) -> str:
    """A period as a column or an axis names it: "Báo cáo quý I/2026" → "Quý I/2026" ("Năm 2026", "Tháng 4/2026")."""
    rest = label.removeprefix("Báo cáo ").strip()
    return rest[:1].upper() + rest[1:] if rest else label


def in_sentence(label: str) -> str:
    """A period's label inside a sentence: "Báo cáo tháng 4/2023" → "báo cáo tháng 4/2023"."""
    return label[:1].lower() + label[1:] if label.startswith(("Báo cáo", "Report")) else label


def reminder(kind: DeliveryKind, lang: str, name: str, agency: str, report: ReportRef, days: int) -> str:
    """The reminder of ``kind``: ``days`` is calendar days left before the deadline, or working days after it."""
    if kind is DeliveryKind.UNSEEN:
        return unseen(lang, name, agency, report)
    if kind is DeliveryKind.OVERDUE:
        return reminder_overdue(lang, name, agency, report, days)
    if kind is DeliveryKind.ESCALATION:
        return escalation(lang, name, agency, report, days)
    return reminder_before(lang, name, agency, report, days)


def _days_left(lang: str, days: int, report: ReportRef | None = None) -> str:
    tr = gettext_for(lang)
    if report is not None and report.due_off and report.extended_to is None and days <= 1:
        return tr.gettext("today is the last working day")  # the plan's day is a day off, kept as written
    if days <= 0:
        return tr.gettext("today is the deadline")
    if days == 1:
        return tr.gettext("1 day left (the deadline is tomorrow)")
    return tr.ngettext("%(n)d day left", "%(n)d days left", days) % {"n": days}


def greeting(lang: str, name: str, agency: str) -> str:
    """The salutation as an office writes it: "Kính gửi: Đồng chí Nguyễn Văn A, Chuyên viên Văn phòng Sở Tư pháp."
    (the position joined to the agency); with no name, the agency's focal person, never a chat nickname."""
    tr = gettext_for(lang)
    if not name:
        return tr.gettext("To the focal person of %(agency)s,") % {"agency": agency}
    return tr.gettext("Dear %(who)s,") % {"who": _who(name, agency)}


def _who(name: str, agency: str) -> str:
    """ "Nguyễn Văn A, Chuyên viên Văn phòng Sở" of "Sở Tư pháp" → "Nguyễn Văn A, Chuyên viên Văn phòng Sở Tư pháp";
    a name without a position is followed by the agency's name."""
    person, _, title = name.partition(", ")
    return f"{person}, {position_at(title, agency) if title else agency}"


# How positions abbreviate the bodies they name ("Chủ tịch UBND phường"): spelled out before comparing.
SPELLED = {"UBND": "Ủy ban nhân dân", "HĐND": "Hội đồng nhân dân", "UBMTTQ": "Ủy ban Mặt trận Tổ quốc"}


def position_at(title: str, agency: str) -> str:
    """A position and its agency as an office writes them, the agency never said twice (issue 29):

    - a position that already names the agency is left as it is: "Chánh Thanh tra tỉnh" of "Thanh tra tỉnh";
    - a position that ends with the words the agency's name begins with runs on into the rest of the name:
      "Chủ tịch UBND phường" of "Ủy ban nhân dân phường Minh Xuân" → "Chủ tịch Ủy ban nhân dân phường Minh Xuân",
      "Chánh Văn phòng" of "Văn phòng Ủy ban nhân dân tỉnh" → "Chánh Văn phòng Ủy ban nhân dân tỉnh",
      "Giám đốc Sở" of "Sở Tư pháp" → "Giám đốc Sở Tư pháp";
    - otherwise the agency follows: "Chuyên viên" of "Sở Y tế" → "Chuyên viên Sở Y tế".
    """
    title, agency = " ".join(title.split()), " ".join(agency.split())
    if not title:
        return agency
    words = " ".join(SPELLED.get(w, w) for w in title.split()).split()
    names = agency.split()
    keys, wanted = [folded(w) for w in words], [folded(w) for w in names]
    after: list[str] = []
    for i in range(len(words) - len(names) + 1):  # the position names the agency: what precedes it runs on into it
        if keys[i : i + len(names)] == wanted:
            words, after = words[:i], words[i + len(names) :]
            break
    # The longest run shared by the position's end and the name's start is said once.
    for n in range(min(len(words), len(names)), 0, -1):
        if [folded(w) for w in words[-n:]] == wanted[:n]:
            words = words[:-n]
            break
    return " ".join([*words, *names, *after])


def receiver_phrase(receiver: str, via: str, wording: str = "") -> str:
    """To whom a report goes, as every reminder says it (issue 29: "(qua Sở Nội vụ tổng hợp)" was lost unless a plan
    file spelled it out): composed from the series' receiver and the agency that compiles it, "Ủy ban nhân dân tỉnh
    Tuyên Quang (qua Sở Nội vụ tổng hợp)". The plan's own wording is used only where it says what the composition
    cannot, and never when it leaves out the agency the report goes through."""
    composed = f"{receiver} (qua {via} tổng hợp)" if via else receiver
    wording = " ".join(wording.split())
    if not wording or (via and folded(via) not in folded(wording)):
        return composed
    return wording


def subject(title: str) -> str:
    """A plan's title after "về" in a citation: "Cải cách hành chính … năm 2026" → "cải cách hành chính … năm 2026"
    (a first word in capitals, an abbreviation such as "CCHC", is left as it is)."""
    title = " ".join(title.split())
    first = title.split(" ", 1)[0] if title else ""
    if not first or first.isupper() or first[1:] != first[1:].lower():
        return title
    return title[:1].lower() + title[1:]


def plan_reference(lang: str, report: ReportRef) -> str:
    """A plan cited as offices cite it: "Kế hoạch số 08/KH-UBND ngày 15/1/2026 của Ủy ban nhân dân tỉnh Tuyên Quang
    về cải cách hành chính nhà nước tỉnh Tuyên Quang năm 2026" (what the plan file does not say is left out)."""
    tr = gettext_for(lang)
    text = tr.gettext("Plan No. %(plan)s") % {"plan": report.plan_number}
    if report.plan_issued_on:
        text += " " + tr.gettext("of %(date)s") % {"date": short_day(report.plan_issued_on)}
    if report.issuer:
        text += " " + tr.gettext("of the %(issuer)s") % {"issuer": report.issuer}
    if report.plan_title:
        text += " " + tr.gettext("on %(subject)s") % {"subject": subject(report.plan_title)}
    return text


def _asks(lang: str, report: ReportRef) -> str:
    """The opening of the one request a reminder makes, without its object: "Thực hiện Kế hoạch số 46/KH-UBND ngày
    14/3/2023 của Ủy ban nhân dân tỉnh Tuyên Quang về thực hiện công tác dân vận chính quyền năm 2023 …, Sở Nội vụ
    đề nghị" (issue 30: the plan's date and subject, always)."""
    tr = gettext_for(lang)
    values = {"plan": plan_reference(lang, report), "via": report.via}
    if not report.via:  # nobody compiles: the plan itself asks (never "Sở Nội vụ" for a report it does not receive)
        return tr.gettext("Under %(plan)s, we ask") % values
    return tr.gettext("Under %(plan)s, %(via)s asks") % values


def deadline(lang: str, report: ReportRef, days_left: int | None = None) -> str:
    """The last day allowed, in one phrase without parentheses; a day off is never given as the last day when the law
    runs the time on (issue 30): "hết thứ Hai, 15/6/2026, vì ngày 14/6/2026 là Chủ nhật, thời hạn được kéo dài theo
    Điều 148 Bộ luật Dân sự"; kept as written, the working day before is asked for."""
    tr = gettext_for(lang)
    if at_an_hour(report.due_at):  # "19h00 ngày thứ Năm, 11/6/2026": "trước 19h00" is due by 18:59:59
        at = to_vn(report.due_at + timedelta(seconds=1) if to_vn(report.due_at).second == 59 else report.due_at)
        return tr.gettext("%(hour)s:%(minute)s on %(due)s") % {
            "hour": str(at.hour),
            "minute": f"{at.minute:02d}",
            "due": format_day(report.due_at, lang),
        }
    if not report.due_off:
        return tr.gettext("the end of %(due)s") % {"due": format_day(report.due_at, lang)}
    values = {
        **_day_off(lang, report.due_at),
        "until": format_day(report.extended_to, lang) if report.extended_to else "",
    }
    if report.extended_to is not None:
        return (
            tr.gettext(
                "the end of %(until)s, as %(due)s is %(day)s and the time runs on under Article 148 of the Civil Code"
            )
            % values
        )
    if days_left is not None and days_left <= 1:  # kept as written: the last working day is today
        return tr.gettext("today's working day, as the deadline %(due)s is %(day)s") % values
    return tr.gettext("the working day before %(due)s, which is %(day)s") % values


def last_day(lang: str, due_at: datetime, extended_to: date | None) -> str:
    """The last day allowed as a list or a table says it, without parentheses: "thứ Hai, 15/6/2026, vì ngày 14/6/2026
    là Chủ nhật, theo Điều 148" — never the day off alone when the law runs it on (issue 30)."""
    if extended_to is None:
        return format_day(due_at, lang)
    return gettext_for(lang).gettext("%(until)s, as %(due)s is %(day)s, under Article 148") % {
        "until": format_day(extended_to, lang),
        **_day_off(lang, due_at),
    }


def _day_off(lang: str, due_at: datetime) -> dict[str, str]:
    """The plan's day that is a day off, and what it is: {"due": "14/6/2026", "day": "Chủ nhật" | "ngày nghỉ lễ"}."""
    written = to_vn(due_at)
    if written.weekday() >= 5:
        day = format_day(written, lang).partition(", ")[0]
    else:
        day = gettext_for(lang).gettext("a public holiday")
    return {"due": short_day(written.date()), "day": day}


def _data_note(lang: str, report: ReportRef) -> str:
    """The data the report covers: "Số liệu tính từ ngày 15/12/2025 đến ngày 14/3/2026." (or the plan's words)."""
    tr = gettext_for(lang)
    if report.data_from and report.data_to:
        return "\n" + tr.gettext("Data from %(first)s to %(last)s.") % {
            "first": short_day(report.data_from),
            "last": short_day(report.data_to),
        }
    if report.cutoff:
        return "\n" + tr.gettext("Data cut-off: %(cutoff)s.") % {"cutoff": report.cutoff}
    return ""


def short_day(day: date) -> str:
    """ "14/3/2026", as plans write a date."""
    return f"{day.day}/{day.month}/{day.year}"


def reminder_before(lang: str, name: str, agency: str, report: ReportRef, days_left: int) -> str:
    """Before the deadline and on its day: one request naming the agency, the report, where it goes and by when."""
    tr = gettext_for(lang)
    body = tr.gettext(
        "%(asks)s %(agency)s to send %(label)s to %(receiver)s; deadline: %(deadline)s; %(left)s.%(data)s\n"
        "The plan says: “%(wording)s”.\n"
        "Once the report is sent, please choose “Report sent” below (or send /danop)."
    ) % {
        "asks": _asks(lang, report),
        "agency": agency,
        "label": report.label,
        "deadline": deadline(lang, report, days_left),
        "left": _days_left(lang, days_left, report),
        "data": _data_note(lang, report),
        "wording": report.wording,
        "receiver": report.receiver,
    }
    return f"{greeting(lang, name, agency)}\n{body}"


def reminder_overdue(lang: str, name: str, agency: str, report: ReportRef, working_days: int) -> str:
    tr = gettext_for(lang)
    body = tr.ngettext(
        "%(asks)s %(agency)s to send %(label)s to %(receiver)s without delay: the deadline was %(deadline)s; "
        "the report is %(n)d working day overdue. The plan says: “%(wording)s”.\n"
        "Once it is sent, please choose “Report sent” below (or send /danop).",
        "%(asks)s %(agency)s to send %(label)s to %(receiver)s without delay: the deadline was %(deadline)s; "
        "the report is %(n)d working days overdue. The plan says: “%(wording)s”.\n"
        "Once it is sent, please choose “Report sent” below (or send /danop).",
        working_days,
    ) % {
        "asks": _asks(lang, report),
        "agency": agency,
        "label": report.label,
        "deadline": deadline(lang, report),
        "wording": report.wording,
        "n": working_days,
        "receiver": report.receiver,
    }
    return f"{greeting(lang, name, agency)}\n{body}"


def escalation(lang: str, name: str, agency: str, report: ReportRef, working_days: int) -> str:
    tr = gettext_for(lang)
    body = tr.ngettext(
        "%(asks)s you to direct that %(agency)s send %(label)s to %(receiver)s: %(agency)s has not yet sent it; "
        "the deadline was %(deadline)s, %(n)d working day ago.",
        "%(asks)s you to direct that %(agency)s send %(label)s to %(receiver)s: %(agency)s has not yet sent it; "
        "the deadline was %(deadline)s, %(n)d working days ago.",
        working_days,
    ) % {
        "asks": _asks(lang, report),
        "agency": agency,
        "label": report.label,
        "deadline": deadline(lang, report),
        "n": working_days,
        "receiver": report.receiver,
    }
    return f"{greeting(lang, name, agency)}\n{body}"


def unseen(lang: str, name: str, agency: str, report: ReportRef) -> str:
    """To a leader on the deadline day: nobody of the agency has seen a reminder nor sent the report."""
    tr = gettext_for(lang)
    body = tr.gettext(
        "%(asks)s you to direct that %(agency)s send %(label)s to %(receiver)s; deadline: %(deadline)s. No one of "
        "%(agency)s has yet confirmed receiving a reminder or sending the report."
    ) % {
        "asks": _asks(lang, report),
        "deadline": deadline(lang, report),
        "label": report.label,
        "agency": agency,
        "receiver": report.receiver,
    }
    return f"{greeting(lang, name, agency)}\n{body}"


def reminder_moved(
    lang: str, name: str, agency: str, label: str, old_at: datetime, new_at: datetime, reason: str
) -> str:
    """A calendar change moved the person's next reminder."""
    tr = gettext_for(lang)
    body = tr.gettext(
        "The working-day calendar has changed%(reason)s. "
        "The next reminder of %(label_in)s moves from %(old)s to %(new)s."
    ) % {
        "reason": f" ({reason})" if reason else "",
        "label_in": in_sentence(label),
        "old": format_day(old_at, lang),
        "new": format_day(new_at, lang),
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
    plan_number: str = ""  # the plan the period is of: a province runs dozens of plans at once (issue 30)
    extended_to: date | None = None  # the day the law runs a deadline on a day off to (Điều 148)


DIGEST_LIMIT = 2000  # characters: one message on every platform (Zalo's cut), whatever the province's size
DIGEST_NAMES = (25, 8)  # agencies named per period (a plan or two; a province's many), the rest counted


@dataclass(frozen=True, slots=True)
class DigestDeliveries:
    sent: int
    failed: int
    blocked: int
    blocked_recipients: tuple[str, ...]
    unreached: int = 0  # agencies owing reports to come that no focal person can be reminded at


def digest(lang: str, name: str, day: datetime, periods: list[DigestPeriod], deliveries: DigestDeliveries) -> str:
    tr = gettext_for(lang)
    lines = [
        tr.gettext("Dear %(name)s,") % {"name": name},
        tr.gettext("Reporting summary for %(day)s.") % {"day": format_day(day, lang)},
    ]
    if not periods:
        lines.append(tr.gettext("No report period is open."))
    shown: list[str] = []
    at_most = DIGEST_NAMES[0] if len(periods) <= 2 else DIGEST_NAMES[1]
    for n, p in enumerate(periods):
        block = [
            tr.gettext(
                "• %(label)s (deadline %(due)s): %(on_time)d agencies sent on time, %(late)d sent late, "
                "%(missing)d have not sent."
            )
            % {
                "label": (
                    tr.gettext("%(label)s of Plan No. %(plan)s") % {"label": p.label, "plan": p.plan_number}
                    if p.plan_number
                    else p.label
                ),
                "due": last_day(lang, p.due_at, p.extended_to),
                "on_time": p.on_time,
                "late": p.late,
                "missing": p.missing,
            }
        ]
        if p.overdue_agencies:
            block.append(tr.gettext("  Overdue: %(names)s.") % {"names": _some(tr, p.overdue_agencies, at_most)})
        # A province's dozens of plans: the periods that fit one message, the rest counted (the dashboard has them).
        if len("\n".join([*lines, *shown, *block])) > DIGEST_LIMIT - 600 and shown:
            left = len(periods) - n
            shown.append(
                tr.ngettext(
                    "… and %(n)d more report period: see the dashboard.",
                    "… and %(n)d more report periods: see the dashboard.",
                    left,
                )
                % {"n": left}
            )
            break
        shown += block
    lines += shown
    lines.append(
        tr.gettext("Reminders yesterday: %(sent)d sent, %(failed)d failed, %(blocked)d blocked.")
        % {"sent": deliveries.sent, "failed": deliveries.failed, "blocked": deliveries.blocked}
    )
    if deliveries.blocked_recipients:
        lines.append(
            tr.gettext("These people have blocked the bot and receive nothing: %(names)s.")
            % {"names": _some(tr, deliveries.blocked_recipients, DIGEST_NAMES[1], people=True)}
        )
    if deliveries.unreached:
        lines.append(
            tr.ngettext(
                "%(n)d agency owing reports has no focal person who can be reminded (the people page lists it).",
                "%(n)d agencies owing reports have no focal person who can be reminded (the people page lists them).",
                deliveries.unreached,
            )
            % {"n": deliveries.unreached}
        )
    return "\n".join(lines)


def _some(tr: NullTranslations, names: tuple[str, ...], at_most: int, people: bool = False) -> str:
    """ "A; B; C" — or the first ``at_most`` and how many more: "A; B; … và 97 cơ quan khác" ("người khác")."""
    if len(names) <= at_most:
        return "; ".join(names)
    more = len(names) - at_most
    if people:
        rest = tr.ngettext("and %(n)d other person", "and %(n)d other people", more) % {"n": more}
    else:
        rest = tr.ngettext("and %(n)d other", "and %(n)d others", more) % {"n": more}
    return "; ".join(names[:at_most]) + " " + rest


def ack_label(lang: str) -> str:
    return gettext_for(lang).gettext("Received")


def submitted_label(lang: str) -> str:
    return gettext_for(lang).gettext("Report sent")


def confirmed_copy(lang: str, label: str, who: str, at: datetime) -> str:
    """What a reminder copy becomes once someone of the agency confirmed the period."""
    return gettext_for(lang).gettext("%(label)s: sent, confirmed by %(who)s at %(when)s.") % {
        "label": label,
        "who": who,
        "when": format_instant(at, lang),
    }


def notice(lang: str, name: str, agency: str, text: str, sender_agency: str) -> str:
    tr = gettext_for(lang)
    head = tr.gettext("Notice from %(sender)s:") % {"sender": sender_agency}
    tail = tr.gettext("Please choose “Received” to confirm that you have read it.")
    return f"{greeting(lang, name, agency)}\n{head}\n\n{text}\n\n{tail}"


def adhoc_request(
    lang: str, name: str, agency: str, label: str, due_at: datetime, sender_agency: str, extended_to: date | None = None
) -> str:
    tr = gettext_for(lang)
    body = tr.gettext(
        "%(sender)s asks %(agency)s to send %(label_in)s by the end of %(due)s.\n"
        "Once the report is sent, please choose “Report sent” below (or send /danop)."
    ) % {
        "sender": sender_agency,
        "agency": agency,
        "label_in": in_sentence(label),
        "due": last_day(lang, due_at, extended_to),
    }
    return f"{greeting(lang, name, agency)}\n{body}"


def quota_warning(lang: str, name: str, platform: str, used: int, quota: int, percent: int) -> str:
    tr = gettext_for(lang)
    body = tr.gettext(
        "%(platform)s has used %(percent)d%% of this month's message quota (%(used)d of %(quota)d). "
        "Near the limit, reminders and escalations go first; digests and notices wait or go through "
        "Telegram."
    ) % {"platform": platform.capitalize(), "percent": percent, "used": used, "quota": quota}
    return f"{tr.gettext('Dear %(name)s,') % {'name': name}}\n{body}"


def account_linked(lang: str, name: str, platform: str, at: datetime) -> str:
    """To a person's other accounts: a new account was linked to them."""
    tr = gettext_for(lang)
    body = tr.gettext(
        "A %(platform)s account was linked to you at %(when)s and now receives your reminders too. "
        "If it was not you, tell Sở Nội vụ at once."
    ) % {"platform": platform.capitalize(), "when": format_instant(at, lang)}
    return f"{tr.gettext('Dear %(name)s,') % {'name': name}}\n{body}"


def adhoc_deadline_refused(lang: str, reason: str, phrase: str) -> str:
    """Why an ad-hoc request's deadline cannot be used (``core.errors.AdhocDeadlineRefused``), in chat or on the
    dashboard."""
    tr = gettext_for(lang)
    if reason == "past":
        return tr.gettext("The deadline must be today or later.")
    if reason == "too_far":
        return tr.gettext("The deadline must be within a year from today.")
    return tr.gettext(
        "“%(text)s” is not a day I can read. For example: 20/12/2026, “thứ Sáu tuần sau”, “cuối tháng”, "
        "“cuối quý”, “trong 5 ngày làm việc”, “ngày kia”."
    ) % {"text": phrase}
