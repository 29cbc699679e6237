"""What every CLI command shares: consoles, the wired context, refusals as operators read them, parsing."""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
import tempfile
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import typer
from pydantic import TypeAdapter, ValidationError
from rich.console import Console
from rich.text import Text

from core import errors
from core.deadlines import to_vn
from core.i18n import CatalogMissing
from core.planfile import PlanFileError
from core.planning.calendar import CalendarFileError
from core.types import AgencyKind, TaskRole
from nhacviec.config import load_settings
from nhacviec.wiring import DatabaseUrlError, SchemaOutOfDate, Wiring, wired

# Data is never read as Rich markup ("[/]" in a plan number or an agency name prints as it is); styles are
# given as Text objects.
out = Console(markup=False, highlight=False)
# An error is one line, never wrapped at the terminal's width: it is read in logs and pasted into tickets.
err = Console(stderr=True, markup=False, highlight=False, soft_wrap=True)
T = TypeVar("T")
ROLE_VI = {TaskRole.LEAD.value: "chủ trì", TaskRole.COORDINATE.value: "phối hợp", TaskRole.CARRY_OUT.value: "thực hiện"}
KIND_VI = {
    AgencyKind.DEPARTMENT: "sở, ban, ngành",
    AgencyKind.DISTRICT: "UBND huyện, thành phố",
    AgencyKind.COMMUNE: "UBND xã, phường",
    AgencyKind.OTHER: "khác",
}


class CliError(Exception):
    """A problem the operator can fix; printed without a traceback."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


REFUSED = {  # the use-cases' refusals, as the operator reads them
    errors.FileUnknown: (
        "nội dung tệp báo cáo #{detail} không còn (the report file's content is missing); kiểm tra REPORT_FILES_DIR"
    ),
    errors.AgencyUnknown: "không có cơ quan mã {detail!r} (unknown agency code); xem 'nhacviec agencies'",
    errors.PeriodUnknown: "không tìm thấy kỳ báo cáo {detail!r} (no such period); xem 'nhacviec periods'",
    errors.PeriodAmbiguous: "nhiều kế hoạch có kỳ này (several plans have it); ghi rõ kế hoạch: {detail}",
    errors.NotOwed: "cơ quan không thuộc diện phải nộp kỳ báo cáo này (the agency does not owe this period)",
    errors.AlreadySubmitted: "kỳ báo cáo này đã được xác nhận nộp trước đó (already confirmed)",
    errors.LineageError: "không thay đổi được cơ quan: {detail}",
    errors.ConsoleAccountEnded: (
        "tài khoản dòng lệnh {detail} đã bị ngừng trên trang Cán bộ (the console account was deactivated); "
        "một quản trị viên Sở Nội vụ có thể cấp mã mới bằng 'nhacviec invite'"
    ),
    errors.ProvinceUnknown: (
        'không có tỉnh, thành phố {detail!r} trong 34 tỉnh, thành phố (unknown province); ví dụ: "Tuyên Quang"'
    ),
    errors.AdminElsewhere: (
        "mã quản trị chỉ cấp cho cơ quan tổng hợp báo cáo (ADMIN_AGENCY), không cho {detail} "
        "(admin codes are for ADMIN_AGENCY only; --admin-elsewhere to widen it deliberately)"
    ),
    errors.CalendarError: "không thay đổi được lịch làm việc: {detail}",
    errors.PersonUnknown: "không có cán bộ số {detail} (no such person); xem trang Cán bộ trên trang quản trị",
    errors.InviteUsed: "mã đăng ký này đã được dùng (the code was used already)",
    errors.InviteExpired: "mã đăng ký này đã hết hạn; cấp mã mới bằng 'nhacviec invite' (the code has expired)",
}


def settings_refused(exc: ValidationError) -> CliError:
    """A configuration error that names each field and its problem, never a value: pydantic's own text repeats
    the whole input, secrets included (issue 24, finding 1)."""
    lines = []
    for err in exc.errors(include_url=False, include_input=False, include_context=False):
        field = ".".join(str(part) for part in err["loc"]).upper() or "cấu hình"
        lines.append(f"  {field}: {err['msg']}")
    return CliError("cấu hình không hợp lệ (invalid configuration):\n" + "\n".join(lines), 2)


@asynccontextmanager
async def context(check_schema: bool = True) -> AsyncIterator[Wiring]:
    try:
        settings = load_settings()
    except ValidationError as exc:
        raise settings_refused(exc) from None
    try:
        async with wired(settings, check_schema) as w:
            yield w
    except SchemaOutOfDate as exc:
        raise CliError(str(exc)) from exc
    except DatabaseUrlError as exc:
        raise CliError(str(exc), 2) from None
    except errors.DomainError as exc:
        message = REFUSED.get(type(exc), f"không thực hiện được (refused): {type(exc).__name__}")
        raise CliError(message.format(detail=str(exc)), 2) from exc
    except CalendarFileError as exc:
        raise CliError(str(exc), 2) from exc
    except PlanFileError as exc:
        raise CliError(
            "tệp kế hoạch không nạp được, chưa ghi gì (plan file refused, nothing written):\n" + str(exc), 2
        ) from exc


def run(coro: Coroutine[Any, Any, T]) -> T:
    try:
        return asyncio.run(coro)
    except CliError as exc:
        err.print(styled("Lỗi (error):", "red", str(exc)))
        raise typer.Exit(exc.code) from None
    except CatalogMissing as exc:
        err.print(styled("Lỗi cài đặt (installation problem):", "red", str(exc)))
        raise typer.Exit(1) from None
    except (ConnectionError, TimeoutError) as exc:
        err.print(styled("Lỗi kết nối cơ sở dữ liệu (database connection failed):", "red", str(exc)))
        raise typer.Exit(1) from None
    except OSError as exc:
        err.print(styled("Lỗi hệ thống (system error):", "red", str(exc.strerror or exc)))
        raise typer.Exit(1) from None


def print_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def iso(instant: datetime) -> str:
    return to_vn(instant).isoformat()


LONGEST = timedelta(days=366)  # an invite code longer than a year outlives the person it was meant for
FIRST_YEAR, LAST_YEAR = 2000, 2100  # the dates an operator may give: history since 2000, plans to 2100


def parse_duration(text: str, longest: timedelta = LONGEST) -> timedelta:
    """A duration typed as 7d, 48h, 30m or ISO 8601 (P7D), more than nothing and at most ``longest``."""
    m = re.fullmatch(r"\s*([0-9]{1,6})\s*([dhm])\s*", text.lower())
    try:
        if m:
            n, unit = int(m.group(1)), m.group(2)
            found = {"d": timedelta(days=n), "h": timedelta(hours=n), "m": timedelta(minutes=n)}[unit]
        else:
            found = TypeAdapter(timedelta).validate_python(text)
    except (ValidationError, OverflowError):
        raise CliError(f"thời hạn không hợp lệ (bad duration) {text!r}: dùng 7d, 48h hoặc P7D", 2) from None
    if not timedelta(0) < found <= longest:
        raise CliError(
            f"thời hạn {text!r} phải dài hơn 0 và không quá {longest.days} ngày "
            f"(a duration of more than nothing, at most {longest.days} days)",
            2,
        )
    return found


# ------------------------------------------------------------------ commands


def day(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        found = date.fromisoformat(value)
    except ValueError:
        raise CliError(f"{name}: ngày không hợp lệ (bad date) {value!r}; dùng YYYY-MM-DD", 2) from None
    if not FIRST_YEAR <= found.year <= LAST_YEAR:
        raise CliError(
            f"{name}: ngày {value} phải trong các năm {FIRST_YEAR}–{LAST_YEAR} "
            f"(a date within {FIRST_YEAR}–{LAST_YEAR})",
            2,
        )
    return found


def required_day(value: str, name: str) -> date:
    """A YYYY-MM-DD argument that must be given."""
    found = day(value, name)
    assert found is not None
    return found


def styled(head: str, style: str, rest: str = "") -> Text:
    """``head`` in ``style``, then ``rest`` as plain text (never markup)."""
    return Text.assemble((head, style), (" " + rest) if rest else "")


def write_atomically(target: Path, data: bytes) -> None:
    """Write the file whole or not at all (a temporary file in the same folder, then renamed over).

    Raises:
        CliError: the folder does not exist.
    """
    folder = target.resolve().parent
    if not folder.is_dir():
        raise CliError(f"{target}: thư mục không tồn tại (no such folder)", 2)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".nhacviec-", suffix=target.suffix)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
