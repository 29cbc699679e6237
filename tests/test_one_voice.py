"""One voice (issue 30): every message kind, chat reply and officer-facing page of a province's June 2026, rendered in
Vietnamese, read for what an office would never write — an English word, a parenthesis inside another, a day off
given as the last day without the day the law runs it to, a report period without its plan.

Tuyên Quang with five plans of 2026 and plan 46 as history (tests/province_2026.py). Real database, the real
conversation engine, reminder planner and the dashboard's real routes over ASGI; the only fake is the chat platform.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import date, datetime

import pytest
import time_machine
from sqlalchemy import select

from core import messages
from core.deadlines import VN_TZ
from core.messages import DigestDeliveries, DigestPeriod
from core.types import Platform
from core.usecases import reminders
from core.usecases.rules import Rules
from models import tables as t
from tests.chat_harness import make_harness
from tests.conftest import Database
from tests.dashboard_client import signed_in
from tests.province_2026 import province_2026

NOW = datetime(2026, 6, 16, 9, 0, tzinfo=VN_TZ)  # a Tuesday: June's reports due, some overdue
# Words of English that are no Vietnamese syllable: none may stand on a Vietnamese screen.
ENGLISH = re.compile(
    r"\b(the|and|of|is|are|was|via|nobody|registered|holidays?|does|not|load|field|unknown|deadline|reports?|sent|"
    r"please|with|from|this|that|for|agency|agencies|series|code|none|true|false|error|period|plan|overdue|late)\b",
    re.I,
)
NESTED = re.compile(r"\([^()]*\(")
# "hạn chót …, Chủ nhật, 14/6/2026": a day off given as the last day. Allowed only with the day the law runs it to
# (Điều 148) or the working day before, in the same sentence.
DAY_OFF_LAST = re.compile(r"(hạn chót|chậm nhất|hạn gửi)[^.\n]*?(thứ Bảy|Chủ nhật), \d{1,2}/\d{1,2}/\d{4}")
PERIOD = re.compile(r"Báo cáo (tháng \d|quý [IV]+/|6 tháng|9 tháng|năm \d)")


@pytest.fixture
def in_june() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _read(where: str, text: str, plan_named: bool = True) -> list[str]:
    """What an office would never write in ``text``; ``plan_named``: every period must come with its plan."""
    faults = []
    english = [m.group(0) for m in ENGLISH.finditer(text)]
    if english:
        faults.append(f"{where}: English {sorted(set(english))}")
    if NESTED.search(text):
        faults.append(f"{where}: nested parentheses near {NESTED.search(text).group(0)!r}")  # type: ignore[union-attr]
    for m in DAY_OFF_LAST.finditer(text):
        sentence = text[m.start() : text.find(".", m.end()) if "." in text[m.end() :] else len(text)]
        if "Điều 148" not in sentence and "ngày làm việc" not in sentence:
            faults.append(f"{where}: a day off as the last day: {m.group(0)!r}")
    if plan_named and PERIOD.search(text) and "Kế hoạch số" not in text and "KH " not in text:
        faults.append(f"{where}: a period without its plan")
    return faults


def _page_text(page: str) -> str:
    body = page[page.find("<main") :]
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


async def test_every_message_a_province_sends_in_june_reads_as_an_office_writes(loaded: Database, in_june) -> None:  # type: ignore[no-untyped-def]
    await province_2026(loaded)
    async with loaded.uows() as uow:
        previews = await reminders.preview_texts(
            uow, Rules(), datetime(2026, 6, 1, tzinfo=VN_TZ), datetime(2026, 6, 30, 23, 59, tzinfo=VN_TZ)
        )
    kinds = {x.point.kind for x in previews}
    assert {"before", "due", "overdue", "escalation", "digest"} <= {k.value for k in kinds}
    assert any(x.reports > 1 for x in previews)  # messages carrying several reports are read too
    faults = [f for x in previews for f in _read(f"{x.point.kind.value} to {x.agency}", x.text)]
    # The texts no reminder point writes: a notice, an ad-hoc request, Zalo's quota, a linked account, a moved
    # reminder, a copy brought up to date, and a digest of many plans.
    due, monday = datetime(2026, 6, 14, 23, 59, tzinfo=VN_TZ), date(2026, 6, 15)  # a Sunday, run on to Monday
    others = {
        "notice": messages.notice("vi", "Nguyễn Văn An", "Sở Tư pháp", "Họp giao ban ngày 20/6/2026.", "Sở Nội vụ"),
        "adhoc": messages.adhoc_request("vi", "A", "Sở Tư pháp", "Báo cáo đột xuất: mưa lũ", due, "Sở Nội vụ", monday),
        "quota": messages.quota_warning("vi", "Phạm Minh Em", "zalo", 1800, 2000, 90),
        "linked": messages.account_linked("vi", "Nguyễn Văn An", "zalo", NOW),
        "moved": messages.reminder_moved("vi", "A", "Sở Tư pháp", "Báo cáo quý II/2026", NOW, NOW, "nghỉ bù"),
        "digest": messages.digest(
            "vi",
            "Phạm Minh Em",
            NOW,
            [DigestPeriod("Báo cáo quý II/2026", due, 3, 1, 132, ("Sở Tư pháp",), "08/KH-UBND", monday)],
            DigestDeliveries(12, 0, 1, ("Nguyễn Văn An",), 3),
        ),
    }
    for kind, text in others.items():
        faults += _read(kind, text, plan_named=kind in ("digest",))
    assert not faults, "\n".join(faults[:20])


async def test_every_chat_answer_and_officer_page_reads_as_an_office_writes(loaded: Database, in_june) -> None:  # type: ignore[no-untyped-def]
    await province_2026(loaded)
    h = make_harness(loaded, NOW)
    focal = h.person("stp-focal", "Nguyễn Văn An", Platform.CONSOLE)
    admin = h.person("snv-admin", "Phạm Minh Em", Platform.CONSOLE)
    faults: list[str] = []
    await focal.say("/danop 08/KH-UBND quy:2026-Q2")  # confirmed from the chat: the cell page says how
    await focal.press("Xác nhận đã nộp")
    for command in ("/tuannay", "/hanbaocao", "/trangthai", "/nhiemvu", "/danop", "/huongdan"):
        await focal.say(command)
        faults += _read(command, focal.text, plan_named=command != "/huongdan")
    for command in ("/tonghop quy:2026-Q2", "/tonghop", "/nhacnho"):
        await admin.say(command)
        faults += _read(command, admin.text)
        for choice in admin.last[-1].choices:  # a choice reads as words, never a machine key
            assert not re.search(r"\w+:\d{4}-", choice.label), (command, choice.label)
    async with signed_in(loaded) as officer:
        async with loaded.sessions() as s:
            quarter = await s.scalar(select(t.Submission.period_id).join(t.Agency).where(t.Agency.code == "STP"))
        cell = f"/o/{quarter}/STP"
        for path in ("/", "/tuan-nay", "/xu-huong", "/can-bo", "/lich", "/ke-hoach", "/dot-xuat", "/thong-bao", cell):
            page = await officer.client.get(path)
            assert page.status_code == 200, path
            faults += _read(path, _page_text(page.text), plan_named=path in ("/tuan-nay", "/", cell))
    assert not faults, "\n".join(faults[:30])
