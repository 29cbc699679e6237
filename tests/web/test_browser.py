"""The dashboard in a real browser, for what only a browser shows: the session cookie's flags, the sign-in link
from the bot's /web answer opened as a person would, HTMX bringing a cell's detail in, the SVG chart, a file posted
from a file input, every form field labelled, and a form posted without its token from the page's own script.
Who may open what, and what each page does, are proven over ASGI in milliseconds (``test_access``, ``test_pages``).

Debian's Chromium, headless, driven by selenium through chromedriver, against the service's real HTTP server, core
and database; nothing is faked. The server runs on an event loop of its own thread (its own database engine), so
selenium's blocking calls never stall it. No element is held across a page load or an HTMX swap: every read and
click finds its element afresh inside a wait (``_read``, ``_click``, ``_follow``). Screenshots of the matrix and
the trend chart go to tests/screenshots/ (ignored by git) for review."""

from __future__ import annotations

import asyncio
import base64
import io
import re
import shutil
import threading
from collections.abc import AsyncIterator, Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

import pdfplumber
import pytest
from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.chrome.service import Service as ChromeService
from selenium.webdriver.common.by import By
from selenium.webdriver.common.print_page_options import PrintOptions
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.expected_conditions import staleness_of
from selenium.webdriver.support.ui import Select, WebDriverWait

from core import registry
from core.conversation.engine import Conversation
from core.conversation.events import EventKind, Incoming, Sender
from core.deadlines import VN_TZ
from core.planfile import PlanSpec
from core.types import OPERATOR, Platform, Role
from core.usecases import province
from core.usecases.rules import Rules
from models.db import make_engine, session_factory
from models.uow import uow_factory
from nhacviec.http import HttpServer, Readiness, build_app
from nhacviec.metrics import Metrics
from nhacviec.notifier import ServiceNotifier
from scheduler.sender import OutboxSender
from tests.conftest import PLAN_46, Database
from tests.factories import add_agencies, add_person, submit
from web.app import dashboard_routes

SHOTS = Path(__file__).resolve().parent.parent / "screenshots"
CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
pytestmark = [
    pytest.mark.proof(seconds=5),
    pytest.mark.skipif(
        not (CHROMIUM and DRIVER),
        reason="Debian's chromium and chromium-driver are not installed (.ci/run installs them)",
    ),
]
T = TypeVar("T")


@pytest.fixture
def backend() -> str:
    """The browser tests look at what a browser shows: SQLite is enough (every page's data runs on both backends
    in the ASGI tests)."""
    return "sqlite"


async def _ready() -> None:
    """The dashboard tests look at pages, not readiness."""


class SiteThread:
    """The service's HTTP server with the dashboard, on an event loop (and database engine) of its own thread, so
    that selenium may block this test's loop while the browser waits for a page."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.url = ""
        self._up = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=lambda: asyncio.run(self._serve()), daemon=True)

    async def _serve(self) -> None:
        engine = make_engine(self.db.url, self.db.schema)
        uows = uow_factory(session_factory(engine))
        pages = dashboard_routes(uows, Rules(), "browser-test-secret-key")
        server = HttpServer(
            build_app(Readiness(_ready, lambda: ["test"]), Metrics(uows, 3000), [], pages), "127.0.0.1", 0
        )
        server.start()
        self._loop, self._stop, self.url = asyncio.get_running_loop(), asyncio.Event(), server.url
        self._up.set()
        await self._stop.wait()
        await server.stop()
        await engine.dispose()

    def __enter__(self) -> SiteThread:
        self._thread.start()
        assert self._up.wait(20), "the dashboard did not start"
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._loop is not None and self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(20)


@pytest.fixture
async def site(loaded: Database) -> AsyncIterator[tuple[SiteThread, Conversation]]:
    await submit(loaded, "STP", "2023-04", datetime(2023, 4, 14, 9, 30, tzinfo=VN_TZ), "46/BC-STP")  # on time
    await submit(loaded, "SYT", "2023-04", datetime(2023, 4, 19, 10, 0, tzinfo=VN_TZ), "12/BC-SYT")  # late
    with SiteThread(loaded) as server:
        conversation = Conversation(
            loaded.uows,
            ServiceNotifier(OutboxSender(loaded.uows, {})),
            web_link=lambda token: f"{server.url}/dang-nhap?t={token}",
        )
        yield server, conversation


# This machine reaches no network but its own: Chromium is told not to try (it would, at every start).
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-dev-shm-usage",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,1000",
)


@pytest.fixture(scope="module")
def chromium() -> Any:
    """One browser for the module's tests (each test has a site of its own, and starts with no cookie)."""
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=ChromeService(str(DRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def browser(chromium: WebDriver) -> WebDriver:
    chromium.delete_all_cookies()
    return chromium


async def _in_thread(fn: Callable[..., T], *args: Any) -> T:
    return await asyncio.to_thread(fn, *args)


async def _web_link(db: Database, conversation: Conversation, agency: str, role: Role, uid: str) -> str:
    """A person of the agency types /web to the bot; the link in the answer."""
    await add_person(db, agency, role, f"Người {uid}", uid, platform="telegram")
    replies = await conversation.handle(Incoming(Sender(Platform.TELEGRAM, uid, uid, uid), EventKind.COMMAND, "web"))
    found = re.search(r"https?://\S+", replies[0].text)
    assert found, replies[0].text
    return found.group(0)


FLEETING = (NoSuchElementException, StaleElementReferenceException)  # a page or a swap under way: look again


def _read(driver: WebDriver, by: str, value: str, until: Callable[[str], bool] = bool, timeout: float = 10) -> str:
    """The element's text once ``until`` holds for it, found afresh on every try."""

    def text() -> str | None:
        found = str(driver.find_element(by, value).text)
        return found if until(found) else None

    result = WebDriverWait(driver, timeout, ignored_exceptions=FLEETING).until(lambda d: text())
    assert result is not None  # ``until`` returns the first truthy value
    return result


def _click(driver: WebDriver, by: str, value: str, timeout: float = 10) -> None:
    def click() -> bool:
        driver.find_element(by, value).click()
        return True

    WebDriverWait(driver, timeout, ignored_exceptions=FLEETING).until(lambda d: click())


def _follow(driver: WebDriver, by: str, value: str, timeout: float = 10) -> None:
    """Press a button or link that loads another page, and wait until that page has replaced this one."""
    page = driver.find_element(By.TAG_NAME, "html")
    _click(driver, by, value)
    WebDriverWait(driver, timeout).until(staleness_of(page))
    WebDriverWait(driver, timeout).until(lambda d: d.execute_script("return document.readyState") == "complete")


UNLABELLED = """return [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
  .filter(e => !(e.id && document.querySelector(`label[for="${e.id}"]`)) && !e.closest('label')
               && !e.getAttribute('aria-label')).map(e => e.name)"""


def _unlabelled(driver: WebDriver) -> list[str]:
    """The form fields of the page that have no label (a screen reader could not name them)."""
    return list(driver.execute_script(UNLABELLED))


def _body(driver: WebDriver) -> str:
    return _read(driver, By.TAG_NAME, "body")


def _column(driver: WebDriver, key: str) -> int:
    """The matrix's column (1-based, among the periods) of the period with this key."""
    heads = [h.get_attribute("data-key") or "" for h in driver.find_elements(By.XPATH, "//thead/tr[1]/th")]
    return heads.index(key)


def _april(driver: WebDriver) -> dict[str, str]:
    """The April 2023 column: its counts and the cells of three agencies, read in one go."""
    i = _column(driver, "2023-04")
    cell = "//tr[@data-agency='{}']/td[{}]".format
    return {
        "counts": str(driver.find_elements(By.XPATH, "//tr[@class='counts']/td")[i - 1].text),
        **{code: str(driver.find_element(By.XPATH, cell(code, i)).text) for code in ("STP", "SYT", "SNNPTNT")},
    }


async def test_admin_signs_in_from_the_bot_and_reads_april_2023(
    loaded: Database, site: tuple[SiteThread, Conversation], browser: WebDriver
) -> None:
    server, conversation = site
    link = await _web_link(loaded, conversation, "SNV", Role.ADMIN, "7001")
    await _in_thread(browser.get, link)
    assert browser.current_url == f"{server.url}/"  # the token is gone from the address
    cookie = browser.get_cookie("nhacviec_session")
    assert cookie is not None and cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    page = await _in_thread(_body, browser)
    assert "Tình hình thực hiện báo cáo" in page and "46/KH-UBND" in page

    april = await _in_thread(_april, browser)
    assert april["counts"] == "1 / 1 / 22 / 0", april  # one on time, one late, 22 overdue (24 owe), none not yet due
    assert "✓ đúng hạn" in april["STP"] and "⚠ gửi chậm +2 ngày" in april["SYT"] and "✗ chưa nộp" in april["SNNPTNT"]
    SHOTS.mkdir(exist_ok=True)
    await _in_thread(browser.save_screenshot, str(SHOTS / "matrix.png"))
    assert await _in_thread(_unlabelled, browser) == []

    column = await _in_thread(_column, browser, "2023-04")
    await _in_thread(_click, browser, By.XPATH, f"//tr[@data-agency='STP']/td[{column}]/a")  # HTMX: the detail below
    detail = await _in_thread(_read, browser, By.ID, "detail", lambda text: "Người xác nhận" in text)
    assert "46/BC-STP" in detail and "14/4/2023" in detail
    assert browser.current_url == f"{server.url}/"  # swapped in, not navigated to

    await _in_thread(browser.get, f"{server.url}/xu-huong")
    assert browser.find_elements(By.CSS_SELECTOR, "svg.chart polyline")
    assert "Xếp hạng cơ quan theo tỷ lệ đúng hạn" in await _in_thread(_body, browser)
    await _in_thread(browser.save_screenshot, str(SHOTS / "trends.png"))

    # The English switch comes back to the same page, and back again.
    await _in_thread(_follow, browser, By.XPATH, "//button[normalize-space(.)='English']")
    assert browser.current_url == f"{server.url}/xu-huong" and "On-time rate" in await _in_thread(_body, browser)
    await _in_thread(_follow, browser, By.XPATH, "//button[normalize-space(.)='Tiếng Việt']")
    assert "Tỷ lệ đúng hạn" in await _in_thread(_body, browser)

    # A form posted from the page's own script without its CSRF token is refused, and changes nothing.
    status = await _in_thread(
        browser.execute_script,
        "return fetch('/dang-xuat', {method: 'POST', body: new URLSearchParams({})}).then(r => r.status)",
    )
    assert status == 403
    await _in_thread(browser.get, f"{server.url}/")
    assert "Tình hình thực hiện báo cáo" in await _in_thread(_body, browser)  # still signed in


async def test_every_form_is_labelled_and_a_plan_file_is_posted_from_the_file_input(
    loaded: Database, site: tuple[SiteThread, Conversation], browser: WebDriver, tmp_path: Path
) -> None:
    server, conversation = site
    await _in_thread(browser.get, await _web_link(loaded, conversation, "SNV", Role.ADMIN, "7020"))
    for page in ("/", "/xu-huong", "/thong-bao", "/can-bo", "/ke-hoach", "/lich"):
        await _in_thread(browser.get, f"{server.url}{page}")
        assert await _in_thread(_unlabelled, browser) == [], page

    changed = tmp_path / "46.toml"
    changed.write_text(
        PLAN_46.read_text(encoding="utf-8").replace('name = "Sở Tư pháp"', 'name = "Sở Tư pháp tỉnh"', 1)
    )
    await _in_thread(browser.get, f"{server.url}/ke-hoach")
    await _in_thread(lambda: browser.find_element(By.ID, "file").send_keys(str(changed)))
    await _in_thread(_follow, browser, By.XPATH, "//button[normalize-space(.)='Kiểm tra tệp']")
    assert "Xem trước Kế hoạch 46/KH-UBND" in await _in_thread(_read, browser, By.ID, "report")
    await _in_thread(_follow, browser, By.XPATH, "//button[normalize-space(.)='Nạp kế hoạch']")
    assert "Đã nạp Kế hoạch 46/KH-UBND" in await _in_thread(_read, browser, By.ID, "report")
    async with loaded.uows() as uow:
        stp = await uow.agencies.by_code("STP")
    assert stp is not None and stp.name == "Sở Tư pháp tỉnh"


@pytest.fixture
async def empty_site(database: Database, plan46: PlanSpec) -> AsyncIterator[tuple[SiteThread, Conversation]]:
    """A province whose agencies are known, Báo Tuyên Quang aside, with no plan loaded yet."""
    await add_agencies(database, [a for a in plan46.agencies if a.code != "BAOTQ"])
    with SiteThread(database) as server:
        conversation = Conversation(
            database.uows,
            ServiceNotifier(OutboxSender(database.uows, {})),
            web_link=lambda token: f"{server.url}/dang-nhap?t={token}",
        )
        yield server, conversation


def _set(driver: WebDriver, element_id: str, value: str) -> None:
    def put() -> bool:
        field = driver.find_element(By.ID, element_id)
        field.clear()
        field.send_keys(value)
        return True

    WebDriverWait(driver, 10, ignored_exceptions=FLEETING).until(lambda d: put())


def _value(driver: WebDriver, css: str) -> str:
    return str(driver.find_element(By.CSS_SELECTOR, css).get_attribute("value"))


async def test_a_plan_document_is_read_corrected_and_loaded_into_the_matrix(
    database: Database, empty_site: tuple[SiteThread, Conversation], browser: WebDriver
) -> None:
    """Upload plan 46's .docx from the file input, correct the agency the registry lacks, check, load: the matrix
    shows the plan."""
    server, conversation = empty_site
    await _in_thread(browser.get, await _web_link(database, conversation, "SNV", Role.ADMIN, "7030"))
    await _in_thread(browser.get, f"{server.url}/ke-hoach")
    docx = Path(__file__).resolve().parent.parent / "fixtures" / "plans" / "46-KH-UBND-2023.docx"
    await _in_thread(lambda: browser.find_element(By.ID, "document").send_keys(str(docx)))
    await _in_thread(_follow, browser, By.XPATH, "//button[normalize-space(.)='Đọc văn bản']")
    heading = await _in_thread(_read, browser, By.TAG_NAME, "h1")
    assert heading == "Bản nháp kế hoạch đọc từ văn bản 46-KH-UBND-2023.docx"
    marks = [m.text for m in browser.find_elements(By.CSS_SELECTOR, "#doc-text mark.hl-head")]
    assert "Số: 46/KH-UBND" in marks and "Hoàng Việt Phương" in marks  # what was read, shown in the document
    assert await _in_thread(_unlabelled, browser) == []
    SHOTS.mkdir(exist_ok=True)
    await _in_thread(browser.save_screenshot, str(SHOTS / "draft.png"))

    row = browser.find_element(By.CSS_SELECTOR, "#agencies [data-agency='BTQ'] input[name$='.code']")
    await _in_thread(_set, browser, str(row.get_attribute("id")), "BAOTQ")  # corrected, as Sở Nội vụ codes it
    await _in_thread(_follow, browser, By.ID, "save")
    assert await _in_thread(_value, browser, "#tasks [data-ref='III.6'] input[name$='.lead']") == (
        "STTTT, BAOTQ, DAIPTTH"
    )
    await _in_thread(_follow, browser, By.ID, "check")
    report = await _in_thread(_read, browser, By.ID, "report")
    assert "plan created" in report and "Chưa ghi gì" in report
    await _in_thread(_follow, browser, By.ID, "import")
    assert "Đã nạp kế hoạch" in await _in_thread(_read, browser, By.ID, "loaded")
    await _in_thread(_follow, browser, By.LINK_TEXT, "Tình hình thực hiện báo cáo")
    page = await _in_thread(_body, browser)
    assert "46/KH-UBND" in page and "Tình hình thực hiện báo cáo" in page
    assert await _in_thread(_column, browser, "2023-04") >= 1  # the plan's April report is a column


async def test_the_invite_sheet_of_a_group_prints_one_block_per_agency(
    loaded: Database, site: tuple[SiteThread, Conversation], browser: WebDriver
) -> None:
    """Issue 22: the province's communes loaded, the admin makes the codes of "Ủy ban nhân dân các xã, phường" on the
    Cán bộ page and prints the sheet (Chromium's own print to PDF): the menus are left out, each block keeps to one
    page, every commune is on it."""
    async with loaded.uows() as uow:
        await province.load(uow, OPERATOR, "Tuyên Quang", date(2025, 7, 1))
        await uow.commit()
    server, conversation = site
    await _in_thread(browser.get, await _web_link(loaded, conversation, "SNV", Role.ADMIN, "7040"))
    await _in_thread(browser.get, f"{server.url}/can-bo")
    await _in_thread(lambda: Select(browser.find_element(By.ID, "group")).select_by_value("@communes"))
    await _in_thread(_follow, browser, By.ID, "invite-group")
    assert "(124)" in await _in_thread(_read, browser, By.TAG_NAME, "h1")
    pdf = base64.b64decode(await _in_thread(lambda: browser.print_page(PrintOptions())))
    SHOTS.mkdir(exist_ok=True)
    (SHOTS / "invite-sheet.pdf").write_bytes(pdf)
    with pdfplumber.open(io.BytesIO(pdf)) as printed:
        pages = [page.extract_text() or "" for page in printed.pages]
    text = "\n".join(pages)
    assert "Tình hình thực hiện báo cáo" not in text and "Đăng xuất" not in text  # the menus are not printed
    assert "Ủy ban nhân dân phường Hà Giang 2" in pages[0] and "Mã đăng ký:" in pages[0]
    for commune in registry.province("Tuyên Quang").communes:
        name = f"Ủy ban nhân dân {commune.name[0].lower()}{commune.name[1:]}"
        assert sum(name in page for page in pages) == 1, name  # printed once, never split across two pages
    assert len(pages) >= 124 // 6
