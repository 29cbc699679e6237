"""A signed-in dashboard over ASGI (httpx's ASGITransport), for the tests that look at a page or post a form."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
from starlette.applications import Starlette

from core.deadlines import utcnow
from core.types import Role
from core.usecases import web_access
from core.usecases.rules import Rules
from tests.conftest import Database
from web.app import dashboard_routes


@dataclass
class Signed:
    client: httpx.AsyncClient
    csrf: str


@asynccontextmanager
async def signed_in(
    db: Database, agency: str = "SNV", role: Role = Role.ADMIN, rules: Rules | None = None, name: str = "Quản trị viên"
) -> AsyncIterator[Signed]:
    """The dashboard's real routes on ``db``, a client signed in with an operator's link, and the form token."""
    app = Starlette(routes=dashboard_routes(db.uows, rules or Rules(), "dashboard-test-secret-key"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://dashboard") as client:
        async with db.uows() as uow:
            token = await web_access.operator_link(uow, agency, role, name, utcnow())
            await uow.commit()
        assert (await client.get("/dang-nhap", params={"t": token})).status_code == 303
        found = re.search(r'name="csrf" value="([^"]+)"', (await client.get("/can-bo")).text)
        assert found is not None
        yield Signed(client, found.group(1))
