"""A period's documents as Sở Nội vụ finishes them in Word and Excel (issue 32): the compilation sheet (.xlsx), the
period's report files in one .zip, the draft of the compiled report (Báo cáo) and the draft of the chasing letter
(Công văn đôn đốc), the drafts in the
form of Nghị định 30/2020/NĐ-CP, Phụ lục I (header block, số/ký hiệu, place and date, trích yếu, body, nơi nhận,
signature), in Times New Roman 13–14 with Word's own styles, so that an officer edits them as their own.

Every fact is the database's at the moment the documents are made, and each says so. python-docx and openpyxl are
loaded when a document is asked for."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Awaitable, Callable
from typing import IO, Any

from core.deadlines import to_vn
from core.export import STANDING_VI
from core.i18n import format_day
from core.standing import Judged
from core.types import ReportFile, Standing
from core.usecases.compiling import Compiled

MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
FONT = "Times New Roman"


def _place(c: Compiled) -> str:
    """The province's name for "Tuyên Quang, ngày …" (from the plan's issuer)."""
    m = re.search(r"\b(?:tỉnh|thành phố)\s+(.+)$", c.period.plan_issuer, re.IGNORECASE)
    return m.group(1) if m else ""


def _plan(c: Compiled) -> str:
    """ "Kế hoạch số 46/KH-UBND ngày 14/3/2023 của Ủy ban nhân dân tỉnh Tuyên Quang"."""
    p = c.period
    said = f"Kế hoạch số {p.plan_number}"
    if p.plan_issued_on:
        said += f" ngày {p.plan_issued_on.day}/{p.plan_issued_on.month}/{p.plan_issued_on.year}"
    return f"{said} của {p.plan_issuer}" if p.plan_issuer else said


def _name(c: Compiled, j: Judged) -> str:
    """An agency as it was named when the period fell due (a plan of 2023 names 2023's departments)."""
    return j.row.agency.name_on(to_vn(c.period.due_at).date())


def _state(j: Judged) -> str:
    if j.standing is Standing.LATE:
        return f"Gửi chậm {j.verdict.days} ngày làm việc"
    if j.standing is Standing.MISSING:
        return f"Chưa gửi (quá hạn {j.verdict.days} ngày làm việc)"
    return STANDING_VI[j.standing]


def _sent(j: Judged) -> str:
    r = j.row
    parts = [r.document_number or ""]
    if r.submitted_at:
        parts.append(f"gửi {format_day(r.submitted_at)}")
    return ", ".join(x for x in parts if x)


def _deadline(c: Compiled) -> str:
    """ "hạn chót thứ Bảy, 15/4/2023 (ngày nghỉ, nên theo Điều 148 Bộ luật Dân sự thời hạn kéo dài đến hết thứ Hai,
    17/4/2023)": one pair of brackets at most, so that a sentence may hold it without another."""
    said = f"hạn chót {format_day(c.period.due_at)}"
    if c.extended_to:
        said += f" (ngày nghỉ, nên theo Điều 148 Bộ luật Dân sự thời hạn kéo dài đến hết {format_day(c.extended_to)})"
    return said


def _made(c: Compiled) -> str:
    at = to_vn(c.made_at)
    return f"Dự thảo lập từ dữ liệu của hệ thống nhắc việc lúc {at:%H:%M} {format_day(at)}; kiểm tra lại trước khi ký."


def _percent(share: float) -> str:
    return f"{share * 100:.1f}".replace(".", ",") + "%"


# ------------------------------------------------------------------------------------------------ the sheet


def compilation_sheet(c: Compiled) -> bytes:
    """Every owing agency in official order: its state, document number, the day sent; a summary row; the plan."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Tổng hợp"
    ws.append([f"{c.period.label} — {_plan(c)}"])
    ws.append([_deadline(c).capitalize()])
    ws.append([])
    ws.append(
        [
            "STT",
            "Cơ quan, đơn vị",
            "Tình trạng",
            "Số ngày làm việc chậm",
            "Số văn bản",
            "Ngày gửi",
            "Tệp báo cáo (trong tệp .zip)",
            "Người xác nhận",
        ]
    )
    numbered = {n: f for n, _, f in c.files}
    for n, j in enumerate(c.tally.rows, start=1):
        sent = to_vn(j.row.submitted_at).replace(tzinfo=None) if j.row.submitted_at else None
        days = j.verdict.days if j.standing in (Standing.LATE, Standing.MISSING) else None
        detail = c.detail(j)
        file = numbered.get(n)
        who = (detail.confirmed_by or "Sở Nội vụ (ghi nhận)") if detail else ""
        ws.append(
            [
                n,
                _name(c, j),
                _state(j),
                days,
                j.row.document_number or "",
                sent,
                zip_name(c, n, j, file) if file else "",
                who,
            ]
        )
    ws.append([])
    ws.append(
        [
            "Tổng số",
            len(c.tally.rows),
            f"Đúng hạn {len(c.tally.on_time)}; gửi chậm {len(c.tally.late)}; chưa gửi {len(c.not_sent)}",
        ]
    )
    ws.append([_made(c)])
    for cell in ws[4]:
        cell.font = Font(bold=True)
    ws["A1"].font = Font(bold=True)
    for cell in ws["F"][4:]:
        cell.number_format = "dd/mm/yyyy hh:mm"
    for col, width in zip("ABCDEFGH", (6, 48, 34, 12, 18, 18, 48, 28), strict=True):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows():  # data is never a formula
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ------------------------------------------------------------------------------------------------ the .zip

UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f]+')  # what Windows refuses in a file name


def zip_name(c: Compiled, n: int, j: Judged, file: ReportFile) -> str:
    """ "03 - Sở Tư pháp - 125-BC-STP.pdf": the agency's number in the sheet, its name, the document number (else
    the file's own name), the file's kind."""
    width = max(2, len(str(len(c.tally.rows))))
    what = j.row.document_number or file.name.rsplit(".", 1)[0]
    parts = [f"{n:0{width}d}", _name(c, j), what]
    return UNSAFE.sub("-", " - ".join(p.strip() for p in parts if p.strip()))[:180] + f".{file.kind}"


async def period_zip(c: Compiled, read: Callable[[int], Awaitable[bytes]], target: IO[bytes]) -> int:
    """The period's report files in one .zip written to ``target``, named by ``zip_name`` and dated when each was
    received, each read when it is written (a province's files are never all in memory); how many. The files are
    stored as sent, byte for byte."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        for n, j, file in c.files:
            entry = zipfile.ZipInfo(zip_name(c, n, j, file), to_vn(file.received_at).timetuple()[:6])  # when sent
            entry.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(entry, await read(file.id))
    return len(c.files)


# ------------------------------------------------------------------------------------------------ the .docx


def _document() -> Any:
    from docx import Document
    from docx.shared import Cm, Pt

    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin, section.right_margin = Cm(3.0), Cm(2.0)
    section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
    for name in ("Normal", "Title", "Heading 1", "Heading 2"):
        style = doc.styles[name]
        style.font.name = FONT
        style.font.size = Pt(14 if name == "Normal" else 13)
        style.element.rPr.rFonts.set("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia", FONT)
    _page_numbers(doc)
    return doc


def _page_numbers(doc: Any) -> None:
    """A PAGE field centred in the header (Nghị định 30/2020: page numbers at the top, from page 2 on in print)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    p = doc.sections[0].header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)


def _header(doc: Any, c: Compiled, symbol: str) -> None:
    """The two-column header: the parent body and the office, the number left blank; the motto, place and date."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    table = doc.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    parent = c.period.plan_issuer.upper() if c.period.plan_issuer else ""
    at = to_vn(c.made_at)
    lines_left = [(parent, False), (c.office.upper(), True), ("-------", False), (f"Số:      /{symbol}", False)]
    place = _place(c)
    dated = f"{place}, ngày {at.day} tháng {at.month} năm {at.year}" if place else f"ngày {at.day}/{at.month}/{at.year}"
    lines_right = [(MOTTO[0], True), (MOTTO[1], True), ("---------------", False), (dated, False)]
    for cell, lines in ((left, lines_left), (right, lines_right)):
        cell.paragraphs[0].text = ""
        for i, (text, bold) in enumerate(x for x in lines if x[0]):
            p = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = p.add_run(text)
            run.bold = bold
            run.italic = text == dated


def _centred(doc: Any, text: str, bold: bool = True, style: str | None = None) -> Any:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    p = doc.add_paragraph(style=style)
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run(text).bold = bold
    return p


def _body(doc: Any, text: str) -> Any:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    p = doc.add_paragraph(text)
    p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    p.paragraph_format.first_line_indent = Cm(1.27)
    return p


def _closing(doc: Any, recipients: list[str]) -> None:
    """ "Nơi nhận" left, the signature block right (the name left for the signer)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    table = doc.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    head = left.paragraphs[0].add_run("Nơi nhận:")
    head.bold, head.italic, head.font.size = True, True, Pt(12)
    for r in recipients:
        left.add_paragraph().add_run(f"- {r}").font.size = Pt(11)
    right.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    right.paragraphs[0].add_run("GIÁM ĐỐC").bold = True
    for _ in range(3):
        right.add_paragraph()
    name = right.add_paragraph()
    name.alignment = WD_ALIGN_PARAGRAPH.CENTER
    name.add_run("(ký, ghi rõ họ tên)").italic = True


def _save(doc: Any) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _symbol(c: Compiled, kind: str) -> str:
    """The document's ký hiệu from the office's initials: "BC-SNV" for Sở Nội vụ's report, "SNV" for its letter."""
    initials = "".join(w[0] for w in c.office.split() if w[:1].isalpha()).upper()
    return f"BC-{initials}" if kind == "report" else initials


def report_draft(c: Compiled) -> bytes:
    """The compiled report: I. the figures and their change, II. the agencies late and not sent in a table, III. the
    officer's assessment and proposals (left to write)."""
    p = c.period
    doc = _document()
    _header(doc, c, _symbol(c, "report"))
    doc.add_paragraph()
    _centred(doc, "BÁO CÁO", style="Title")
    _centred(doc, f"Tình hình thực hiện chế độ {p.label[:1].lower()}{p.label[1:]} theo {_plan(c)}")
    _centred(doc, "-----------", bold=False)
    owed, on_time, late, not_sent = len(c.tally.rows), len(c.tally.on_time), len(c.tally.late), len(c.not_sent)
    _body(
        doc,
        f"Thực hiện {_plan(c)}, {c.office} báo cáo tình hình các cơ quan, đơn vị gửi {p.label}, "
        f"{_deadline(c)}, như sau:",
    )
    doc.add_heading("I. TÌNH HÌNH GỬI BÁO CÁO", level=1)
    _body(doc, f"Tổng số cơ quan, đơn vị phải gửi báo cáo: {owed}.")
    _body(doc, f"Gửi đúng hạn: {on_time}; gửi chậm: {late}; chưa gửi: {not_sent}.")
    if c.rate is not None:
        said = f"Tỷ lệ gửi đúng hạn: {_percent(c.rate)}"
        if c.previous is not None and c.previous_rate is not None:
            change = (c.rate - c.previous_rate) * 100
            way = "tăng" if change > 0 else "giảm" if change < 0 else "không đổi"
            amount = f" {abs(change):.1f}".replace(".", ",") + " điểm phần trăm" if change else ""
            said += f", so với {c.previous.label} ({_percent(c.previous_rate)}) {way}{amount}"
        _body(doc, said + ".")
    doc.add_heading("II. CÁC CƠ QUAN, ĐƠN VỊ GỬI CHẬM, CHƯA GỬI BÁO CÁO", level=1)
    rows = c.late_or_not_sent
    if rows:
        table = doc.add_table(rows=1, cols=4)
        table.style = "Table Grid"
        for cell, text in zip(
            table.rows[0].cells, ("STT", "Cơ quan, đơn vị", "Tình trạng", "Số văn bản, ngày gửi"), strict=True
        ):
            cell.paragraphs[0].add_run(text).bold = True
        for n, j in enumerate(rows, start=1):
            cells = table.add_row().cells
            for cell, text in zip(cells, (str(n), _name(c, j), _state(j), _sent(j)), strict=True):
                cell.text = text
    else:
        _body(doc, "Tất cả các cơ quan, đơn vị đã gửi báo cáo đúng hạn.")
    doc.add_heading("III. ĐÁNH GIÁ, ĐỀ XUẤT", level=1)
    _body(doc, "(Phần này do cán bộ Sở Nội vụ viết: chất lượng các báo cáo, nguyên nhân gửi chậm, đề xuất.)")
    _body(doc, f"Trên đây là báo cáo tình hình thực hiện chế độ {p.label[:1].lower()}{p.label[1:]} của {c.office}./.")
    _closing(doc, [f"{p.plan_issuer} (báo cáo);" if p.plan_issuer else "Ủy ban nhân dân tỉnh (báo cáo);", "Lưu: VT."])
    doc.add_paragraph().add_run(_made(c)).italic = True
    return _save(doc)


def chasing_letter(c: Compiled) -> bytes:
    """The letter to the agencies that have not sent: "V/v đôn đốc gửi …", "Kính gửi:" each of them."""
    p = c.period
    doc = _document()
    _header(doc, c, _symbol(c, "letter"))
    about = doc.add_paragraph()
    about.add_run(f"V/v đôn đốc gửi {p.label} theo Kế hoạch số {p.plan_number}")
    doc.add_paragraph()
    to = doc.add_paragraph()
    to.add_run("Kính gửi:").bold = True
    names = [_name(c, j) for j in c.not_sent]
    for i, name in enumerate(names):
        doc.add_paragraph(f"- {name}{'.' if i == len(names) - 1 else ';'}")
    receiver = p.receiver or (p.plan_issuer + (f" (qua {p.via} tổng hợp)" if p.via else ""))
    _body(
        doc,
        f"Thực hiện {_plan(c)}, {c.office} đề nghị các cơ quan, đơn vị nêu trên khẩn trương gửi {p.label} "
        f"về {receiver}. Kế hoạch ghi: “{p.wording}”; {_deadline(c)}.",
    )
    _body(doc, f"Đến {format_day(c.made_at)}, các cơ quan, đơn vị nêu trên chưa gửi báo cáo.")
    _body(doc, f"{c.office} đề nghị các cơ quan, đơn vị quan tâm thực hiện./.")
    _closing(doc, ["Như trên;", "Lưu: VT."])
    doc.add_paragraph().add_run(_made(c)).italic = True
    return _save(doc)
