"""Every message, rendered in Vietnamese and English with sample data: no placeholder left, no English
in the Vietnamese, NFC text, real English plurals; and the reminders read as Sở Nội vụ writes them."""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from datetime import date, datetime

import pytest
from babel.messages.pofile import read_po

from core import messages
from core.deadlines import VN_TZ
from core.i18n import gettext_for, locales_dir
from core.messages import DigestDeliveries, DigestPeriod, ReportRef
from core.types import DeliveryKind, Role

PLACEHOLDER = re.compile(r"%\((\w+)\)([sd])")
# Words that must never reach a Vietnamese reader (roles, kinds and plain English the catalogue once let through).
ENGLISH = re.compile(
    r"\b(the|and|please|report|reports|deadline|focal|leader|admin|lead|coordinate|carry_out|queued|before|due|"
    r"overdue|escalation|digest|agencies|agency|rows?|accounts?|sent|send|notice|received|days?|choose|chosen)\b",
    re.IGNORECASE,
)
SAMPLE = {
    "name": "Nguyễn Văn A, Chuyên viên",
    "agency": "Sở Tư pháp",
    "label": "Báo cáo tháng 4/2023",
    "label_in": "báo cáo tháng 4/2023",
    "plan": "46/KH-UBND",
    "date": "14/3/2023",
    "issuer": "Ủy ban nhân dân tỉnh Tuyên Quang",
    "via": "Sở Nội vụ",
    "receiver": "Ủy ban nhân dân tỉnh (qua Sở Nội vụ tổng hợp)",
    "wording": "chậm nhất trong ngày 15 hàng tháng",
    "due": "thứ Bảy, 15/4/2023",
    "when": "09:00 thứ Sáu, 14/4/2023",
    "code": "K7Q2M9XHB4TZ8WNA",
    "example": "125/BC-STP",
    "ref": "III.1",
    "text": "Nội dung",
    "title": "Tình hình mưa lũ",
    "sender": "Sở Nội vụ",
}


def _sample(key: str, kind: str) -> object:
    return 2 if kind == "d" else SAMPLE.get(key, "Mẫu")


def _render(template: str) -> str:
    values = {k: _sample(k, kind) for k, kind in PLACEHOLDER.findall(template)}
    return template % values if values else template.replace("%%", "%")


def _without_commands(text: str) -> str:
    return re.sub(r"/\w+|\b[A-Z][A-Z0-9_-]+\b|Telegram|Zalo|Excel|Console|Nhắc việc", "", text)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_catalogue_message_renders_cleanly(lang: str) -> None:
    with (locales_dir() / lang / "LC_MESSAGES" / "nhacviec.po").open("rb") as fh:
        cat = read_po(fh, locale=lang)
    checked = english_hits = 0
    for entry in cat:
        if not entry.id:
            continue
        strings = [entry.string] if isinstance(entry.string, str) else list(entry.string or ())
        for template in strings:
            text = _render(template)
            checked += 1
            assert "%(" not in text and not re.search(r"\{\w*\}", text), (lang, entry.id)
            assert unicodedata.is_normalized("NFC", text), (lang, entry.id)
            found = ENGLISH.findall(_without_commands(text))
            english_hits += bool(found)
            if lang == "vi":
                assert not found, (found, text)
    assert checked > 150
    if lang == "en":
        assert english_hits > 50  # the word list does catch English: its silence in Vietnamese means something


def test_english_plurals_are_real_plurals() -> None:
    with (locales_dir() / "en" / "LC_MESSAGES" / "nhacviec.po").open("rb") as fh:
        cat = read_po(fh, locale="en")
    plurals = [e for e in cat if e.id and isinstance(e.id, tuple)]
    assert len(plurals) >= 10
    tr = gettext_for("en")
    for e in plurals:
        one, two = tr.ngettext(e.id[0], e.id[1], 1), tr.ngettext(e.id[0], e.id[1], 2)
        assert one != two, e.id
    assert tr.ngettext("%(n)d agency", "%(n)d agencies", 1) % {"n": 1} == "1 agency"


REPORT = ReportRef(
    "Báo cáo tháng 4/2023",
    "46/KH-UBND",
    datetime(2023, 4, 15, 23, 59, 59, tzinfo=VN_TZ),
    "chậm nhất trong ngày 15 hàng tháng",
    "Ủy ban nhân dân tỉnh (qua Sở Nội vụ tổng hợp)",
    date(2023, 3, 14),
    "Ủy ban nhân dân tỉnh Tuyên Quang",
    "Sở Nội vụ",
    due_off=True,
)
AT = datetime(2023, 4, 14, 8, 0, tzinfo=VN_TZ)


def _all_messages(lang: str) -> list[str]:
    name, agency = "Nguyễn Văn A, Chuyên viên Văn phòng Sở", "Sở Tư pháp"
    out = [messages.reminder(kind, lang, name, agency, REPORT, n) for kind in DeliveryKind for n in (0, 1, 3)]
    out.append(
        messages.digest(
            lang,
            name,
            AT,
            [DigestPeriod("Báo cáo tháng 4/2023", REPORT.due_at, 1, 2, 3, ("Ủy ban nhân dân huyện Na Hang",))],
            DigestDeliveries(5, 1, 1, ("Hoàng Thị Dung",)),
        )
    )
    out.append(messages.digest(lang, name, AT, [], DigestDeliveries(0, 0, 0, ())))
    out.append(messages.notice(lang, name, agency, "Đề nghị các cơ quan nộp báo cáo đúng hạn.", "Sở Nội vụ"))
    out.append(messages.adhoc_request(lang, name, agency, "Báo cáo đột xuất: Tình hình mưa lũ", AT, "Sở Nội vụ"))
    out.append(messages.quota_warning(lang, name, "zalo", 2400, 3000, 80))
    out.append(messages.reminder_moved(lang, name, agency, "Báo cáo tháng 4/2023", AT, AT, "Nghỉ bù"))
    out += [messages.person_role(lang, r) for r in Role]
    out.append(messages.ref_label(lang, "III.1", 4))
    return out


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_message_function_renders_cleanly(lang: str) -> None:
    for text in _all_messages(lang):
        assert "%(" not in text and unicodedata.is_normalized("NFC", text), text
        if lang == "vi":
            assert not ENGLISH.findall(_without_commands(text)), text


def test_reminders_read_as_sở_nội_vụ_writes_them() -> None:
    text = messages.reminder(DeliveryKind.DUE, "vi", "Nguyễn Văn A", "Sở Tư pháp", REPORT, 1)
    assert text.startswith("Kính gửi: Đồng chí Nguyễn Văn A, Sở Tư pháp.\n")
    assert (
        "Thực hiện Kế hoạch số 46/KH-UBND ngày 14/3/2023 của Ủy ban nhân dân tỉnh Tuyên Quang, Sở Nội vụ đề nghị "
        "Sở Tư pháp gửi Báo cáo tháng 4/2023 về Ủy ban nhân dân tỉnh (qua Sở Nội vụ tổng hợp) chậm nhất trong ngày"
        in text
    )
    # Kept as written, a deadline on a Saturday is the Friday: said in the same sentence, never the Saturday alone.
    assert "chậm nhất trong ngày làm việc hôm nay, vì hạn chót 15/4/2023 là thứ Bảy; hôm nay là ngày làm việc" in text
    assert "Nơi nhận" not in text and text.count("đề nghị") == 1  # one request
    # The position joins the agency's name as an office writes it.
    titled = messages.reminder(
        DeliveryKind.DUE, "vi", "Nguyễn Văn A, Chuyên viên Văn phòng Sở", "Sở Tư pháp", REPORT, 1
    )
    assert titled.startswith("Kính gửi: Đồng chí Nguyễn Văn A, Chuyên viên Văn phòng Sở Tư pháp.\n")
    chief = messages.greeting("vi", "Trần B, Chánh Văn phòng", "Ủy ban nhân dân huyện Na Hang")
    assert chief == "Kính gửi: Đồng chí Trần B, Chánh Văn phòng Ủy ban nhân dân huyện Na Hang."
    adhoc = messages.adhoc_request("vi", "A", "B", "Báo cáo đột xuất: Tình hình mưa lũ", AT, "Sở Nội vụ")
    assert adhoc.count("đột xuất") == 1 and "Sở Nội vụ đề nghị B gửi báo cáo đột xuất: Tình hình mưa lũ" in adhoc
    assert messages.ref_label("vi", "III.1", 4) == "III.1 (đoạn 4)"
    assert [messages.person_role("vi", r) for r in Role] == ["đầu mối", "lãnh đạo", "quản trị"]
    assert messages.example_document("STP") == "125/BC-STP" and messages.example_document("UBND-HY") == "125/BC-UBND"


def test_a_reminder_says_the_data_the_report_covers_and_how_far_the_law_runs_the_deadline() -> None:
    quarter = dataclasses.replace(
        REPORT,
        label="Báo cáo cải cách hành chính quý I/2026",
        due_at=datetime(2026, 3, 21, 23, 59, 59, tzinfo=VN_TZ),  # a Saturday
        extended_to=date(2026, 3, 23),
        data_from=date(2025, 12, 15),
        data_to=date(2026, 3, 14),
    )
    text = messages.reminder(DeliveryKind.BEFORE, "vi", "Nguyễn Văn A", "Sở Tư pháp", quarter, 3)
    assert "Số liệu tính từ ngày 15/12/2025 đến ngày 14/3/2026." in text
    # One sentence gives the extended day and why; the Saturday is never said to be the last day (issue 30).
    extended = (
        "chậm nhất trong ngày thứ Hai, 23/3/2026, vì ngày 21/3/2026 là thứ Bảy, thời hạn được kéo dài theo Điều 148 "
        "Bộ luật Dân sự"
    )
    assert extended in text and "thứ Bảy, 21/3/2026" not in text
    late = messages.reminder(DeliveryKind.OVERDUE, "vi", "Nguyễn Văn A", "Sở Tư pháp", quarter, 1)
    assert extended in late and "; đến nay đã quá hạn 1 ngày làm việc" in late and "((" not in late
    worded = dataclasses.replace(quarter, data_from=None, data_to=None, cutoff="từ ngày 15/12 năm trước đến 14/3")
    assert "Thời gian chốt số liệu: từ ngày 15/12 năm trước đến 14/3." in messages.reminder(
        DeliveryKind.BEFORE, "vi", "A", "B", worded, 3
    )


def test_a_period_as_a_column_names_it() -> None:
    assert messages.column_label("Báo cáo quý I/2026") == "Quý I/2026"
    assert messages.column_label("Báo cáo 6 tháng đầu năm 2026") == "6 tháng đầu năm 2026"
    assert messages.column_label("Báo cáo đột xuất: mưa lũ") == "Đột xuất: mưa lũ"


REMINDER_KINDS = (
    DeliveryKind.BEFORE,
    DeliveryKind.DUE,
    DeliveryKind.OVERDUE,  # the scheduler's overdue reminder and Sở Nội vụ's /nhacnho nudge render the same
    DeliveryKind.ESCALATION,
    DeliveryKind.UNSEEN,
)
LONG_DATE = re.compile(r"\b0\d/\d{1,2}/\d{4}\b|\b\d{1,2}/0\d/\d{4}\b")  # "15/04/2023": not the plans' style


def _every_kind_in_vietnamese() -> dict[str, str]:
    name, agency = "Nguyễn Văn A, Chuyên viên Văn phòng Sở", "Sở Tư pháp"
    texts = {
        k.value: messages.reminder(k, "vi", name, agency, REPORT, 3 if k is DeliveryKind.BEFORE else 1)
        for k in REMINDER_KINDS
    }
    texts["digest"] = messages.digest(
        "vi",
        "Phạm Minh Em",
        AT,
        [DigestPeriod("Báo cáo tháng 4/2023", REPORT.due_at, 1, 2, 21, ("Sở Tư pháp",))],
        DigestDeliveries(3, 1, 1, ("Hoàng Thị Dung (Ủy ban nhân dân huyện Na Hang)",)),
    )
    texts["notice"] = messages.notice("vi", name, agency, "Đề nghị các cơ quan rà soát số liệu.", "Sở Nội vụ")
    texts["adhoc"] = messages.adhoc_request("vi", name, agency, "Báo cáo đột xuất: Tình hình mưa lũ", AT, "Sở Nội vụ")
    texts["calendar"] = messages.reminder_moved("vi", name, agency, "Báo cáo tháng 4/2023", AT, AT, "nghỉ bù")
    return texts


@pytest.mark.parametrize("kind", [*(k.value for k in REMINDER_KINDS), "digest", "notice", "adhoc", "calendar"])
def test_every_message_kind_reads_as_the_office_writes(kind: str) -> None:
    """Issue 23: in Vietnamese, every kind of message opens "Kính gửi: Đồng chí …", has one date style, no "Nơi
    nhận", no "bot", no English word; a reminder is one request naming the agency, the report and where it goes."""
    text = _every_kind_in_vietnamese()[kind]
    assert text.startswith("Kính gửi: Đồng chí "), text
    assert "Nơi nhận" not in text and "bot" not in text.lower(), text
    assert not LONG_DATE.search(text), text
    assert not ENGLISH.search(text.replace("/danop", "")), text
    assert unicodedata.is_normalized("NFC", text)
    if kind in {k.value for k in REMINDER_KINDS}:
        assert text.startswith("Kính gửi: Đồng chí Nguyễn Văn A, Chuyên viên Văn phòng Sở Tư pháp.\n"), text
        request = text.splitlines()[1]
        assert request.startswith(
            "Thực hiện Kế hoạch số 46/KH-UBND ngày 14/3/2023 của Ủy ban nhân dân tỉnh Tuyên Quang"
        )
        assert request.count("Sở Nội vụ đề nghị") == 1 and "Báo cáo tháng 4/2023" in request
        assert "Sở Tư pháp" in request and "về Ủy ban nhân dân tỉnh (qua Sở Nội vụ tổng hợp)" in request
    if kind == "adhoc":
        assert "Sở Nội vụ đề nghị Sở Tư pháp gửi báo cáo đột xuất" in text


def test_a_provinces_digest_is_one_message_whatever_its_size() -> None:
    """Issue 30: on 16/6/2026 the digest was 9,881 characters (five Zalo messages listing 136 names a period, no
    plan numbers). Thirty plans, each with a period of 136 agencies of which 120 are overdue, and 40 people who
    blocked the bot: one message of at most 2,000 characters, each period with its plan, the names counted past a
    few, and the periods that do not fit counted with where to see them."""
    communes = tuple(f"Ủy ban nhân dân xã Số {n}" for n in range(120))
    periods = [
        DigestPeriod(f"Báo cáo quý II/2026 số {i}", REPORT.due_at, 10, 6, 120, communes, f"{i}/KH-UBND")
        for i in range(1, 31)
    ]
    blocked = tuple(f"Cán bộ {n} (Ủy ban nhân dân xã Số {n})" for n in range(40))
    text = messages.digest("vi", "Phạm Minh Em", AT, periods, DigestDeliveries(300, 2, 40, blocked, 97))
    assert len(text) <= messages.DIGEST_LIMIT, len(text)
    assert "Báo cáo quý II/2026 số 1 theo Kế hoạch số 1/KH-UBND" in text
    assert "và 112 cơ quan khác" in text  # 8 of 120 named
    shown = text.count("• Báo cáo quý II/2026")
    assert 1 <= shown < 30 and f"… và {30 - shown} kỳ báo cáo khác: xem trên trang quản trị." in text
    assert "và 32 người khác" in text  # the people who blocked the bot, 8 named
    assert "97 cơ quan còn phải báo cáo chưa có cán bộ đầu mối nhận được tin nhắc" in text
    small = messages.digest("vi", "Phạm Minh Em", AT, periods[:1], DigestDeliveries(3, 0, 0, ()))
    assert small.count("Ủy ban nhân dân xã Số") == 25  # one plan: more names, still counted past 25
