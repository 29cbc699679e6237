"""The dashboard in a real browser: Debian's Chromium, headless, driven by selenium through chromedriver, against
the service's real HTTP server, core and database. The sign-in link comes from the bot's /web answer (the
conversation core); nothing is faked. Screenshots of the matrix and the trend chart go to
tests/screenshots/ (ignored by git) for review. Selenium blocks: it runs in a worker thread while the server
runs on the test's event loop."""

from __future__ import annotations

import asyncio
import re
import shutil
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service as ChromeService
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import select

from core.conversation.engine import Conversation
from core.conversation.events import EventKind, Incoming, Sender
from core.deadlines import VN_TZ
from core.types import Platform, Role
from core.usecases.rules import Rules
from models import tables as t
from nhacviec.http import HttpServer, Readiness, build_app
from nhacviec.metrics import Metrics
from nhacviec.notifier import ServiceNotifier
from scheduler.sender import OutboxSender
from tests.conftest import Database
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


@pytest.fixture
async def site(loaded: Database) -> AsyncIterator[tuple[HttpServer, Conversation]]:
    await submit(loaded, "STP", "2023-04", datetime(2023, 4, 14, 9, 30, tzinfo=VN_TZ), "46/BC-STP")  # on time
    await submit(loaded, "SYT", "2023-04", datetime(2023, 4, 19, 10, 0, tzinfo=VN_TZ), "12/BC-SYT")  # late
    server = HttpServer(
        build_app(
            Readiness(_ready, lambda: ["test"]),
            Metrics(loaded.uows, 3000),
            [],
            dashboard_routes(loaded.uows, Rules(), "browser-test-secret-key"),
        ),
        "127.0.0.1",
        0,
    )
    server.start()
    links: dict[str, str] = {}

    def link(token: str) -> str:
        links[token] = f"{server.url}/dang-nhap?t={token}"
        return links[token]

    conversation = Conversation(loaded.uows, ServiceNotifier(OutboxSender(loaded.uows, {})), web_link=link)
    try:
        yield server, conversation
    finally:
        await server.stop()


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


def _text(driver: WebDriver) -> str:
    return str(driver.find_element(By.TAG_NAME, "body").text)


async def test_admin_signs_in_from_the_bot_and_reads_april_2023(
    loaded: Database, site: tuple[HttpServer, Conversation], browser: WebDriver
) -> None:
    server, conversation = site
    link = await _web_link(loaded, conversation, "SNV", Role.ADMIN, "7001")
    await _in_thread(browser.get, link)
    assert browser.current_url == f"{server.url}/"  # the token is gone from the address
    cookie = browser.get_cookie("nhacviec_session")
    assert cookie is not None and cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    page = await _in_thread(_text, browser)
    assert "Tình hình thực hiện báo cáo" in page and "46/KH-UBND" in page

    april = browser.find_element(By.XPATH, "//thead//th[starts-with(normalize-space(.), '2023-04')]")
    column = [th.text for th in browser.find_elements(By.XPATH, "//thead/tr[1]/th")].index(april.text)
    counts = browser.find_elements(By.XPATH, "//tr[@class='counts']/td")[column - 1].text
    assert counts == "1 / 1 / 23", counts  # one on time, one late, the 23 others not sent
    stp = browser.find_element(By.XPATH, "//tr[@data-agency='STP']").find_elements(By.TAG_NAME, "td")[column - 1]
    syt = browser.find_element(By.XPATH, "//tr[@data-agency='SYT']").find_elements(By.TAG_NAME, "td")[column - 1]
    snn = browser.find_element(By.XPATH, "//tr[@data-agency='SNNPTNT']").find_elements(By.TAG_NAME, "td")[column - 1]
    assert "✓ đúng hạn" in stp.text and "⚠ nộp muộn +3 ngày" in syt.text and "✗ chưa nộp" in snn.text
    SHOTS.mkdir(exist_ok=True)
    await _in_thread(browser.save_screenshot, str(SHOTS / "matrix.png"))

    await _in_thread(stp.find_element(By.TAG_NAME, "a").click)  # HTMX brings the detail in below
    await _in_thread(
        WebDriverWait(browser, 10).until, lambda d: "Người xác nhận" in d.find_element(By.ID, "detail").text
    )
    detail = browser.find_element(By.ID, "detail").text
    assert "46/BC-STP" in detail and "14/04/2023" in detail

    await _in_thread(browser.get, f"{server.url}/xu-huong")
    assert browser.find_element(By.CSS_SELECTOR, "svg.chart polyline") is not None
    assert "Xếp hạng cơ quan theo tỷ lệ đúng hạn" in await _in_thread(_text, browser)
    await _in_thread(browser.save_screenshot, str(SHOTS / "trends.png"))

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
    loaded: Database, site: tuple[HttpServer, Conversation], browser: WebDriver
) -> None:
    _, conversation = site
    link = await _web_link(loaded, conversation, "STP", Role.LEADER, "7002")
    await _in_thread(browser.get, link)
    rows = browser.find_elements(By.XPATH, "//tbody/tr[@data-agency]")
    assert [r.get_attribute("data-agency") for r in rows] == ["STP"]
    href = browser.find_element(By.XPATH, "//tr[@data-agency='STP']//a").get_attribute("href") or ""
    other = href.rsplit("/", 1)[0] + "/SYT"
    status = await _in_thread(browser.execute_script, f"return fetch('{other}').then(r => r.status)")
    assert status == 403
    await _in_thread(browser.get, other)
    assert "chỉ được xem số liệu của cơ quan mình" in await _in_thread(_text, browser)
    assert "Xuất Excel" not in await _in_thread(_text, browser)  # no export for a leader


async def test_an_expired_link_is_refused(
    loaded: Database, site: tuple[HttpServer, Conversation], browser: WebDriver
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
    loaded: Database, site: tuple[HttpServer, Conversation], browser: WebDriver
) -> None:
    server, conversation = site
    reader = Sender(Platform.TELEGRAM, "7011", "7011", "Lê Văn Sơn")
    await add_person(loaded, "STP", Role.FOCAL, "Lê Văn Sơn", "7011", platform="telegram")
    await _in_thread(browser.get, await _web_link(loaded, conversation, "SNV", Role.ADMIN, "7010"))
    await _in_thread(browser.get, f"{server.url}/thong-bao")
    browser.find_element(By.ID, "text").send_keys("Đề nghị các đơn vị gửi báo cáo tháng 4 đúng hạn.")
    browser.find_element(By.CSS_SELECTOR, "input[name=audience][value=codes]").click()
    browser.find_element(By.ID, "codes").send_keys("STP")
    await _in_thread(browser.find_element(By.XPATH, "//button[normalize-space(.)='Xem trước']").click)
    preview = browser.find_element(By.ID, "preview").text
    assert "Đề nghị các đơn vị" in preview and "Gửi 1 cơ quan, 1 người" in preview, preview
    await _in_thread(browser.find_element(By.XPATH, "//button[normalize-space(.)='Gửi thông báo']").click)
    row = browser.find_element(By.XPATH, "//tr[@data-notice]")
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
    row = browser.find_element(By.XPATH, "//tr[@data-notice]")
    assert row.find_element(By.CLASS_NAME, "delivered").text == "1"
    assert row.find_element(By.CLASS_NAME, "acknowledged").text == "1"
