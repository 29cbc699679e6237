"""Report files as agencies send them, made here for the tests (issue 32): a Word report, a printed PDF and an Excel
annex, each in the form of Nghị định 30/2020/NĐ-CP (Phụ lục I: the header, số/ký hiệu, place and date, trích yếu).
The agencies are plan 46's (Kế hoạch 46/KH-UBND, Tuyên Quang, 14/3/2023, ../shared/seeds); the document numbers
are made up for the test, in the form "số/BC-<agency's code>" the Nghị định gives (Phụ lục III)."""

from __future__ import annotations

import io

from docx import Document
from openpyxl import Workbook
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas


def word_report(agency: str, number: str, place: str = "Tuyên Quang") -> bytes:
    """A monthly report in Word, as an agency's office writes it."""
    doc = Document()
    doc.add_paragraph(f"UBND TỈNH TUYÊN QUANG\n{agency.upper()}")
    doc.add_paragraph(f"Số: {number}")
    doc.add_paragraph(f"{place}, ngày 12 tháng 4 năm 2023")
    doc.add_heading("BÁO CÁO", level=1)
    doc.add_paragraph("Kết quả thực hiện Kế hoạch số 46/KH-UBND ngày 14/3/2023 của Ủy ban nhân dân tỉnh, tháng 4/2023")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def pdf_report(agency: str, number: str) -> bytes:
    """The report as a PDF of one page (in the PDF's own Times-Roman, whose letters lack Vietnamese marks: the text
    is written without them, as a scanner's OCR layer often is; no font file is needed on the machine)."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setFont("Times-Roman", 13)
    for n, line in enumerate([agency.upper(), f"So: {number}", "BAO CAO", "Thang 4/2023 - Ke hoach so 46/KH-UBND"]):
        c.drawString(72, 770 - 20 * n, line)
    c.showPage()
    c.save()
    return buf.getvalue()


def excel_annex(agency: str) -> bytes:
    """The figures the report's annex tabulates."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Phụ lục: số liệu tháng 4/2023", agency])
    ws.append(["Nhiệm vụ", "Kết quả"])
    ws.append(["Rà soát thủ tục hành chính", "Hoàn thành"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
