"""A draft → a plan file (TOML) that ``core.planfile`` loads as it is: each value under a comment quoting the
words it came from, and at the top what could not be decided."""

from __future__ import annotations

import json
import re
import textwrap

from core.reading.model import KIND_VI, Draft, DraftAgency, DraftSeries, DraftTask, Quote

QUOTE_MAX = 160


def plan_file(d: Draft) -> str:
    out: list[str] = [
        f"# Bản nháp kế hoạch đọc từ tệp “{d.source_name}” (nhacviec plan draft).",
        "# Draft read from the document: check each entry against the document, then",
        "#     nhacviec import-plan TỆP.toml --dry-run    (xem trước: preview, nothing is written)",
        "#     nhacviec import-plan TỆP.toml              (nạp: import)",
        "#",
    ]
    if d.problems:
        out.append("# Chưa quyết định được, cần kiểm tra (could not decide, check):")
        out += [f"# - {_one_line(p, 300)}" for p in d.problems]
    else:
        out.append("# Mọi mục đều đọc được từ văn bản (everything was read from the document).")
    if d.legal_bases:
        out += ["#", "# Căn cứ (legal bases):"] + [f"# - {_one_line(b, 200)}" for b in d.legal_bases]
    if d.recipients:
        out += ["#", "# Nơi nhận (recipients): " + _one_line("; ".join(d.recipients), 400)]
    out += ["", "[plan]"]
    out += _field("number", _s(d.number), d.quotes.get("number"), missing=not d.number)
    out += _field("title", _s(d.title), d.quotes.get("title"), missing=not d.title)
    out += _field("issuing_body", _s(d.issuing_body), d.quotes.get("issuing_body"), missing=not d.issuing_body)
    if d.issued_on:
        out += _field("issued_on", d.issued_on.isoformat(), d.quotes.get("issued_on"))
    else:
        out += ["# KHÔNG ĐỌC ĐƯỢC ngày ban hành: điền vào (fill in the date), ví dụ:", "# issued_on = 2026-01-20"]
    out += _field("signer", _s(d.signer), d.quotes.get("signer"), missing=not d.signer)
    out.append(f"signer_title = {_s(d.signer_title)}")
    if d.year is not None and d.year_to is not None and d.year_to != d.year:
        out.append(f"years = {_s(f'{d.year}-{d.year_to}')}")
    elif d.year is not None:
        out.append(f"year = {d.year}")
    out += ["", "# " + "-" * 60 + " Cơ quan, đơn vị (agencies)"]
    for a in d.agencies:
        out += _agency(a)
    if d.tasks:
        out += ["", "# " + "-" * 60 + " Nhiệm vụ (tasks)"]
    for t in d.tasks:
        out += _task(t)
    if d.series:
        out += ["", "# " + "-" * 60 + " Chế độ báo cáo (report series)"]
    for s in d.series:
        out += _series(s)
    return "\n".join(out) + "\n"


def _s(value: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")  # TOML refuses a bare DEL, JSON keeps it


def _one_line(text: str, limit: int = QUOTE_MAX) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rsplit(" ", 1)[0] + "…"


def _comment(q: Quote | None) -> list[str]:
    if q is None or not q.text:
        return []
    return [f"# “{_one_line(q.text)}”"]


def _field(key: str, value: str, q: Quote | None, missing: bool = False) -> list[str]:
    if missing:
        return [f"# KHÔNG ĐỌC ĐƯỢC: điền vào (could not read {key}: fill in)", f"{key} = {value}"]
    return [*_comment(q), f"{key} = {value}"]


def _agency(a: DraftAgency) -> list[str]:
    if a.known:
        note = "# trong danh mục (in the registry)"
    else:
        note = (
            f"# MỚI, chưa có trong danh mục (new): Kế hoạch gọi là “{_one_line(', '.join(a.said))}”; "
            f"kiểm tra mã và loại ({KIND_VI.get(a.kind, a.kind)})"
        )
    return ["", "[[agencies]]", note, f"code = {_s(a.code)}", f"name = {_s(a.name)}", f"kind = {_s(a.kind)}"]


def _list(values: list[str]) -> str:
    return "[" + ", ".join(_s(v) for v in values) + "]"


def _task(t: DraftTask) -> list[str]:
    where = t.ref + (f" (đoạn {t.paragraph})" if t.paragraph else "")
    out = ["", "[[tasks]]", f"# {where}: “{_one_line(t.source.text or t.text)}”", f"ref = {_s(t.ref)}"]
    if t.paragraph:
        out.append(f"paragraph = {t.paragraph}")
    out.append(f"title = {_s(t.title)}")
    who = _comment(t.quote) if t.quote.text else []
    if t.requested:
        who.append("# Đề nghị (a request to a body outside the administration)")
    out += who
    for key, values in (("lead", t.lead), ("coordinate", t.coordinate), ("carry_out", t.carry_out)):
        if values or (key == "carry_out" and not (t.lead or t.coordinate)):
            out.append(f"{key} = {_list(values)}")
    out.append('text = """')
    out += _wrapped(t.text)
    out.append('"""')
    if t.lead or t.coordinate or t.carry_out:
        return out
    # No agency named: the task stays in the file, as comments, for the officer to give it one; the rest loads.
    return [
        "",
        "# KHÔNG RÕ cơ quan thực hiện: bỏ dấu # ở các dòng dưới và điền mã vào carry_out",
        "# (no agency named: uncomment the lines below and fill in carry_out)",
        *(f"# {line}" if line else "#" for line in out[1:]),
    ]


def _wrapped(text: str) -> list[str]:
    out: list[str] = []
    for n, para in enumerate(p for p in re.split(r"\n\s*", text) if p.strip()):  # a blank line between paragraphs
        if n:
            out.append("")
        safe = para.replace("\\", "\\\\").replace('"""', '""\\"')
        out += textwrap.wrap(safe, 110, break_long_words=False, break_on_hyphens=False) or [""]
    return out


def _series(s: DraftSeries) -> list[str]:
    out = ["", "[[series]]", *_comment(s.quote)]
    out += [
        f"code = {_s(s.code)}",
        f"name = {_s(s.name)}",
        f"recurrence = {_s(s.recurrence)}",
        f"wording = {_s(s.wording)}",
    ]
    if s.first_month:
        out += ([f"# {_one_line(s.note, 300)}"] if s.note else []) + [f"first_month = {s.first_month}"]
    if s.last_month:
        out.append(f"last_month = {s.last_month}")
    out.append(f"owed_by = {_list(s.owed_by)}")
    if s.receiver:
        out.append(f"receiver = {_s(s.receiver)}")
    else:
        out += ["# KHÔNG RÕ nơi nhận báo cáo: điền mã cơ quan (no receiver: fill in)", 'receiver = ""']
    if s.via:
        out.append(f"via = {_s(s.via)}")
    if s.receiver_wording:
        out.append(f"receiver_wording = {_s(s.receiver_wording)}")
    if s.cutoff:
        out.append(f"cutoff = {_s(s.cutoff)}")
    if s.label:
        out.append(f"label = {_s(s.label)}")
    return out
