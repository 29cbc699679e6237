"""Hostile documents benchmark (issue 28, findings 2 and 3): how long each document of ``tests/fixtures/hostile.py``
takes to be read or refused, and at what peak memory, in the reader's box; a legitimate 198-page PDF the same; and
how the service's /healthz answers while the dashboard reads each one and a plan file of dotted keys is posted.

1. Each document in a box of its own (``python -m reader.box``, as ``reader.sandbox`` starts it), its wall time
   and peak resident memory (the box's own VmHWM).
2. The service's real HTTP server (Starlette on uvicorn, SQLite, plan 46): a signed-in admin uploads each document
   to ``/ke-hoach/van-ban`` and the dotted plan file to ``/ke-hoach/kiem-tra`` while a probe asks ``/healthz``
   every 20 ms; prints the worst answer during all of it. Target: every document ends within 30 s and 1 GiB with a
   line or a draft, /healthz within 500 ms.

Run: .venv/bin/python bench/hostile_documents.py. Results go in bench/RESULTS.md.
"""

from __future__ import annotations

import asyncio
import io
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.deadlines import utcnow  # noqa: E402
from core.planfile import load_plan_file  # noqa: E402
from core.types import OPERATOR, Role  # noqa: E402
from core.usecases import web_access  # noqa: E402
from core.usecases.plan import import_plan  # noqa: E402
from core.usecases.rules import Rules  # noqa: E402
from models import db  # noqa: E402
from models.uow import uow_factory  # noqa: E402
from nhacviec.http import HttpServer, Readiness, build_app, settle_heap  # noqa: E402
from nhacviec.metrics import Metrics  # noqa: E402
from reader.sandbox import Limits, request  # noqa: E402
from tests.fixtures import hostile  # noqa: E402
from web.app import dashboard_routes  # noqa: E402
from web.session import COOKIE, Cookies  # noqa: E402

SECRET = "bench-hostile-secret"
FONTS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))


def long_pdf(pages: int = 198) -> bytes:
    """A legitimate plan of ``pages`` pages (numbered items of Vietnamese text), printed by reportlab."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

    font = "Helvetica"
    for folder in FONTS:
        if (folder / "DejaVuSerif.ttf").exists():
            pdfmetrics.registerFont(TTFont("DejaVuSerif", str(folder / "DejaVuSerif.ttf")))
            font = "DejaVuSerif"
            break
    style = ParagraphStyle("body", fontName=font, fontSize=13, leading=17)
    story = [Paragraph("ỦY BAN NHÂN DÂN TỈNH TUYÊN QUANG", style), Paragraph("Số: 1/KH-UBND", style)]
    story += [Paragraph("KẾ HOẠCH", style), Paragraph("Thực hiện nhiệm vụ năm 2026", style)]
    for page in range(pages):
        for item in range(12):
            n = page * 12 + item + 1
            story.append(
                Paragraph(
                    f"{n}. Sở Tư pháp chủ trì, phối hợp với Sở Nội vụ và các cơ quan, đơn vị liên quan tổ chức thực "
                    f"hiện nhiệm vụ số {n}; định kỳ báo cáo kết quả thực hiện về Ủy ban nhân dân tỉnh.",
                    style,
                )
            )
        story.append(PageBreak())
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4).build(story)
    return out.getvalue()


def in_a_box(name: str, data: bytes) -> tuple[float, float, str]:
    """(seconds, peak MB, the answer's first words) of one document read by ``python -m reader.box``."""
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "reader.box"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT
    )
    assert child.stdin is not None and child.stdout is not None
    child.stdin.write(request(data, name, [], Limits()))
    child.stdin.close()
    answer = child.stdout.read()
    child.wait()
    took = time.perf_counter() - started
    said = answer.decode(errors="replace")
    peak = re.search(r'"peak_mb": ([0-9.]+)', said)
    refused = re.search(r'"refused": "([^"]*)', said)
    what = refused.group(1)[len(name) + 2 :][:70] if refused else ("a draft" if said else f"exit {child.returncode}")
    return took, float(peak.group(1)) if peak else 0.0, what


async def _ready() -> None:
    """The benchmark asks for pages only."""


async def service(documents: dict[str, bytes], folder: Path) -> None:
    engine = db.make_engine(f"sqlite+aiosqlite:///{folder / 'hostile.db'}", create=True)
    await db.upgrade(engine)
    uows = uow_factory(db.session_factory(engine))
    async with uows() as uow:
        await import_plan(uow, OPERATOR, load_plan_file(ROOT / "plans" / "46-KH-UBND-2023.toml"))
        token = await web_access.operator_link(uow, "SNV", Role.ADMIN, "Quản trị viên", utcnow())
        session = await web_access.sign_in(uow, token, utcnow())
        await uow.commit()
    app = build_app(
        Readiness(_ready, lambda: ["bench"]), Metrics(uows, 3000), [], dashboard_routes(uows, Rules(), SECRET)
    )
    server = HttpServer(app, "127.0.0.1", 0)
    server.start()
    settle_heap()
    prober = httpx.AsyncClient(base_url=server.url, timeout=30)
    client = httpx.AsyncClient(
        base_url=server.url, cookies={COOKIE: Cookies(SECRET)._signer.dumps(session)}, timeout=120
    )
    page = await client.get("/ke-hoach")
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found is not None, page.status_code
    csrf = found.group(1)
    assert (await prober.get("/healthz")).status_code == 200
    health: list[float] = []
    done = asyncio.Event()

    async def probe() -> None:
        while not done.is_set():
            started = time.perf_counter()
            assert (await prober.get("/healthz")).status_code == 200
            health.append((time.perf_counter() - started) * 1000)
            await asyncio.sleep(0.02)

    prober_task = asyncio.create_task(probe())
    print("\nthe service reading each while /healthz is asked every 20 ms:")
    for name, data in documents.items():
        started = time.perf_counter()
        before = len(health)
        answer = await client.post("/ke-hoach/van-ban", data={"csrf": csrf}, files={"document": (name, data)})
        took = time.perf_counter() - started
        worst = max(health[before:], default=0.0)
        print(f"  {name:30} {answer.status_code}  {took:5.1f} s   /healthz worst {worst:6.1f} ms meanwhile")
    started = time.perf_counter()
    before = len(health)
    answer = await client.post(
        "/ke-hoach/kiem-tra", data={"csrf": csrf}, files={"file": ("dotted-keys.toml", hostile.dotted_keys())}
    )
    print(
        f"  {'dotted-keys.toml':30} {answer.status_code}  {time.perf_counter() - started:5.1f} s   /healthz worst "
        f"{max(health[before:], default=0.0):6.1f} ms meanwhile"
    )
    done.set()
    await prober_task
    print(f"  /healthz worst over all: {max(health):.1f} ms ({len(health)} probes)")
    await client.aclose()
    await prober.aclose()
    await server.stop()
    await engine.dispose()


def main() -> None:
    print(
        f"hostile documents bench, {time.strftime('%Y-%m-%d')}, "
        f"Python {platform.python_version()}, {os.cpu_count()} cores"
    )
    documents = {name: make() for name, make in hostile.DOCUMENTS.items()}
    documents["legitimate-198-pages.pdf"] = long_pdf()
    print("each in a box of its own (default limits: 30 s, 1024 MB):")
    for name, data in documents.items():
        took, peak, what = in_a_box(name, data)
        print(f"  {name:30} {len(data):>10,} B  {took:5.1f} s  peak {peak:6.0f} MB  {what}")
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(service(documents, Path(tmp)))


if __name__ == "__main__":
    main()
