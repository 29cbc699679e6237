"""Signing in to the dashboard (core.usecases.web_access) on a real database: a link works once and for ten
minutes, a session lasts eight hours, the role is read anew on every request, and "sign out everywhere"
ends every session of the person. No browser here (tests/web has one)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.deadlines import utcnow
from core.errors import LinkRefused
from core.types import Role
from core.usecases import people, web_access
from tests.conftest import Database


async def _link(db: Database, agency: str = "SNV", role: Role = Role.ADMIN, at_offset: timedelta = timedelta()) -> str:
    async with db.uows() as uow:
        token = await web_access.operator_link(uow, agency, role, "Quản trị viên", utcnow() + at_offset)
        await uow.commit()
    return token


async def _sign_in(db: Database, token: str) -> str:
    async with db.uows() as uow:
        session = await web_access.sign_in(uow, token, utcnow())
        await uow.commit()
    return session


async def test_a_link_works_once_and_not_after_ten_minutes(loaded: Database) -> None:
    token = await _link(loaded)
    session = await _sign_in(loaded, token)
    with pytest.raises(LinkRefused):
        await _sign_in(loaded, token)  # used
    with pytest.raises(LinkRefused):
        await _sign_in(loaded, await _link(loaded, at_offset=-timedelta(minutes=11)))  # expired
    with pytest.raises(LinkRefused):
        await _sign_in(loaded, "not-a-token")
    async with loaded.uows() as uow:
        viewer = await web_access.viewer(uow, session, utcnow())
        assert viewer is not None and viewer.account.role is Role.ADMIN and viewer.csrf_ok(viewer.csrf)
        assert not viewer.csrf_ok("") and not viewer.csrf_ok("x" * len(viewer.csrf))
        assert await web_access.viewer(uow, session, utcnow() + timedelta(hours=8, minutes=1)) is None


async def test_sign_out_everywhere_and_a_deactivated_person(loaded: Database) -> None:
    first = await _sign_in(loaded, await _link(loaded, "STP", Role.LEADER))
    second = await _sign_in(loaded, await _link(loaded, "STP", Role.LEADER))  # the same console person again
    admin = await _sign_in(loaded, await _link(loaded))
    async with loaded.uows() as uow:
        viewer = await web_access.viewer(uow, first, utcnow())
        assert viewer is not None
        assert await web_access.sign_out_everywhere(uow, viewer, utcnow()) == 2
        await uow.commit()
    async with loaded.uows() as uow:
        assert await web_access.viewer(uow, first, utcnow()) is None
        assert await web_access.viewer(uow, second, utcnow()) is None
        boss = await web_access.viewer(uow, admin, utcnow())
        assert boss is not None  # someone else's session is untouched
    leader = await _sign_in(loaded, await _link(loaded, "STP", Role.LEADER))
    async with loaded.uows() as uow:
        found = await web_access.viewer(uow, leader, utcnow())
        assert found is not None
        assert await people.deactivate(uow, boss.actor, found.account.person_id, utcnow())
        await uow.commit()
    async with loaded.uows() as uow:
        assert await web_access.viewer(uow, leader, utcnow()) is None  # read anew: deactivated, no access
