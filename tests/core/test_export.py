"""The Excel export: data written as text, never as a formula (issue 12, finding 6)."""

from __future__ import annotations

import io
from datetime import datetime

from openpyxl import load_workbook

from core.deadlines import VN_TZ
from core.export import compliance_workbook
from core.types import Agency, AgencyKind, ExportRow, Period, PeriodStatusRow, Standing

DUE = datetime(2023, 4, 15, 23, 59, 59, tzinfo=VN_TZ)


def test_an_agency_named_like_a_formula_is_written_as_text() -> None:
    period = Period(1, "thang", "Báo cáo tháng", "46/KH-UBND", "2023-04", "=cmd|' /C calc'!A0", DUE, DUE, "x")
    rows = [
        ExportRow(
            period, PeriodStatusRow(Agency(1, "X1", "=1+1", AgencyKind.DEPARTMENT, True), None, None), Standing.MISSING
        ),
        ExportRow(
            period,
            PeriodStatusRow(
                Agency(2, "X2", '=HYPERLINK("http://evil.invalid","Bấm")', AgencyKind.DEPARTMENT, True), DUE, "+1/BC"
            ),
            Standing.ON_TIME,
        ),
    ]
    wb = load_workbook(io.BytesIO(compliance_workbook(rows, DUE)))
    detail = wb["Chi tiết"]
    cells = [c for row in detail.iter_rows(min_row=2) for c in row] + [
        c for row in wb["Tổng hợp"].iter_rows() for c in row
    ]
    assert detail["E2"].value == "=1+1" and detail["E2"].data_type == "s"
    assert detail["E3"].value.startswith("=HYPERLINK") and detail["E3"].data_type == "s"
    assert detail["B2"].value == "=cmd|' /C calc'!A0" and detail["H3"].value == "+1/BC"
    assert not [c.coordinate for c in cells if c.data_type == "f"]
