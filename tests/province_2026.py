"""A province's 2026, for the tests of issue 30: Tuyên Quang loaded (13 departments, 124 communes and wards), plan 46 of
2023 as history, and five plans of 2026 with overlapping regimes (the fixtures of tests/fixtures/plans: 08/KH-UBND's
quarterly and 6-month reports of departments and communes, 12/KH-UBND's one series of every regime, the digital
transformation and citizens' reception plans, and 21/KH-UBND's monthly reports of the communes); focal persons and
leaders registered for Sở Tư pháp, Sở Y tế and phường Minh Xuân, and a Sở Nội vụ admin.

``simulate`` runs the real reminder engine and outbox sender over days of it with the clock moved (time-machine),
each point fired as its APScheduler job would fire it and the outbox drained after every job (the sender is kicked
after each), recording what every chat received and when. The only fake is the chat platform (RecordingChannel).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import time_machine
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from core import registry
from core.deadlines import VN_TZ, to_vn
from core.planfile import load_plan_file
from core.types import OPERATOR, Platform, Role
from core.usecases import plan, province, reminders
from core.usecases.rules import Rules
from scheduler.engine import ReminderEngine
from scheduler.sender import OutboxSender
from tests.conftest import ROOT, Database
from tests.factories import add_person
from tests.fakes import RecordingChannel

PLANS = ROOT / "tests" / "fixtures" / "plans"
PLAN_FILES = (
    PLANS / "cchc-2026.expected.toml",  # 08/KH-UBND
    PLANS / "cchc-2026-2027.toml",  # 12/KH-UBND
    PLANS / "cds-2026-2030.expected.toml",
    PLANS / "tcd-2026.expected.toml",
    PLANS / "xa-2026.toml",  # 21/KH-UBND
)
TUYEN_QUANG = registry.province("Tuyên Quang")


def commune(name: str) -> str:
    """The stable code of the commune or ward the official list calls ``name``."""
    return province.commune_code(next(c.code for c in TUYEN_QUANG.communes if c.name == name))


MINH_XUAN = commune("Phường Minh Xuân")
PEOPLE = (  # (agency, role, name, chat)
    ("STP", Role.FOCAL, "Nguyễn Văn An, Chuyên viên Văn phòng Sở", "stp-focal"),
    ("STP", Role.LEADER, "Trần Văn Cường, Giám đốc Sở", "stp-leader"),
    ("SYT", Role.FOCAL, "Lê Thị Hạnh", "syt-focal"),
    ("SYT", Role.LEADER, "Hoàng Văn Minh, Giám đốc Sở", "syt-leader"),
    (MINH_XUAN, Role.FOCAL, "Nguyễn Thị Hoa", "mx-focal"),
    (MINH_XUAN, Role.LEADER, "Ma Văn Lâm, Chủ tịch UBND phường", "mx-leader"),
    ("SNV", Role.ADMIN, "Phạm Minh Em", "snv-admin"),
)


async def province_2026(db: Database) -> None:
    """On a database holding plan 46: the province loaded, the five plans of 2026 imported, the people registered."""
    async with db.uows() as uow:
        await province.load(uow, OPERATOR, "Tuyên Quang", date(2025, 7, 1))
        await uow.commit()
    for path in PLAN_FILES:
        async with db.uows() as uow:
            await plan.import_plan(uow, OPERATOR, load_plan_file(path, registry=await plan.registered(uow)))
            await uow.commit()
    for agency, role, name, chat in PEOPLE:
        await add_person(db, agency, role, name, chat)


@dataclass
class Received:
    """What each chat received, message by message, with the instant of the point that sent it."""

    messages: list[tuple[datetime, str, str]] = field(default_factory=list)  # (instant, chat, text)

    def per_moment(self, chat: str) -> Counter[datetime]:
        return Counter(at for at, c, _ in self.messages if c == chat)

    def per_month(self, chat: str) -> Counter[str]:
        return Counter(f"{to_vn(at):%Y-%m}" for at, c, _ in self.messages if c == chat)

    def texts(self, chat: str) -> list[str]:
        return [text for _, c, text in self.messages if c == chat]


async def simulate(
    db: Database,
    traveller: time_machine.Traveller,
    first: date,
    last: date,
    rules: Rules | None = None,
) -> Received:
    """Run the engine and the sender from ``first`` to ``last`` (inclusive): every day at 00:05 the points of the day
    as the engine derives them, then each point at its instant as its job fires it, the outbox drained after each."""
    rules = rules or Rules()
    channel = RecordingChannel()
    sender = OutboxSender(db.uows, {Platform.CONSOLE: channel})
    engine = ReminderEngine(db.uows, rules, sender, AsyncIOScheduler(timezone=VN_TZ))
    received = Received()
    day = first
    while day <= last:
        traveller.move_to(datetime.combine(day, time(0, 5), tzinfo=VN_TZ))
        async with db.uows() as uow:
            points = await reminders.upcoming(
                uow, rules, to_vn(datetime.now(VN_TZ)), timedelta(days=1), timedelta(days=45)
            )
        for point in sorted((p for p in points if to_vn(p.at).date() == day), key=lambda p: (p.at, p.key)):
            traveller.move_to(point.at)
            before = len(channel.sent)
            await engine.fire_key(point.key, point.at)
            await sender.drain_once()
            received.messages += [(point.at, chat, text) for chat, text in channel.sent[before:]]
        day += timedelta(days=1)
    return received
