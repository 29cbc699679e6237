"""Excel workbook of reporting compliance (openpyxl): one row per agency and period, and a summary."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from core.conversation.ports import ExportRow
from core.deadlines import to_vn


def _local(instant: datetime | None) -> datetime | None:
    return to_vn(instant).replace(tzinfo=None) if instant else None  # Excel has no time zones: Vietnam time


def compliance_workbook(rows: Sequence[ExportRow], generated_at: datetime) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Chi tiết"
    headers = ["Kỳ báo cáo", "Hạn chót", "Mã cơ quan", "Cơ quan, đơn vị", "Tình trạng", "Nộp lúc", "Số văn bản"]
    ws.append(headers)
    for r in rows:
        state = "Chưa nộp" if r.submitted_at is None else ("Nộp muộn" if r.late else "Đúng hạn")
        ws.append(
            [
                r.period_label,
                _local(r.due_at),
                r.agency_code,
                r.agency_name,
                state,
                _local(r.submitted_at),
                r.document_number or "",
            ]
        )
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for col in (2, 6):
        for cell in ws[get_column_letter(col)][1:]:
            cell.number_format = "dd/mm/yyyy hh:mm"
    for i, width in enumerate((30, 18, 12, 45, 12, 18, 16), start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"

    summary = wb.create_sheet("Tổng hợp")
    summary.append(["Kỳ báo cáo", "Đúng hạn", "Nộp muộn", "Chưa nộp", "Tổng số"])
    for label in dict.fromkeys(r.period_label for r in rows):
        mine = [r for r in rows if r.period_label == label]
        on_time = sum(1 for r in mine if r.submitted_at and not r.late)
        late = sum(1 for r in mine if r.submitted_at and r.late)
        summary.append([label, on_time, late, len(mine) - on_time - late, len(mine)])
    for cell in summary[1]:
        cell.font = Font(bold=True)
    summary.column_dimensions["A"].width = 30
    summary.append([])
    summary.append([f"Lập lúc {to_vn(generated_at):%H:%M %d/%m/%Y}"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
