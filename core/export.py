"""Excel workbook of reporting compliance (openpyxl): one row per agency and period, and a summary."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from core.deadlines import to_vn
from core.types import ExportRow, Standing

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

STANDING_VI = {
    Standing.ON_TIME: "Đúng hạn",
    Standing.LATE: "Gửi chậm",
    Standing.MISSING: "Chưa nộp (quá hạn)",
    Standing.NOT_DUE: "Chưa đến hạn",
}


def _local(instant: datetime | None) -> datetime | None:
    return to_vn(instant).replace(tzinfo=None) if instant else None  # Excel has no time zones: Vietnam time


def _as_text(sheet: Worksheet) -> None:
    """Data is never a formula: a name like "=HYPERLINK(…)" stays the text it is (openpyxl would write any
    string starting with "=" as a live formula)."""
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"


def _plan(r: ExportRow) -> str:
    """A plan as a column names it: "Kế hoạch số 08/KH-UBND" (a period is never shown without its plan, issue 30)."""
    return f"Kế hoạch số {r.period.plan_number}"


def compliance_workbook(rows: Sequence[ExportRow], generated_at: datetime) -> bytes:
    # openpyxl is loaded here, when a workbook is asked for: every start of the service would pay for it otherwise
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Chi tiết"
    headers = [
        "Kế hoạch",
        "Kỳ báo cáo",
        "Hạn chót",
        "Mã cơ quan",
        "Cơ quan, đơn vị",
        "Tình trạng",
        "Nộp lúc",
        "Số văn bản",
        "Tệp báo cáo",
        "Đã nhắc",
        "Đã xem nhắc",
    ]
    ws.append(headers)
    for r in rows:
        s = r.status
        ws.append(
            [
                _plan(r),
                r.period.label,
                _local(r.period.due_at),
                s.agency.code,
                s.agency.name,
                STANDING_VI[r.standing],
                _local(s.submitted_at),
                s.document_number or "",
                s.file_name or "",
                "Có" if s.reminded else "Không",
                "Có" if s.seen else "Không",
            ]
        )
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for col in (3, 7):
        for cell in ws[get_column_letter(col)][1:]:
            cell.number_format = "dd/mm/yyyy hh:mm"
    for i, width in enumerate((24, 30, 18, 12, 45, 12, 18, 16, 30, 10, 12), start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"

    summary = wb.create_sheet("Tổng hợp")
    order = (Standing.ON_TIME, Standing.LATE, Standing.MISSING, Standing.NOT_DUE)
    summary.append(["Kế hoạch", "Kỳ báo cáo", *(STANDING_VI[s] for s in order), "Tổng số", "Đã nhắc", "Đã xem nhắc"])
    by_period: dict[int, list[ExportRow]] = {}
    for r in rows:
        by_period.setdefault(r.period.id, []).append(r)
    for mine in by_period.values():
        summary.append(
            [
                _plan(mine[0]),
                mine[0].period.label,
                *(sum(r.standing is s for r in mine) for s in order),
                len(mine),
                sum(r.status.reminded for r in mine),
                sum(r.status.seen for r in mine),
            ]
        )
    for cell in summary[1]:
        cell.font = Font(bold=True)
    summary.column_dimensions["A"].width = 24
    summary.column_dimensions["B"].width = 30
    summary.append([])
    made = to_vn(generated_at)
    summary.append([f"Lập lúc {made:%H:%M} {made.day}/{made.month}/{made.year}"])
    for sheet in wb.worksheets:
        _as_text(sheet)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def invites_workbook(rows: Sequence[tuple[str, str, str, str, str, datetime]], generated_at: datetime) -> bytes:
    """Registration codes to send with an official letter: one row per agency (its order, name and code; the code,
    the Telegram link when there is one, and until when the code works)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Mã đăng ký"
    ws.append(["STT", "Cơ quan, đơn vị", "Mã cơ quan", "Vai trò", "Mã đăng ký", "Liên kết Telegram", "Hết hạn"])
    for n, (name, agency_code, role, code, link, expires) in enumerate(rows, start=1):
        ws.append([n, name, agency_code, role, code, link, _local(expires)])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for cell in ws["G"][1:]:
        cell.number_format = "dd/mm/yyyy hh:mm"
    for i, width in enumerate((6, 48, 12, 16, 14, 48, 18), start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    _as_text(ws)
    wb.properties.created = _local(generated_at)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
