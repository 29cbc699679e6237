"""Erasure touches the person only (issue 28, finding 1 and finding 10).

In Tuyên Quang with its 124 communes and wards loaded, people registered under the nicknames "Minh Xuân" (at phường
Minh Xuân), "Ủy ban nhân dân", "Sở Tư pháp" and "Nguyễn Văn An" (beside a "Nguyễn Văn Anh") are erased one after
the other; a dump of every table before and after each erasure differs only in the erased person's rows and in the
places that quote that person by name. Real database (SQLite, and PostgreSQL when configured), the real
conversation core and outbox sender; the chat platform is the only fake (RecordingChannel).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
import time_machine
from sqlalchemy import JSON, String, Text, select

from core.deadlines import VN_TZ
from core.types import OPERATOR, Role
from core.usecases import privacy
from models import tables as t
from models.base import Base
from models.repos.privacy import NEVER_PEOPLE, QUOTES_PEOPLE, THE_PERSONS_OWN
from tests.chat_harness import Harness, tuyen_quang_harness
from tests.conftest import Database

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=VN_TZ)
# Tables an erasure must leave exactly as they were, whoever is erased.
REGISTRY = {
    "agency",
    "agency_name",
    "agency_successor",
    "plan",
    "plan_draft",
    "task",
    "task_assignment",
    "report_series",
    "series_agency",
    "report_period",
    "period_agency",
    "calendar_day",
    "submission",
}

# Tables whose rows hang from a chat account: an erasure may change those of the person's accounts.
OWN = {"pending_choice", "conversation_state", "web_session", "web_login"}


@pytest.fixture(autouse=True)
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_every_text_column_is_declared_as_quoting_people_or_not() -> None:
    """A column added later must be decided on: does it quote a person by name?"""
    columns = {
        f"{table.name}.{column.name}"
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, String | Text | JSON)
    }
    declared = QUOTES_PEOPLE | THE_PERSONS_OWN | NEVER_PEOPLE
    assert columns - declared == set(), "declare these in models/repos/privacy.py"
    assert declared - columns == set(), "these are declared but do not exist"
    assert not (QUOTES_PEOPLE & NEVER_PEOPLE) and not (THE_PERSONS_OWN & NEVER_PEOPLE)


Rows = dict[str, dict[str, dict[str, Any]]]


async def dump(db: Database) -> Rows:
    """Every row of every table, keyed by table and primary key (JSON decoded)."""
    tables: Rows = {}
    async with db.sessions() as s:
        for table in Base.metadata.sorted_tables:
            keys = [c.name for c in table.primary_key.columns]
            rows = (await s.execute(select(table))).mappings().all()
            tables[table.name] = {
                json.dumps([r[k] for k in keys], default=str): json.loads(json.dumps(dict(r), default=str))
                for r in rows
            }
    return tables


def changed(before: Rows, after: Rows) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for name in before:
        keys = set(before[name]) | set(after[name])
        diff = {k for k in keys if before[name].get(k) != after[name].get(k)}
        if diff:
            out[name] = diff
    return out


def mentions(value: Any, name: str) -> bool:
    """Whether the whole name is in the value, in any case, Unicode form or spacing."""
    text = unicodedata.normalize("NFC", json.dumps(value, ensure_ascii=False))
    words = r"\s+".join(re.escape(w) for w in name.split())
    return re.search(r"(?<!\w)" + words + r"(?!\w)", text, re.IGNORECASE) is not None


async def _people(db: Database) -> dict[str, tuple[int, list[int]]]:
    async with db.sessions() as s:
        rows = (await s.execute(select(t.Person.display_name, t.Person.id, t.ChatAccount.id).join(t.ChatAccount))).all()
    found: dict[str, tuple[int, list[int]]] = {}
    for name, pid, aid in rows:
        found.setdefault(name, (pid, []))[1].append(aid)
    return found


@pytest.fixture
async def h(loaded: Database) -> Harness:
    return await tuyen_quang_harness(loaded)


async def test_erasing_names_that_are_also_the_registrys_words_changes_only_the_person(h: Harness) -> None:
    async with h.db.sessions() as s:
        minh_xuan = await s.scalar(select(t.Agency.code).where(t.Agency.name == "Ủy ban nhân dân phường Minh Xuân"))
        communes = await s.scalar(select(t.Agency.id).where(t.Agency.kind == "commune").limit(1))
    assert minh_xuan is not None and communes is not None
    admin = await h.registered("adm", "Phạm Quản Trị", "SNV", Role.ADMIN)
    await h.registered("mx", "Minh Xuân", minh_xuan, Role.FOCAL)
    await h.registered("ub", "Ủy ban nhân dân", "STP", Role.FOCAL)
    await h.registered("tp", "Sở Tư pháp", "SYT", Role.FOCAL)
    await h.registered("an", "Nguyễn Văn An", "STP", Role.LEADER)
    await h.registered("anh", "Nguyễn Văn Anh", "STC", Role.FOCAL)
    # Others' messages quote the people, the agencies and the province in every way an officer types them.
    await admin.say("/thongbao")
    await admin.say(
        "Đề nghị đồng chí Nguyễn Văn An (Sở Tư pháp), đồng chí NGUYỄN  VĂN AN và đồng chí Nguyễn Văn Anh phối hợp "
        "với Ủy ban nhân dân phường Minh Xuân, UBND phường Minh Xuân và Sở Tư pháp báo cáo Ủy ban nhân dân tỉnh; "
        + unicodedata.normalize("NFD", "liên hệ đồng chí Nguyễn Văn An.")
    )
    await admin.press("Tất cả")
    await admin.press("Gửi")
    await h.sender.drain_once()
    assert len(h.channel.sent) >= 5
    async with h.db.uows() as uow:
        await uow.audit.record(
            "account:1", "note", "person", None, {"who": unicodedata.normalize("NFD", "Nguyễn Văn An")}, at=NOW
        )
        await uow.commit()

    for name in ("Minh Xuân", "Ủy ban nhân dân", "Sở Tư pháp", "Nguyễn Văn An"):
        people = await _people(h.db)
        person_id, account_ids = people[name]
        before = await dump(h.db)
        async with h.db.uows() as uow:
            await privacy.erase(uow, OPERATOR, person_id, NOW)
            await uow.commit()
        after = await dump(h.db)
        diff = changed(before, after)
        assert not (REGISTRY & set(diff)), (name, REGISTRY & set(diff))
        assert set(diff) <= {"person", "chat_account", "delivery", "notice", "audit_log", "invite", *OWN}, diff
        for table in OWN & set(diff):  # their choices, conversations and sessions
            for key in diff[table]:
                row = before[table].get(key) or after[table][key]
                assert row["account_id"] in account_ids, (name, table, row)
        assert [json.loads(k)[0] for k in diff["person"]] == [person_id], name
        for key in diff.get("chat_account", ()):
            assert after["chat_account"][key]["person_id"] == person_id, name
        for key in diff.get("invite", ()):
            row = after["invite"][key]
            assert row["person_id"] == person_id or row["used_by_account_id"] in account_ids, name
        added_audit = set(after["audit_log"]) - set(before["audit_log"])
        assert [after["audit_log"][k]["action"] for k in added_audit] == ["erase_personal_data"], name
        quoted = name == "Nguyễn Văn An"  # the only one of the four that is no agency's, plan's or person's word
        for key in diff.get("delivery", ()):
            row_before, row_after = before["delivery"][key], after["delivery"][key]
            if row_after["account_id"] in account_ids:
                assert row_after["text"] == "", name  # the texts sent to the person are cleared
                continue
            assert quoted, (name, row_before["text"])
            assert mentions(row_before["text"], name) and not mentions(row_after["text"], name)
        for key in diff.get("audit_log", set()) - added_audit:
            row_before, row_after = before["audit_log"][key], after["audit_log"][key]
            if row_after["actor"] in {f"account:{a}" for a in account_ids}:  # their own actions: "telegram:mx"
                row_before = {**row_before, "actor": row_after["actor"]}
            if row_before != row_after:
                assert quoted, (name, row_before)
        for key in diff.get("notice", ()):
            assert quoted, (name, before["notice"][key])
        if quoted:
            assert {"delivery", "notice"} <= set(diff)  # the check above can fail
            for table, rows in after.items():
                for row in rows.values():
                    if table != "person":
                        assert not mentions(row, name), (table, row)
            # Nguyễn Văn Anh is another person: his name stays wherever it was.
            anh = [r for r in after["delivery"].values() if "đồng chí Nguyễn Văn Anh phối hợp" in r["text"]]
            assert len(anh) >= 2
            assert all(
                "Ủy ban nhân dân phường Minh Xuân, UBND phường Minh Xuân và Sở Tư pháp" in r["text"] for r in anh
            )
            assert "Cán bộ đầu mối" not in json.dumps(after["agency"], ensure_ascii=False)
    # The registry as it was: the ward keeps its name, and no agency became "(đã xóa)".
    async with h.db.sessions() as s:
        names = set(await s.scalars(select(t.Agency.name)))
    assert "Ủy ban nhân dân phường Minh Xuân" in names and "Sở Tư pháp" in names
    assert not any("đã xóa" in n for n in names)
