"""The console channel through its real entry point (`nhacviec chat`), with scripted input."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from core.deadlines import to_vn, utcnow
from tests.cli_runner import ENTRY, run_cli
from tests.conftest import PLAN_46, Database

pytestmark = pytest.mark.skipif(not ENTRY.exists(), reason="the nhacviec script is not installed (run make test)")


def test_admin_requests_an_adhoc_report_and_a_focal_person_submits_it(database: Database, tmp_path: Path) -> None:
    env = database.env
    assert run_cli(["import-plan", str(PLAN_46)], env, tmp_path).code == 0
    due = to_vn(utcnow() + timedelta(days=10)).strftime("%d/%m/%Y")
    admin = run_cli(
        ["chat", "--as", "SNV", "--role", "admin", "--name", "Phạm Quản Trị"],
        env,
        tmp_path,
        stdin=f"/huongdan\n/dotxuat Tình hình triển khai\n2\n{due}\n1\n/thoat\n",
    )
    assert admin.code == 0, admin.err
    assert "/tonghop [kỳ]" in admin.out  # the admin's help
    assert "1. Tất cả" in admin.out and "2. Các sở, ban, ngành" in admin.out
    assert "Đã tạo báo cáo đột xuất: Tình hình triển khai" in admin.out

    focal = run_cli(
        ["chat", "--as", "stp"],
        env,
        tmp_path,
        stdin="/nhiemvu\n/danop\n1\n125/bc-stp\n1\n/trangthai\nxin chào\n/xoa\n",
    )
    assert focal.code == 0, focal.err
    assert "Nhiệm vụ của Sở Tư pháp" in focal.out and "III.3 —" in focal.out
    assert "Số văn bản: 125/BC-STP" in focal.out
    assert "Đã ghi nhận: Sở Tư pháp nộp báo cáo đột xuất: Tình hình triển khai" in focal.out
    assert "đúng hạn" in focal.out
    assert "Hệ thống chưa nhận dạng được yêu cầu của đồng chí" in focal.out and "Không có lệnh /xoa" in focal.out

    rows = run_cli(["status", "Báo cáo đột xuất: Tình hình triển khai", "--json"], env, tmp_path).json()
    assert {r["agency"]: r["status"] for r in rows}["STP"] == "on_time"
    assert len(rows) == 18  # the departments


def test_export_from_the_console_writes_the_workbook(database: Database, tmp_path: Path) -> None:
    assert run_cli(["import-plan", str(PLAN_46)], database.env, tmp_path).code == 0
    result = run_cli(["chat", "--as", "SNV", "--role", "admin"], database.env, tmp_path, stdin="/xuat 2023-04\n")
    assert result.code == 0 and "Tệp tổng hợp tình hình nộp báo cáo: 24 dòng." in result.out
    assert list((tmp_path / "exports").glob("tong-hop-bao-cao-*.xlsx"))


def test_chat_as_an_unknown_agency(database: Database, tmp_path: Path) -> None:
    result = run_cli(["chat", "--as", "NOPE"], database.env, tmp_path, stdin="")
    assert result.code == 2 and "unknown agency code" in result.err


def test_chat_sends_each_message_once_even_at_exit(database: Database, tmp_path: Path) -> None:
    """A notice queued just before the console closes is delivered once (one drain runs at a time)."""
    assert run_cli(["import-plan", str(PLAN_46)], database.env, tmp_path).code == 0
    typed = "/thongbao Họp giao ban lúc 14:00.\n1\n1\n"  # text, audience "Tất cả", "Gửi"
    result = run_cli(["chat", "--as", "SNV", "--role", "admin"], database.env, tmp_path, stdin=typed)
    assert result.code == 0, result.err
    assert result.out.count("Thông báo của Sở Nội vụ:") == 1, result.out


def test_chat_as_an_invite_code_is_the_person_the_code_was_made_for(loaded: Database, tmp_path: Path) -> None:
    """Issue 29: `chat --as` ignored the name and title of the invite it redeemed, and `/dangky CODE` then answered
    "Đồng chí đã đăng ký…", which reads as "you are registered", leaving the code unused."""
    made = run_cli(
        ["invite", "STP", "--name", "Lê Văn Sơn", "--title", "Chuyên viên Văn phòng Sở", "--json"], loaded.env, tmp_path
    )
    assert made.code == 0, made.err
    code = made.json()["code"]
    first = run_cli(["chat", "--as", code], loaded.env, tmp_path, stdin="/dulieu\n/thoat\n")
    assert first.code == 0, first.err
    assert "Họ và tên: Lê Văn Sơn" in first.out and "Chức vụ: Chuyên viên Văn phòng Sở" in first.out, first.out
    again = run_cli(["chat", "--as", code], loaded.env, tmp_path, stdin="/dulieu\n/thoat\n")
    assert again.code == 0 and "Họ và tên: Lê Văn Sơn" in again.out  # the same account, the code used once
    other = run_cli(["invite", "STP", "--json"], loaded.env, tmp_path).json()["code"]
    console = run_cli(["chat", "--as", "STP"], loaded.env, tmp_path, stdin=f"/dangky {other}\n/thoat\n")
    assert "Tài khoản này đã đăng ký cho đồng chí" in console.out, console.out
    assert f"Mã {other} chưa được dùng và vẫn còn hiệu lực" in console.out
