"""The CLI through its real entry point (the installed `nhacviec` script), on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest

from models.db import head_revision
from tests.cli_runner import ENTRY, Result, run_cli
from tests.conftest import PLAN_46, Database
from tests.snapshot import snapshot

pytestmark = pytest.mark.skipif(not ENTRY.exists(), reason="the nhacviec script is not installed (run make test)")


@pytest.fixture
def cli(database: Database, tmp_path: Path):  # type: ignore[no-untyped-def]
    def run(*args: str) -> Result:
        return run_cli(list(args), database.env, tmp_path)

    return run


def test_import_then_read_everything_as_json(cli, database: Database) -> None:  # type: ignore[no-untyped-def]
    looked = cli("import-plan", "--dry-run", str(PLAN_46))
    assert looked.code == 0 and "chưa ghi gì" in looked.out and "thêm cơ quan: 36 (agencies created)" in looked.out
    assert cli("agencies", "--json").json() == []  # a dry run writes nothing
    first = cli("import-plan", str(PLAN_46))
    assert first.code == 0, first.err
    assert "thêm cơ quan: 36 (agencies created)" in first.out
    again = cli("import-plan", str(PLAN_46))
    assert again.code == 0 and "không có thay đổi" in again.out

    agencies = cli("agencies", "--json").json()
    assert len(agencies) == 36
    assert {"code": "TTRA", "name": "Thanh tra tỉnh", "kind": "department", "active": True}.items() <= next(
        a for a in agencies if a["code"] == "TTRA"
    ).items()
    assert sum(a["kind"] == "district" for a in agencies) == 7
    # III.10: every department (the 17 of Nghị định 24/2014 and 107/2020, and Ban Dân tộc) and district owes.
    departments = {a["code"] for a in agencies if a["kind"] == "department"}
    assert len(departments) == 18 and {"SYT", "SGDDT", "SKHDT", "SCT", "SXD", "BDT"} <= departments
    owing = {a["code"] for a in agencies if "46/KH-UBND:thang" in a["owes"]}
    # … but Sở Nội vụ, who compiles the reports (via), owes none of them (issue 23).
    assert owing == (departments - {"SNV"}) | {a["code"] for a in agencies if a["kind"] == "district"}
    assert "CAT" not in owing and "BAOTQ" not in owing

    syt = cli("tasks", "--agency", "SYT", "--json").json()
    assert [x["ref"] for x in syt] == [f"II.{i}" for i in range(1, 12)] + ["III.6", "III.7", "III.10"]
    assert {x["role"] for x in syt if x["ref"].startswith("II.")} == {"carry_out"}
    every_ref = [x["ref"] for x in cli("tasks", "--json").json()]
    assert all(re.fullmatch(r"(II|III)\.\d+", r) for r in every_ref)  # no invented letters

    tasks = cli("tasks", "--agency", "TTRA", "--json").json()
    refs = [x["ref"] for x in tasks]
    assert refs[:11] == [f"II.{i}" for i in range(1, 12)]
    own = [x for x in tasks if x["ref"] == "III.7"]
    assert [(x["paragraph"], x["role"]) for x in own] == [(1, "lead"), (2, "carry_out")]
    assert {"plan", "ref", "title", "text", "role"} <= set(tasks[0])
    text = " ".join(x["text"] for x in own)
    assert "tiếp công dân" in text and "khiếu nại, tố cáo" in text and "tham nhũng" in text

    periods = cli("periods", "--json").json()
    monthly = [p for p in periods if p["series"] == "thang"]
    assert len(monthly) == 9
    half = next(p for p in periods if p["series"] == "6thang")
    year = next(p for p in periods if p["series"] == "nam")
    assert half["due_at"] == "2023-05-24T23:59:59+07:00" and half["wording"] == "trước ngày 25/5/2023"
    assert year["due_at"] == "2023-11-24T23:59:59+07:00" and year["wording"] == "trước ngày 25/11/2023"
    assert monthly[0]["due_at"] == "2023-04-15T23:59:59+07:00"
    assert monthly[0]["wording"] == "chậm nhất trong ngày 15 hàng tháng"

    window = cli("periods", "--from", "2023-05-01", "--to", "2023-05-31", "--json").json()
    assert [p["label"] for p in window] == ["Báo cáo tháng 5/2023", "Báo cáo 6 tháng đầu năm 2023"]

    table = cli("periods")
    assert "thứ Bảy, 15/4/2023" in table.out and "Chủ nhật, 15/10/2023" in table.out


def test_invite_submit_and_status(cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("import-plan", str(PLAN_46)).code == 0
    inv = cli("invite", "STP", "--role", "leader", "--expires", "48h", "--json").json()
    assert inv["agency"] == "STP" and inv["role"] == "leader" and len(inv["code"]) == 16
    offset = datetime.fromisoformat(inv["expires_at"]).utcoffset()
    assert offset is not None and offset.total_seconds() == 7 * 3600
    assert "link" not in inv
    wide = cli("invite", "STP", "--role", "admin", "--admin-elsewhere", "--json").json()  # widened on purpose
    assert wide["role"] == "admin" and wide["agency"] == "STP"

    ok = cli("submit", "STP", "2023-04", "--so-van-ban", "125/BC-STP", "--at", "2023-04-14T10:00:00+07:00")
    assert ok.code == 0, ok.err
    late = cli("submit", "STC", "thang:2023-04", "--at", "2023-04-18T08:00:00")  # Saturday 15/4 ran to Monday
    assert late.code == 0 and "muộn" in late.out
    twice = cli("submit", "STP", "2023-04")
    assert twice.code == 2 and "đã được xác nhận" in twice.err

    rows = {r["agency"]: r for r in cli("status", "Báo cáo tháng 4/2023", "--json").json()}
    assert rows["STP"]["status"] == "on_time" and rows["STP"]["document_number"] == "125/BC-STP"
    assert rows["STC"]["status"] == "late" and "SNV" not in rows  # Sở Nội vụ compiles, owes nothing
    assert rows["TTRA"]["status"] == "missing"
    assert len(rows) == 24
    human = cli("status", "2023-04")
    assert "Đúng hạn: 1 · Muộn: 1 · Chưa nộp: 22 / 24" in human.out


def test_invite_link_once_telegram_is_configured(database: Database, tmp_path: Path) -> None:
    env = {**database.env, "TELEGRAM_BOT_USERNAME": "nhacviec_tq_bot"}
    assert run_cli(["import-plan", str(PLAN_46)], env, tmp_path).code == 0
    inv = run_cli(["invite", "SNV", "--role", "admin", "--json"], env, tmp_path).json()
    assert inv["link"] == f"https://t.me/nhacviec_tq_bot?start={inv['code']}"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["invite", "XYZ"], "không có cơ quan mã"),
        (["invite", "SNV", "--expires", "soon"], "bad duration"),
        (["tasks", "--agency", "NOPE", "--json"], "unknown agency code"),
        (["invite", "STP", "--role", "admin"], "admin codes are for ADMIN_AGENCY only"),  # issue 12, finding 3
        (["reminders", "--from", "2023-01-01", "--to", "2099-12-31"], "at most 1830 days"),  # issue 12, finding 10
        (["reminders", "--from", "2023-01-01", "--to", "9999-12-31"], "2000–2100"),  # issue 28, finding 15
        (["reminders", "--from", "1900-01-01", "--to", "1900-02-01"], "within 2000–2100"),
        (["periods", "--from", "15/4/2023"], "bad date"),
        (["status", "2099-01"], "no such period"),
        (["submit", "SNV", "2023-04", "--at", "hôm qua"], "bad instant"),
    ],
)
async def test_bad_arguments_exit_2_and_change_nothing(cli, database: Database, args: list[str], message: str) -> None:  # type: ignore[no-untyped-def]
    assert cli("import-plan", str(PLAN_46)).code == 0
    before = await snapshot(database.engine)
    result = cli(*args)
    assert result.code == 2, result
    assert message in result.err
    assert "Traceback" not in result.err
    assert await snapshot(database.engine) == before


async def test_bad_plan_file_writes_nothing(cli, database: Database, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.toml"
    bad.write_text(
        PLAN_46.read_text(encoding="utf-8").replace('lead = ["BDT"]', 'lead = ["BDTT"]', 1), encoding="utf-8"
    )
    before = await snapshot(database.engine)
    result = cli("import-plan", str(bad))
    assert result.code == 2
    assert str(bad) in result.err and "unknown agency code 'BDTT'" in result.err and "field 'lead'" in result.err
    assert await snapshot(database.engine) == before


def test_data_is_never_read_as_rich_markup(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Issue 12, finding 5: "[/]" in a plan number or a name used to crash the CLI after writing."""
    odd = tmp_path / "odd.toml"
    text = PLAN_46.read_text(encoding="utf-8").replace('number = "46/KH-UBND"', 'number = "97/KH-[/]"')
    odd.write_text(text.replace('name = "Sở Tư pháp"', 'name = "Sở [bold]Tư[/] pháp [/]"'), encoding="utf-8")
    imported = cli("import-plan", str(odd))
    assert imported.code == 0, imported.err
    assert "97/KH-[/]" in imported.out
    listed = cli("agencies")
    assert listed.code == 0 and "Sở [bold]Tư[/] pháp [/]" in listed.out
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace('signer = "Hoàng Việt Phương"\n', ""), encoding="utf-8")
    refused = cli("import-plan", str(bad))
    assert refused.code == 2 and "[plan]" in refused.err and "field 'signer'" in refused.err


def test_out_of_date_schema_is_refused_with_the_fix(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"}
    refused = run_cli(["agencies"], env, tmp_path)
    assert refused.code == 1
    assert "nhacviec db upgrade" in refused.err and "Traceback" not in refused.err
    upgraded = run_cli(["db", "upgrade"], env, tmp_path)
    assert upgraded.code == 0 and f"→ {head_revision()}" in upgraded.out
    assert run_cli(["agencies", "--json"], env, tmp_path).json() == []


def test_default_database_is_sqlite_in_data_folder(tmp_path: Path) -> None:
    assert run_cli(["db", "upgrade"], {}, tmp_path).code == 0
    assert (tmp_path / "data" / "nhacviec.db").exists()
    assert run_cli(["import-plan", str(PLAN_46)], {}, tmp_path).code == 0


def test_a_copy_of_env_example_is_a_working_configuration(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        (PLAN_46.parent.parent / ".env.example").read_text(encoding="utf-8"), encoding="utf-8"
    )
    assert run_cli(["db", "upgrade"], {}, tmp_path).code == 0
    assert run_cli(["import-plan", str(PLAN_46)], {}, tmp_path).code == 0
    result = run_cli(  # the console script itself, as an operator starts it
        ["reminders", "--from", "2023-04-01", "--to", "2023-04-30", "--agency", "STP", "--json"],
        {},
        tmp_path,
        subprocess=True,
    )
    assert result.code == 0, result.err
    assert len(result.json()) == 7


def test_missing_translations_are_named_as_such_not_as_a_database_failure(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'x.db'}", "NHACVIEC_LOCALES_DIR": str(tmp_path / "none")}
    assert run_cli(["db", "upgrade"], env, tmp_path).code == 0
    assert run_cli(["import-plan", str(PLAN_46)], env, tmp_path).code == 0
    broken = run_cli(["chat", "--as", "SNV"], env, tmp_path, stdin="/huongdan\n", subprocess=True)
    assert broken.code == 1 and "translations are missing" in broken.err and "NHACVIEC_LOCALES_DIR" in broken.err
    assert "cơ sở dữ liệu" not in broken.err and "Traceback" not in broken.err


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgresql+nosuchdriver://u:hunter2pass@localhost/x", "DATABASE_URL không dùng được"),
        ("postgresql+asyncpg://u:hunter2pass@localhost:notaport/x", "DATABASE_URL không dùng được"),
        ("not a url at all", "DATABASE_URL không dùng được"),
    ],
)
def test_a_malformed_database_url_gets_one_clear_line(tmp_path: Path, url: str, message: str) -> None:
    """Issue 12, finding 12: raw tracebacks, and the password with them."""
    result = run_cli(["agencies"], {"DATABASE_URL": url}, tmp_path)
    assert result.code == 2 and message in result.err, result.err
    assert "hunter2pass" not in result.err + result.out and "Traceback" not in result.err


def test_read_only_commands_create_no_file_or_folder(tmp_path: Path) -> None:
    """Issue 12, finding 12: a mistyped SQLite path silently made folders and an empty database."""
    typo = tmp_path / "dta" / "sub" / "nhacviec.db"
    for args in (
        ["agencies"],
        ["periods"],
        ["import-plan", str(PLAN_46)],
        ["reminders", "--from", "2023-04-01", "--to", "2023-04-30"],
    ):
        result = run_cli(args, {"DATABASE_URL": f"sqlite+aiosqlite:///{typo}"}, tmp_path)
        assert result.code == 1 and "không có cơ sở dữ liệu tại" in result.err, (args, result.err)
    assert not (tmp_path / "dta").exists()
    made = run_cli(["db", "upgrade"], {"DATABASE_URL": f"sqlite+aiosqlite:///{typo}"}, tmp_path)
    assert made.code == 0 and typo.exists()  # the one command that creates it


SECRET_TOKEN = "123456:SECRET-never-printed-0123456789"


@pytest.mark.parametrize("command", [["db", "upgrade"], ["run"], ["status"]])
def test_a_configuration_error_names_the_field_never_a_value(tmp_path: Path, command: list[str]) -> None:
    """Issue 24, finding 1: pydantic's error text repeats the whole input (`input_value={…}`), the bot token and the
    webhook secret included; the refusal now names each field and its problem only."""
    env = {
        "ENV": "production",
        "WEB_SECRET_KEY": "changeme",
        "TELEGRAM_BOT_TOKEN": SECRET_TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": "whsec-never-printed-abcdef",
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'x.db'}",
    }
    result = run_cli(command, env, tmp_path)
    said = result.out + result.err
    assert result.code == 2, said
    assert "WEB_SECRET_KEY" in said and "cấu hình không hợp lệ" in said
    assert "SECRET-never-printed" not in said and "whsec-never-printed" not in said and "input_value" not in said
    port = run_cli(["status"], {"HTTP_PORT": "99999", "DATABASE_URL": env["DATABASE_URL"]}, tmp_path)
    assert port.code == 2 and "HTTP_PORT:" in port.err and "99999" not in port.err


@pytest.mark.parametrize(
    ("variable", "value", "fine"),
    [
        ("ZALO_WEBHOOK_SECRET", "a", False),  # was accepted, and the log mask starred every "a"
        ("ZALO_WEBHOOK_SECRET", "a" * 257, False),
        ("ZALO_WEBHOOK_SECRET", "zalo-hook-8", True),
        ("TELEGRAM_WEBHOOK_SECRET", "has space", False),  # Telegram refuses it at setWebhook
        ("TELEGRAM_WEBHOOK_SECRET", "t" * 257, False),
        ("TELEGRAM_WEBHOOK_SECRET", "Ab_9-x", True),
    ],
)
def test_webhook_secrets_are_checked_as_the_platforms_take_them(
    tmp_path: Path, variable: str, value: str, fine: bool
) -> None:
    """Issue 28, finding 12: the README says 8-256 characters for Zalo and 1-256 of A-Z a-z 0-9 _ - for Telegram."""
    env = {variable: value, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"}
    result = run_cli(["status"], env, tmp_path)
    refused = result.code == 2 and f"{variable}:" in result.err
    assert refused is not fine, result.err
    assert fine or len(value) < 6 or value not in result.err  # the variable is named, never its value


def test_the_login_link_is_one_line_in_a_narrow_terminal(loaded: Database, tmp_path: Path) -> None:
    """Issue 24, finding 7: the link was wrapped at 80 columns (piped, or a narrow terminal) and the pasted half
    answered "used or expired"."""
    env = {**loaded.env, "WEB_BASE_URL": "https://nhacviec.sonoivu.tuyenquang.gov.vn/quan-tri", "COLUMNS": "40"}
    result = run_cli(["login-link", "--as", "SNV", "--role", "admin"], env, tmp_path, subprocess=True)
    assert result.code == 0, result.err
    (line,) = [x for x in result.out.splitlines() if x.strip()]
    assert re.fullmatch(r"https://nhacviec\.sonoivu\.tuyenquang\.gov\.vn/quan-tri/dang-nhap\?t=[\w-]{40,}", line), line


def test_production_asks_for_a_long_dashboard_key(tmp_path: Path) -> None:
    """Issue 24, finding 6: production accepted a one-character WEB_SECRET_KEY; the documented deployment's template
    had none at all, so even `migrate` failed."""
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"
    short = run_cli(["db", "upgrade"], {"ENV": "production", "WEB_SECRET_KEY": "k", "DATABASE_URL": db_url}, tmp_path)
    assert short.code == 2 and "WEB_SECRET_KEY must be at least 32 characters" in short.err
    assert not (tmp_path / "x.db").exists()
    key = "0123456789abcdef" * 3  # 48 characters
    ok = run_cli(["db", "upgrade"], {"ENV": "production", "WEB_SECRET_KEY": key, "DATABASE_URL": db_url}, tmp_path)
    assert ok.code == 0, ok.err
    template = (Path(__file__).resolve().parent.parent / "deploy" / "env.example").read_text(encoding="utf-8")
    assert "\nWEB_SECRET_KEY=" in template and "\nWEB_BASE_URL=https://" in template


async def test_login_link_for_a_deactivated_console_person_is_a_clear_refusal(loaded: Database, tmp_path: Path) -> None:
    """Issue 24, finding 8: the second link died with an IntegrityError showing SQL once an admin had deactivated the
    operator's console person on the dashboard."""
    first = run_cli(["login-link", "--as", "STP", "--role", "focal"], loaded.env, tmp_path)
    assert first.code == 0, first.err
    async with loaded.uows() as uow:
        person = next(p for p in await uow.accounts.people(None) if p.channels and p.agency_code == "STP")
        assert await uow.accounts.deactivate(person.person_id)
        await uow.commit()
    again = run_cli(["login-link", "--as", "STP", "--role", "focal"], loaded.env, tmp_path)
    assert again.code == 2 and "đã bị ngừng trên trang Cán bộ" in again.err
    assert "Integrity" not in again.err + again.out and "INSERT" not in again.err + again.out


def test_absurd_dates_and_expiries_are_refused_and_change_nothing(cli) -> None:  # type: ignore[no-untyped-def]
    """Issue 28, finding 15: `agencies rename --from 0001-01-01` rewrote 2023's history; `invite --expires 99999d`
    made a code valid until 2300."""
    assert cli("import-plan", str(PLAN_46)).code == 0
    renamed = cli("agencies", "rename", "STP", "--name", "Sở Tư pháp mới", "--from", "0001-01-01")
    assert renamed.code == 2 and "2000–2100" in renamed.err, renamed.err
    listed = cli("agencies", "--json")
    assert {a["code"]: a["name"] for a in listed.json()}["STP"] == "Sở Tư pháp"
    for expires in ("99999d", "0d", "P400D", "9" * 30 + "d"):
        invited = cli("invite", "STP", "--expires", expires)
        assert invited.code == 2 and "thời hạn" in invited.err, (expires, invited.err)
    assert cli("invite", "STP", "--expires", "30d").code == 0
    late = cli("submit", "STP", "2023-04", "--at", "2999-01-01T09:00")
    assert late.code == 2 and "2000–2100" in late.err, late.err
