"""The contract of every repository port (core/repositories.py), run against the SQL implementation on
SQLite and, when TEST_DATABASE_URL is set, on PostgreSQL. A second implementation must pass these too.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from core.deadlines import VN_TZ
from core.repositories import Conflict, UnitOfWork
from core.types import (
    DeliveryKind,
    DeliveryStatus,
    NewDelivery,
    Platform,
    Priority,
    Role,
    RunOutcome,
    Sender,
)
from tests.conftest import Database

NOW = datetime(2023, 4, 10, 9, 0, tzinfo=VN_TZ)


def sender(user: str, platform: Platform = Platform.TELEGRAM) -> Sender:
    return Sender(platform, user, f"chat-{user}", f"Người {user}")


async def person(uow: UnitOfWork, agency: str, role: Role, user: str, platform: Platform = Platform.TELEGRAM) -> int:
    found = await uow.agencies.by_code(agency)
    assert found is not None
    person_id = await uow.accounts.add_person(f"Người {user}", found.id, role, NOW)
    return await uow.accounts.add_account(person_id, sender(user, platform), NOW)


def note(key: str, account_id: int, priority: Priority = Priority.NORMAL) -> NewDelivery:
    return NewDelivery(key, account_id, DeliveryKind.BEFORE, f"tin {key}", priority)


# ------------------------------------------------------------------ the unit of work


async def test_nothing_is_kept_without_commit_and_everything_with_it(loaded: Database) -> None:
    async with loaded.uows() as uow:
        await person(uow, "STP", Role.FOCAL, "a")
    async with loaded.uows() as uow:
        assert await uow.accounts.by_sender(sender("a")) is None
        await person(uow, "STP", Role.FOCAL, "a")
        await uow.commit()
    async with loaded.uows() as uow:
        account = await uow.accounts.by_sender(sender("a"))
        assert account is not None and account.agency_code == "STP" and account.role is Role.FOCAL


async def test_an_error_inside_the_unit_rolls_it_back(loaded: Database) -> None:
    with pytest.raises(RuntimeError):
        async with loaded.uows() as uow:
            await person(uow, "STP", Role.FOCAL, "a")
            raise RuntimeError("boom")
    async with loaded.uows() as uow:
        assert not await uow.accounts.is_registered(Platform.TELEGRAM, "a")


# ------------------------------------------------------------------ accounts


async def test_accounts_recipients_prefer_the_chosen_unblocked_account(loaded: Database) -> None:
    async with loaded.uows() as uow:
        tg = await person(uow, "STP", Role.FOCAL, "a")
        me = await uow.accounts.by_sender(sender("a"))
        assert me is not None
        zalo = await uow.accounts.add_account(me.person_id, sender("a", Platform.ZALO), NOW)
        await person(uow, "STP", Role.LEADER, "b")
        await person(uow, "UBND-NH", Role.FOCAL, "c")
        await uow.commit()
    async with loaded.uows() as uow:
        assert [r.account_id for r in await uow.accounts.recipients(Role.FOCAL, ["STP"])] == [tg]
        assert len(await uow.accounts.recipients(None)) == 3  # one account per person
        await uow.accounts.set_preferred(me.person_id, zalo)
        assert [r.account_id for r in await uow.accounts.recipients(Role.FOCAL, ["STP"])] == [zalo]
        assert await uow.accounts.other_account(zalo, [Platform.TELEGRAM, Platform.ZALO]) == (tg, Platform.TELEGRAM)
        assert await uow.accounts.other_account(zalo, [Platform.ZALO]) is None
        assert await uow.accounts.same_person(tg, zalo)
        await uow.accounts.block(zalo, NOW)
        assert [r.account_id for r in await uow.accounts.recipients(Role.FOCAL, ["STP"])] == [tg]
        assert await uow.accounts.blocked_people() == ["Người a (Sở Tư pháp)"]
        assert [(a.platform, a.preferred) for a in await uow.accounts.accounts_of(me.person_id)] == [
            (Platform.TELEGRAM, False),
            (Platform.ZALO, True),
        ]
        await uow.accounts.set_language(tg, "en")
        again = await uow.accounts.by_sender(sender("a"))
        assert again is not None and again.language == "en"
        assert await uow.accounts.chat_ids(Platform.TELEGRAM, Role.LEADER) == ["chat-b"]


# ------------------------------------------------------------------ agencies and periods


async def test_agencies_and_tasks(loaded: Database) -> None:
    async with loaded.uows() as uow:
        agencies = await uow.agencies.all()
        assert len(agencies) == 36 and agencies[0].kind.value == "department"
        assert await uow.agencies.by_code(" stp ") == next(a for a in agencies if a.code == "STP")
        assert await uow.agencies.by_code("NOPE") is None
        ttra = await uow.agencies.by_code("TTRA")
        assert ttra is not None
        refs = [t.ref for t in await uow.agencies.tasks_of(ttra.id)]
        assert refs[:2] == ["II.1", "II.2"] and "III.7" in refs
        listing = {(t.ref, t.paragraph): t for t in await uow.agencies.all_tasks()}
        assert "TTRA" in listing[("III.7", 1)].lead and "TTRA" in listing[("III.7", 2)].carry_out
        assert "SYT" in listing[("II.1", 0)].carry_out and not listing[("II.1", 0)].lead


async def test_periods_are_found_by_key_series_key_or_label_and_never_ambiguously(loaded: Database) -> None:
    async with loaded.uows() as uow:
        april = await uow.periods.find("2023-04", NOW)
        assert (
            april is not None
            and april.label == "Báo cáo tháng 4/2023"
            and april.receiver == "Ủy ban nhân dân tỉnh (qua Sở Nội vụ tổng hợp)"
            and april.via == "Sở Nội vụ"
        )
        assert await uow.periods.find("thang:2023-04", NOW) == april
        assert await uow.periods.find("Báo cáo tháng 4/2023", NOW) == april
        assert await uow.periods.find("2099-01", NOW) is None
        latest = await uow.periods.find(None, datetime(2023, 5, 20, tzinfo=VN_TZ))
        assert latest is not None and latest.key == "2023-05"
        assert [p.key for p in await uow.periods.all(due_to=april.due_at)] == ["2023-04"]


async def test_submissions_one_live_per_agency_and_period(loaded: Database) -> None:
    async with loaded.uows() as uow:
        stp = await uow.agencies.by_code("STP")
        april = await uow.periods.find("2023-04", NOW)
        assert stp and april
        assert await uow.periods.owes(stp.id, april.id)
        first = await uow.periods.add_submission(stp.id, april.id, NOW, False, "test", None, "1/BC-STP", None)
        with pytest.raises(Conflict):
            await uow.periods.add_submission(stp.id, april.id, NOW, False, "test", None, None, None)
    async with loaded.uows() as uow:  # the conflict rolled the unit back: nothing is recorded
        assert await uow.periods.live_submission(stp.id, april.id) is None
        first = await uow.periods.add_submission(stp.id, april.id, NOW, False, "test", None, "1/BC-STP", None)
        live = await uow.periods.live_submission(stp.id, april.id)
        assert live is not None and live.id == first and live.document_number == "1/BC-STP"
        status = {r.agency.code: r for r in await uow.periods.status(april.id)}
        assert status["STP"].submitted_at == NOW and status["STC"].submitted_at is None and len(status) == 24
        assert await uow.periods.confirmations([april.id]) == {("STP", april.id): NOW}
        assert [p.period.id for p in await uow.periods.recent_submissions(stp.id, NOW - timedelta(hours=1))] == [
            april.id
        ]
        await uow.periods.mark_undone(first, NOW + timedelta(minutes=5), None)
        assert await uow.periods.live_submission(stp.id, april.id) is None
        owed = await uow.periods.of_agency(stp.id, NOW - timedelta(days=30), NOW + timedelta(days=30))
        assert owed[0].period.key == "2023-04" and owed[0].submitted_at is None


async def test_adhoc_periods_and_planning_rows(loaded: Database) -> None:
    async with loaded.uows() as uow:
        series = await uow.periods.latest_adhoc_series()
        assert series is not None
        due = datetime(2023, 4, 20, 23, 59, 59, tzinfo=VN_TZ)
        made = await uow.periods.add_period(series.id, "2023-04-20", "Báo cáo đột xuất: lũ", NOW, due, ["STP", "X"])
        assert made.due_at == due and made.key.startswith("2023-04-20-")
        rows = {r.period.id: r for r in await uow.periods.planning_rows(NOW, due)}
        assert rows[made.id].agencies == ("STP",)
        april = await uow.periods.find("2023-04", NOW)
        assert april is not None and len(rows[april.id].agencies) == 24 and "SNV" not in rows[april.id].agencies


# ------------------------------------------------------------------ outbox


async def test_outbox_enqueue_is_deduplicated_and_claims_by_priority(loaded: Database) -> None:
    async with loaded.uows() as uow:
        a = await person(uow, "STP", Role.FOCAL, "a")
        z = await person(uow, "STP", Role.FOCAL, "z", Platform.ZALO)
        items = [note("k1", a, Priority.LOW), note("k2", a, Priority.URGENT), note("k3", z), note("k1", a)]
        assert await uow.outbox.enqueue(items, NOW) == 3
        assert await uow.outbox.enqueue([note("k2", a)], NOW) == 0
        await uow.commit()
    async with loaded.uows() as uow:
        claimed = await uow.outbox.claim_due(NOW, 10, [Platform.TELEGRAM])
        assert [c.text for c in claimed] == ["tin k2", "tin k1"]  # urgent first; Zalo's row stays
        assert claimed[0].chat_id == "chat-a" and claimed[0].language == "vi"
        assert await uow.outbox.claim_due(NOW, 10, [Platform.TELEGRAM]) == []
        assert await uow.outbox.release_stale(NOW + timedelta(minutes=1), timedelta(minutes=5)) == 0
        assert await uow.outbox.release_stale(NOW + timedelta(minutes=6), timedelta(minutes=5)) == 2
        await uow.outbox.mark_sent(claimed[0].id, "m-1", NOW)
        await uow.outbox.mark_retry(claimed[1].id, "timeout", NOW + timedelta(minutes=1))
        assert await uow.outbox.claim_due(NOW, 10, [Platform.TELEGRAM]) == []  # not before its retry time
        again = await uow.outbox.claim_due(NOW + timedelta(minutes=2), 10, [Platform.TELEGRAM])
        assert [(c.text, c.attempts) for c in again] == [("tin k1", 1)]
        await uow.outbox.mark_final(again[0].id, DeliveryStatus.FAILED, "gave up")
        stored = await uow.outbox.get(claimed[0].id)
        assert stored is not None and stored.dedup_key == "k2" and stored.priority is Priority.URGENT
        counts = await uow.outbox.status_counts(NOW - timedelta(hours=1), NOW + timedelta(hours=1))
        assert counts == {DeliveryStatus.SENT: 1, DeliveryStatus.FAILED: 1, DeliveryStatus.PENDING: 1}


# ------------------------------------------------------------------ notices, invites, conversations, runs, usage


async def test_notices_count_acknowledgements_once(loaded: Database) -> None:
    async with loaded.uows() as uow:
        a = await person(uow, "STP", Role.FOCAL, "a")
        notice = await uow.notices.add(None, "Họp lúc 14:00", {"agencies": ["STP"]}, NOW)
        item = NewDelivery("n#a", a, DeliveryKind.NOTICE, "Họp", Priority.BULK, notice)
        await uow.outbox.enqueue([item], NOW)
        assert await uow.notices.acknowledge(notice, a, NOW)
        assert not await uow.notices.acknowledge(notice, a, NOW)
        (summary,) = await uow.notices.summaries(5)
        assert (summary.recipients, summary.delivered, summary.acknowledged) == (1, 0, 1)


async def test_invites_are_claimed_once(loaded: Database) -> None:
    async with loaded.uows() as uow:
        stp = await uow.agencies.by_code("STP")
        assert stp
        invite = await uow.invites.add("CODE0000", stp.id, Role.LEADER, NOW, NOW + timedelta(days=1), "test")
        found = await uow.invites.by_code("CODE0000")
        assert found is not None and found.id == invite and found.role is Role.LEADER and found.used_at is None
        assert await uow.invites.claim(invite, NOW)
        assert not await uow.invites.claim(invite, NOW)
        assert await uow.invites.by_code("NOPE") is None


async def test_choices_and_conversation_state(loaded: Database) -> None:
    async with loaded.uows() as uow:
        a = await person(uow, "STP", Role.FOCAL, "a")
        first = await uow.conversations.offer(a, [("x", {}), ("y", {"n": 1})], NOW, timedelta(hours=1))
        second = await uow.conversations.offer(a, [("z", {})], NOW, timedelta(hours=1))
        assert len(set(first + second)) == 3
        assert await uow.conversations.pick(a, 1, NOW) == second[0]  # numbers refer to the latest menu
        assert await uow.conversations.pick(a, 2, NOW) is None
        assert await uow.conversations.pick(a, 1, NOW + timedelta(hours=2)) is None  # expired
        row = await uow.conversations.choice(first[1])
        assert row is not None and (row.action, row.payload, row.account_id) == ("y", {"n": 1}, a)
        assert await uow.conversations.use_menu(row.menu_id, NOW)
        assert not await uow.conversations.use_menu(row.menu_id, NOW)
        used = await uow.conversations.choice(first[0])
        assert used is not None and used.used_at is not None  # the sibling is used up with it
        await uow.conversations.set_state(a, "submit", {"period_id": 3}, NOW + timedelta(hours=2))
        assert await uow.conversations.state(a, NOW) == ("submit", {"period_id": 3})
        assert await uow.conversations.state(a, NOW + timedelta(hours=3)) is None
        await uow.conversations.clear_state(a)
        assert await uow.conversations.state(a, NOW) is None


async def test_reminder_runs_are_handled_once(loaded: Database) -> None:
    async with loaded.uows() as uow:
        await uow.runs.add("p:1", NOW, NOW, RunOutcome.FIRED, 3)
        assert await uow.runs.is_handled("p:1") and not await uow.runs.is_handled("p:2")
        assert await uow.runs.handled_keys(NOW - timedelta(days=1)) == {"p:1"}
        await uow.commit()
    async with loaded.uows() as uow:
        with pytest.raises(Conflict):
            await uow.runs.add("p:1", NOW, NOW, RunOutcome.STALE, 0)


async def test_usage_accumulates_per_platform_and_month(loaded: Database) -> None:
    async with loaded.uows() as uow:
        assert await uow.usage.used(Platform.ZALO, "2023-04") == 0
        assert await uow.usage.take(Platform.ZALO, "2023-04", 2, 10) == (2, 0)
        await uow.usage.set_warned(Platform.ZALO, "2023-04", 80)
        assert await uow.usage.take(Platform.ZALO, "2023-04", 1, 10) == (3, 80)
        assert await uow.usage.take(Platform.ZALO, "2023-04", 8, 10) is None  # over the limit: nothing taken
        await uow.usage.give_back(Platform.ZALO, "2023-04", 1)  # reserved, not sent
        assert await uow.usage.used(Platform.ZALO, "2023-05") == 0
        await uow.commit()
    async with loaded.uows() as uow:
        assert await uow.usage.used(Platform.ZALO, "2023-04") == 2
