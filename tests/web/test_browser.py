"""The dashboard in a real browser: Debian's Chromium, headless, driven by selenium through chromedriver, against
the service's real HTTP server, core and database. The sign-in link comes from the bot's /web answer (the
conversation core); nothing is faked. Screenshots of the matrix and the trend chart go to
tests/screenshots/ (ignored by git) for review. The server runs on an event loop of its own thread (its own database
engine), so selenium's blocking calls never stall it."""

from __future__ import annotations

import asyncio
import re
import shutil
import threading
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service as ChromeService
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.expected_conditions import staleness_of
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import select

from core.conversation.engine import Conversation
from core.conversation.events import EventKind, Incoming, Sender
from core.deadlines import VN_TZ
from core.types import Platform, Role
from core.usecases.rules import Rules
from models import tables as t
from models.db import make_engine, session_factory
from models.uow import uow_factory
from nhacviec.http import HttpServer, Readiness, build_app
from nhacviec.metrics import Metrics
from nhacviec.notifier import ServiceNotifier
from scheduler.sender import OutboxSender
from tests.conftest import PLAN_46, Database
from tests.factories import add_person, submit
from tests.fakes import RecordingChannel
from web.app import dashboard_routes

SHOTS = Path(__file__).resolve().parent.parent / "screenshots"
CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM and DRIVER), reason="Debian's chromium and chromium-driver are not installed (.ci/run installs them)"
)
T = TypeVar("T")


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


@pytest.fixture
def browser() -> Any:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=ChromeService(str(DRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


async def _in_thread(fn: Callable[..., T], *args: Any) -> T:
    return await asyncio.to_thread(fn, *args)


async def _web_link(db: Database, conversation: Conversation, agency: str, role: Role, uid: str) -> str:
    """A person of the agency types /web to the bot; the link in the answer."""
    await add_person(db, agency, role, f"Người {uid}", uid, platform="telegram")
    replies = await conversation.handle(Incoming(Sender(Platform.TELEGRAM, uid, uid, uid), EventKind.COMMAND, "web"))
    found = re.search(r"https?://\S+", replies[0].text)
    assert found, replies[0].text
    return found.group(0)


def _el(driver: WebDriver, by: str, value: str, timeout: float = 10) -> WebElement:
    """The element, once the page shows it (a page that is still loading is waited for)."""
    found: WebElement = WebDriverWait(driver, timeout).until(lambda d: d.find_element(by, value))
    return found


def _submit(driver: WebDriver, button: WebElement) -> None:
    """Press a form's button and wait until the next page has replaced this one."""
    button.click()
    WebDriverWait(driver, 10).until(staleness_of(button))


UNLABELLED = """return [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
  .filter(e => !(e.id && document.querySelector(`label[for="${e.id}"]`)) && !e.closest('label')
               && !e.getAttribute('aria-label')).map(e => e.name)"""


def _unlabelled(driver: WebDriver) -> list[str]:
    """The form fields of the page that have no label (a screen reader could not name them)."""
    return list(driver.execute_script(UNLABELLED))


def _text(driver: WebDriver) -> str:
    return str(_el(driver, By.TAG_NAME, "body").text)


async def test_admin_signs_in_from_the_bot_and_reads_april_2023(
    loaded: Database, site: tuple[SiteThread, Conversation], browser: WebDriver
) -> None:
    server, conversation = site
    link = await _web_link(loaded, conversation, "SNV", Role.ADMIN, "7001")
    await _in_thread(browser.get, link)
    assert browser.current_url == f"{server.url}/"  # the token is gone from the address
    cookie = browser.get_cookie("nhacviec_session")
    assert cookie is not None and cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    page = await _in_thread(_text, browser)
    assert "Tình hình thực hiện báo cáo" in page and "46/KH-UBND" in page

    april = _el(browser, By.XPATH, "//thead//th[starts-with(normalize-space(.), '2023-04')]")
    column = [th.text for th in browser.find_elements(By.XPATH, "//thead/tr[1]/th")].index(april.text)
    counts = browser.find_elements(By.XPATH, "//tr[@class='counts']/td")[column - 1].text
    assert counts == "1 / 1 / 23 / 0", counts  # one on time, one late, the 23 others overdue, none not yet due
    stp = _el(browser, By.XPATH, "//tr[@data-agency='STP']").find_elements(By.TAG_NAME, "td")[column - 1]
    syt = _el(browser, By.XPATH, "//tr[@data-agency='SYT']").find_elements(By.TAG_NAME, "td")[column - 1]
    snn = _el(browser, By.XPATH, "//tr[@data-agency='SNNPTNT']").find_elements(By.TAG_NAME, "td")[column - 1]
    assert "✓ đúng hạn" in stp.text and "⚠ nộp muộn +3 ngày" in syt.text and "✗ chưa nộp" in snn.text
    SHOTS.mkdir(exist_ok=True)
    await _in_thread(browser.save_screenshot, str(SHOTS / "matrix.png"))
    assert _unlabelled(browser) == []
    assert browser.find_elements(By.CSS_SELECTOR, "table.matrix thead th[scope=col]")  # table headers

    await _in_thread(stp.find_element(By.TAG_NAME, "a").click)  # HTMX brings the detail in below
    await _in_thread(
        WebDriverWait(browser, 10).until, lambda d: "Người xác nhận" in d.find_element(By.ID, "detail").text
    )
    detail = _el(browser, By.ID, "detail").text
    assert "46/BC-STP" in detail and "14/04/2023" in detail

    await _in_thread(browser.get, f"{server.url}/xu-huong")
    assert _el(browser, By.CSS_SELECTOR, "svg.chart polyline") is not None
    assert "Xếp hạng cơ quan theo tỷ lệ đúng hạn" in await _in_thread(_text, browser)
    await _in_thread(browser.save_screenshot, str(SHOTS / "trends.png"))

    # The English switch, and back.
    await _in_thread(_submit, browser, _el(browser, By.XPATH, "//button[normalize-space(.)='English']"))
    assert "Compliance matrix" in await _in_thread(_text, browser)
    await _in_thread(_submit, browser, _el(browser, By.XPATH, "//button[normalize-space(.)='Tiếng Việt']"))
    assert "Tình hình thực hiện báo cáo" in await _in_thread(_text, browser)

    # A form posted without its CSRF token is refused, and changes nothing: still signed in.
    status = await _in_thread(
        browser.execute_script,
        "return fetch('/dang-xuat', {method: 'POST', body: new URLSearchParams({})}).then(r => r.status)",
    )
    assert status == 403
    await _in_thread(browser.get, f"{server.url}/")
    assert "Tình hình thực hiện báo cáo" in await _in_thread(_text, browser)

    # The link was for one use.
    await _in_thread(browser.delete_all_cookies)
    await _in_thread(browser.get, link)
    assert "đã được dùng hoặc đã hết hạn" in await _in_thread(_text, browser)
    assert browser.get_cookie("nhacviec_session") is None


async def test_a_leader_sees_only_their_agency(
    loaded: Database, site: tuple[SiteThread, Conversation], browser: WebDriver
) -> None:
    _, conversation = site
    link = await _web_link(loaded, conversation, "STP", Role.LEADER, "7002")
    await _in_thread(browser.get, link)
    rows = browser.find_elements(By.XPATH, "//tbody/tr[@data-agency]")
    assert [r.get_attribute("data-agency") for r in rows] == ["STP"]
    href = _el(browser, By.XPATH, "//tr[@data-agency='STP']//a").get_attribute("href") or ""
    other = href.rsplit("/", 1)[0] + "/SYT"
    status = await _in_thread(browser.execute_script, f"return fetch('{other}').then(r => r.status)")
    assert status == 403
    await _in_thread(browser.get, other)
    assert "chỉ được xem số liệu của cơ quan mình" in await _in_thread(_text, browser)
    assert "Xuất Excel" not in await _in_thread(_text, browser)  # no export for a leader


async def test_an_expired_link_is_refused(
    loaded: Database, site: tuple[SiteThread, Conversation], browser: WebDriver
) -> None:
    server, _ = site
    from core.deadlines import utcnow
    from core.usecases import web_access

    async with loaded.uows() as uow:
        token = await web_access.operator_link(uow, "SNV", Role.ADMIN, "Quản trị viên", utcnow() - web_access.LOGIN_TTL)
        await uow.commit()
    await _in_thread(browser.get, f"{server.url}/dang-nhap?t={token}")
    assert "đã được dùng hoặc đã hết hạn" in await _in_thread(_text, browser)
    await _in_thread(browser.get, f"{server.url}/")
    assert "gửi /web cho bot" in await _in_thread(_text, browser)  # not signed in


async def test_an_admin_sends_a_notice_and_sees_it_acknowledged(
    loaded: Database, site: tuple[SiteThread, Conversation], browser: WebDriver
) -> None:
    server, conversation = site
    reader = Sender(Platform.TELEGRAM, "7011", "7011", "Lê Văn Sơn")
    await add_person(loaded, "STP", Role.FOCAL, "Lê Văn Sơn", "7011", platform="telegram")
    await _in_thread(browser.get, await _web_link(loaded, conversation, "SNV", Role.ADMIN, "7010"))
    await _in_thread(browser.get, f"{server.url}/thong-bao")
    _el(browser, By.ID, "text").send_keys("Đề nghị các đơn vị gửi báo cáo tháng 4 đúng hạn.")
    _el(browser, By.CSS_SELECTOR, "input[name=audience][value=codes]").click()
    _el(browser, By.ID, "codes").send_keys("STP")
    await _in_thread(_submit, browser, _el(browser, By.XPATH, "//button[normalize-space(.)='Xem trước']"))
    preview = _el(browser, By.ID, "preview").text
    assert "Đề nghị các đơn vị" in preview and "Gửi 1 cơ quan, 1 người" in preview, preview
    await _in_thread(_submit, browser, _el(browser, By.XPATH, "//button[normalize-space(.)='Gửi thông báo']"))
    row = _el(browser, By.XPATH, "//tr[@data-notice]")
    assert row.find_element(By.CLASS_NAME, "acknowledged").text == "0" and "Lê Văn Sơn" in row.text

    channel = RecordingChannel(Platform.TELEGRAM)  # Telegram's servers, recorded: the only fake here
    await OutboxSender(loaded.uows, {Platform.TELEGRAM: channel}).drain_once()
    assert any("Đề nghị các đơn vị" in text for text in channel.to("7011"))
    async with loaded.sessions() as s:
        choices = await s.scalar(select(t.Delivery.choices).where(t.Delivery.kind == "notice"))
    assert choices is not None
    ((label, token),) = choices
    assert label == "Đã nhận"
    replies = await conversation.handle(Incoming(reader, EventKind.CHOICE, token=token))
    assert replies and "đã nhận" in replies[0].text.lower(), replies
    await _in_thread(browser.refresh)
    row = _el(browser, By.XPATH, "//tr[@data-notice]")
    assert row.find_element(By.CLASS_NAME, "delivered").text == "1"
    assert row.find_element(By.CLASS_NAME, "acknowledged").text == "1"


async def test_people_plans_and_calendar_pages(
    loaded: Database, site: tuple[SiteThread, Conversation], browser: WebDriver, tmp_path: Path
) -> None:
    server, conversation = site
    await add_person(loaded, "STP", Role.FOCAL, "Trần Thị Lan", "7021", platform="telegram")
    await _in_thread(browser.get, await _web_link(loaded, conversation, "SNV", Role.ADMIN, "7020"))

    # Every form field of every page has a label.
    for page in ("/", "/thong-bao", "/can-bo", "/ke-hoach", "/lich"):
        await _in_thread(browser.get, f"{server.url}{page}")
        assert _unlabelled(browser) == [], page

    # People and invites: an invite with its code and QR code; a person deactivated.
    await _in_thread(browser.get, f"{server.url}/can-bo")
    (await _in_thread(_el, browser, By.ID, "name")).send_keys("Nguyễn Văn Minh")
    (await _in_thread(_el, browser, By.ID, "title")).send_keys("Chuyên viên")
    _el(browser, By.CSS_SELECTOR, "#agency option[value=STP]").click()
    await _in_thread(_submit, browser, _el(browser, By.XPATH, "//button[normalize-space(.)='Tạo mã đăng ký']"))
    invite = await _in_thread(_el, browser, By.ID, "invite")
    code = invite.find_element(By.CLASS_NAME, "code").text
    assert re.fullmatch(r"[A-Z0-9-]{6,}", code) and "Nguyễn Văn Minh, Chuyên viên" in invite.text
    assert invite.find_element(By.CSS_SELECTOR, ".qr svg") is not None
    replies = await conversation.handle(
        Incoming(Sender(Platform.TELEGRAM, "7022", "7022", "Minh"), EventKind.COMMAND, "dangky", code)
    )
    assert "Chào mừng" in replies[0].text  # the code works in chat
    lan = await _in_thread(_el, browser, By.XPATH, "//tr[td[normalize-space(.)='Trần Thị Lan']]")
    await _in_thread(_submit, browser, lan.find_element(By.TAG_NAME, "button"))
    lan = await _in_thread(_el, browser, By.XPATH, "//tr[td[normalize-space(.)='Trần Thị Lan']]")
    assert "đã ngừng" in lan.text
    gone = await conversation.handle(
        Incoming(Sender(Platform.TELEGRAM, "7021", "7021", "Lan"), EventKind.COMMAND, "nhiemvu")
    )
    assert "/dangky" in gone[0].text  # no longer registered: asked to register

    # Plans: a broken file is refused with its problems; a changed one is previewed, then loaded.
    broken = tmp_path / "hong.toml"
    broken.write_text("[plan]\nnumber = 'x'\n", encoding="utf-8")
    await _in_thread(browser.get, f"{server.url}/ke-hoach")
    (await _in_thread(_el, browser, By.ID, "file")).send_keys(str(broken))
    await _in_thread(_submit, browser, _el(browser, By.XPATH, "//button[normalize-space(.)='Kiểm tra tệp']"))
    assert "Không nạp được tệp" in (await _in_thread(_el, browser, By.ID, "problems")).text
    changed = tmp_path / "46.toml"
    changed.write_text(
        PLAN_46.read_text(encoding="utf-8").replace('name = "Sở Tư pháp"', 'name = "Sở Tư pháp tỉnh"', 1)
    )
    (await _in_thread(_el, browser, By.ID, "file")).send_keys(str(changed))
    await _in_thread(_submit, browser, _el(browser, By.XPATH, "//button[normalize-space(.)='Kiểm tra tệp']"))
    assert "Xem trước Kế hoạch 46/KH-UBND" in (await _in_thread(_el, browser, By.ID, "report")).text
    async with loaded.uows() as uow:
        stp = await uow.agencies.by_code("STP")
    assert stp is not None and stp.name == "Sở Tư pháp"  # a preview writes nothing
    await _in_thread(_submit, browser, _el(browser, By.XPATH, "//button[normalize-space(.)='Nạp kế hoạch']"))
    assert "Đã nạp Kế hoạch 46/KH-UBND" in (await _in_thread(_el, browser, By.ID, "report")).text
    async with loaded.uows() as uow:
        stp = await uow.agencies.by_code("STP")
    assert stp is not None and stp.name == "Sở Tư pháp tỉnh"

    # Calendar: a day off previewed, nothing stored until applied.
    await _in_thread(browser.get, f"{server.url}/lich?nam=2027")
    await _in_thread(
        browser.execute_script,
        "document.getElementById('first').value = '2027-05-12'; document.getElementById('reason').value = 'Nghỉ thử'",
    )
    preview = _el(browser, By.XPATH, "//form[@action='/lich/doi']//button[normalize-space(.)='Xem trước']")
    await _in_thread(_submit, browser, preview)
    assert "12/05/2027" in (await _in_thread(_el, browser, By.ID, "change")).text
    async with loaded.sessions() as s:
        assert await s.scalar(select(t.CalendarDay.day)) is None
    await _in_thread(_submit, browser, _el(browser, By.XPATH, "//button[normalize-space(.)='Áp dụng thay đổi']"))
    assert "Đã thực hiện" in (await _in_thread(_el, browser, By.ID, "change")).text
    row = _el(browser, By.XPATH, "//table[@class='calendar']//tr[td[normalize-space(.)='12/05/2027']]")
    assert "ngày nghỉ" in row.text and "Sở Nội vụ bổ sung" in row.text
