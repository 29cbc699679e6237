"""Plans from their documents on the dashboard, over ASGI against the real routes, core and database (no browser):
a document read into a draft beside its highlighted text; a new agency corrected; "Kiểm tra" writes nothing;
"Nạp kế hoạch" loads the plan and keeps the document, which downloads again from the plan's page; a loaded plan
changed in the same forms without any file; hostile uploads refused in Vietnamese with nothing kept; a form that
cannot be read saves nothing."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import func, select
from starlette.applications import Starlette

from core.deadlines import utcnow
from core.planfile import PlanSpec
from core.types import Role
from core.usecases import web_access
from core.usecases.rules import Rules
from models import tables as t
from models.base import Base
from tests.conftest import ROOT, Database
from tests.factories import add_agencies
from tests.test_cli_plan_draft import HOSTILE
from web.app import dashboard_routes

SEED = ROOT / "tests" / "fixtures" / "plans" / "46-KH-UBND-2023"


@dataclass
class Admin:
    db: Database
    client: httpx.AsyncClient
    csrf: str

    async def upload(self, name: str, data: bytes) -> httpx.Response:
        return await self.client.post("/ke-hoach/van-ban", data={"csrf": self.csrf}, files={"document": (name, data)})

    async def post(self, path: str, **form: str) -> httpx.Response:
        return await self.client.post(path, data={"csrf": self.csrf, **form})

    async def count(self, table: type[Base]) -> int:
        async with self.db.sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(table)) or 0)


@pytest.fixture
async def admin(database: Database, plan46: PlanSpec) -> AsyncIterator[Admin]:
    """An admin of a province whose agencies are known, Báo Tuyên Quang aside, and no plan is loaded."""
    await add_agencies(database, [a for a in plan46.agencies if a.code != "BAOTQ"])
    app = Starlette(routes=dashboard_routes(database.uows, Rules(), "drafts-test-secret-key"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://dashboard") as client:
        async with database.uows() as uow:
            token = await web_access.operator_link(uow, "SNV", Role.ADMIN, "Quản trị viên", utcnow())
            await uow.commit()
        assert (await client.get("/dang-nhap", params={"t": token})).status_code == 303
        csrf = re.search(r'name="csrf" value="([^"]+)"', (await client.get("/ke-hoach")).text)
        assert csrf is not None
        yield Admin(database, client, csrf.group(1))


def _fields(html: str) -> dict[str, str]:
    """The draft form's fields as the page fills them (inputs and textareas)."""
    found = {m.group(1): m.group(2) for m in re.finditer(r'<input[^>]*name="([^"]+)" value="([^"]*)"', html)}
    found |= {
        m.group(1): m.group(2) for m in re.finditer(r'<textarea name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S)
    }
    found |= {
        m.group(1): m.group(2)
        for m in re.finditer(r'<select[^>]*name="([^"]+)">.*?<option value="([^"]+)" selected', html, re.S)
    }
    found.pop("csrf", None)
    return {k: v.replace("&#34;", '"').replace("&#39;", "'").replace("&amp;", "&") for k, v in found.items()}


async def test_a_document_becomes_a_plan_with_one_agency_corrected(admin: Admin) -> None:
    document = SEED.with_suffix(".docx").read_bytes()
    read = await admin.upload("46-KH-UBND-2023.docx", document)
    assert read.status_code == 303
    review_url = read.headers["location"]
    page = (await admin.client.get(review_url)).text
    assert "Bản nháp kế hoạch đọc từ văn bản 46-KH-UBND-2023.docx" in page
    assert '<mark class="hl-head" title="number">Số: 46/KH-UBND</mark>' in page  # what was read, highlighted
    assert '<mark class="hl-report"' in page and "9 kỳ báo cáo, hạn chót kỳ đầu: thứ Hai, 17/4/2023" not in page
    assert "9 kỳ báo cáo, hạn chót kỳ đầu: thứ Bảy, 15/4/2023" in page  # the monthly series' computed periods
    fields = _fields(page)
    new = next(k for k, v in fields.items() if re.fullmatch(r"a\d+\.code", k) and v == "BTQ")  # "Báo Tuyên Quang"
    assert "Báo Tuyên Quang" in page and "Cơ quan chưa có trong danh mục" in page

    fields[new] = "BAOTQ"  # corrected, as Sở Nội vụ codes it
    saved = await admin.post(review_url, **fields, action="save")
    assert saved.status_code == 303
    fields = _fields((await admin.client.get(review_url)).text)
    iii6 = next(k.split(".")[0] for k, v in fields.items() if k.endswith(".ref") and v == "III.6")
    assert fields[f"{iii6}.lead"] == "STTTT, BAOTQ, DAIPTTH"  # the tasks follow the corrected code

    checked = await admin.post(review_url, **fields, action="check")
    assert checked.status_code == 200 and "plan created" in checked.text and "Chưa ghi gì" in checked.text
    assert await admin.count(t.Plan) == 0

    fields["version"] = _fields(checked.text)["version"]  # the check saved the form: its page carries the new version
    loaded = await admin.post(review_url, **fields, action="import")
    assert loaded.status_code == 303 and loaded.headers["location"].endswith("?nap=1")
    plan_page = (await admin.client.get(loaded.headers["location"])).text
    assert "Kế hoạch số 46/KH-UBND" in plan_page and "Đã nạp kế hoạch" in plan_page
    async with admin.db.uows() as uow:
        baotq = await uow.agencies.by_code("BAOTQ")
        stored = await uow.agencies.stored_plan("46/KH-UBND")
    assert baotq is not None and baotq.name == "Báo Tuyên Quang"
    assert sum(len(s.periods) for s in stored.series.values()) == 11 and len(stored.tasks) == 30

    link = re.search(r'href="(/ke-hoach/ban-nhap/\d+/van-ban)" download>46-KH-UBND-2023.docx<', plan_page)
    assert link is not None
    again = await admin.client.get(link.group(1))
    assert again.status_code == 200 and again.content == document  # the very document, kept with the plan
    assert "46-KH-UBND-2023.docx" in again.headers["content-disposition"]
    matrix = (await admin.client.get("/")).text
    assert "46/KH-UBND" in matrix and 'data-key="2023-04"' in matrix


async def test_a_loaded_plan_changes_in_the_same_forms_without_a_file(admin: Admin) -> None:
    read = await admin.upload("46.txt", SEED.with_suffix(".txt").read_bytes())
    fields = _fields((await admin.client.get(read.headers["location"])).text)
    assert (await admin.post(read.headers["location"], **fields, action="import")).status_code == 303
    (plan,) = re.findall(r'href="/ke-hoach/so/(\d+)"', (await admin.client.get("/ke-hoach")).text)

    opened = await admin.post(f"/ke-hoach/so/{plan}/sua")
    assert opened.status_code == 303
    url = opened.headers["location"]
    page = (await admin.client.get(url)).text
    assert "Sửa Kế hoạch số 46/KH-UBND" in page and "không có văn bản đi kèm" in page
    fields = _fields(page)
    monthly = next(k.split(".")[0] for k, v in fields.items() if k.endswith(".code") and v == "thang")
    assert fields[f"{monthly}.first_month"] == "4"  # the months it owes, as loaded
    owed = fields[f"{monthly}.owed_by"].split(", ")
    fields[f"{monthly}.owed_by"] = ", ".join(c for c in owed if c != "SYT")  # Sở Y tế no longer reports monthly
    added = await admin.post(url, **fields, action="add-task")
    assert added.status_code == 303
    fields = _fields((await admin.client.get(url)).text)
    last = max(int(k[1:].split(".")[0]) for k in fields if re.fullmatch(r"t\d+\.ref", k))
    fields |= {f"t{last}.ref": "III.12", f"t{last}.title": "Báo cáo sơ kết 6 tháng", f"t{last}.carry_out": "SNV",
               f"t{last}.text": "Sở Nội vụ tổng hợp báo cáo sơ kết 6 tháng."}  # fmt: skip
    checked = await admin.post(url, **fields, action="check")
    report = dict(re.findall(r'<th scope="row">([a-z ]+)</th><td>(\d+)</td>', checked.text))
    assert report == {"tasks created": "1", "series agencies changed": "1", "period agencies changed": "9"}
    fields["version"] = _fields(checked.text)["version"]
    assert (await admin.post(url, **fields, action="import")).status_code == 303
    async with admin.db.uows() as uow:
        stored = await uow.agencies.stored_plan("46/KH-UBND")
    assert "SYT" not in stored.series["thang"].agencies and "SYT" in stored.series["nam"].agencies
    assert ("III.12", 0) in stored.tasks and len(stored.series["thang"].periods) == 9


async def test_what_the_form_cannot_read_saves_nothing_and_an_unknown_code_is_said(admin: Admin) -> None:
    read = await admin.upload("46.txt", SEED.with_suffix(".txt").read_bytes())
    url = read.headers["location"]
    fields = _fields((await admin.client.get(url)).text)
    refused = await admin.post(url, **{**fields, "issued_on": "32/13/2023"}, action="save")
    assert refused.status_code == 400 and "Ngày ban hành không đúng dạng" in refused.text
    assert _fields((await admin.client.get(url)).text)["issued_on"] == "14/3/2023"  # nothing saved

    first = next(k.split(".")[0] for k, v in fields.items() if k.endswith(".ref") and v == "III.1")
    fields[f"{first}.carry_out"] = "SNV, XYZ"
    assert (await admin.post(url, **fields, action="save")).status_code == 303
    page = (await admin.client.get(url)).text
    assert "Mã cơ quan không có trong danh mục: “XYZ”" in page
    not_loaded = await admin.post(url, **_fields(page), action="import")
    assert not_loaded.status_code == 400 and "Chưa nạp được kế hoạch như hiện có" in not_loaded.text
    assert await admin.count(t.Plan) == 0


@pytest.mark.parametrize("name", ["hong.docx", "khoa.pdf", "rac.pdf", "tcvn3.txt", "loi-chao.txt", "cu.doc"])
async def test_hostile_uploads_are_refused_in_vietnamese_and_nothing_is_kept(admin: Admin, name: str) -> None:
    make, said = HOSTILE[name]
    refused = await admin.upload(name, make())
    assert refused.status_code == 400 and "Không đọc được văn bản" in refused.text
    assert said in refused.text and "(the " not in refused.text  # Vietnamese only, on a Vietnamese page
    assert await admin.count(t.PlanDraft) == 0 and await admin.count(t.Plan) == 0


async def test_a_document_over_the_limit_is_refused_before_it_is_read(admin: Admin) -> None:
    too_big = await admin.upload("lon.txt", b"x" * 10_200_000)
    assert too_big.status_code == 413
    assert await admin.count(t.PlanDraft) == 0


async def test_two_officers_saving_one_draft_the_second_is_refused_and_nothing_is_lost(admin: Admin) -> None:
    """Issue 28, finding 14: the stale form silently overwrote the other officer's change."""
    read = await admin.upload("46.txt", SEED.with_suffix(".txt").read_bytes())
    url = read.headers["location"]
    page = (await admin.client.get(url)).text
    first, second = _fields(page), _fields(page)  # two officers open the same draft
    assert first["version"]
    saved = await admin.post(url, **{**first, "title": "Kế hoạch đã sửa bởi cán bộ thứ nhất"}, action="save")
    assert saved.status_code == 303
    stale = await admin.post(url, **{**second, "title": "Kế hoạch sửa bởi cán bộ thứ hai"}, action="save")
    assert stale.status_code == 409 and "chưa được lưu" in stale.text, stale.text[:2000]
    now = _fields((await admin.client.get(url)).text)
    assert now["title"] == "Kế hoạch đã sửa bởi cán bộ thứ nhất"  # the first officer's change stands
    again = await admin.post(url, **{**now, "title": "Kế hoạch sửa bởi cán bộ thứ hai"}, action="save")
    assert again.status_code == 303  # on the fresh form, the second officer's change is saved
