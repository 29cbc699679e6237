"""`nhacviec people`: a person's data as the law lets them see it, and erasing it on their request."""

from __future__ import annotations

from typing import Annotated

import typer

from core.deadlines import utcnow
from core.types import OPERATOR
from core.usecases import privacy
from nhacviec.clikit import CliError, context, iso, out, print_json, run

people_app = typer.Typer(help="Cán bộ: dữ liệu cá nhân (people: their personal data).", no_args_is_help=True)


@people_app.command("show")
def show_cmd(
    person: Annotated[int, typer.Argument(help="Số của cán bộ (person id), như trang Cán bộ ghi.", min=1)],
    as_json: Annotated[bool, typer.Option("--json", help="In JSON (print JSON).")] = False,
) -> None:
    """Mọi dữ liệu hệ thống giữ về một cán bộ, như lệnh /dulieu (everything held about a person)."""

    async def go() -> None:
        async with context() as w, w.uows() as uow:
            d = await privacy.held(uow, person)
        data = {
            "person": d.person_id,
            "name": d.name,
            "title": d.title,
            "agency": d.agency_name,
            "role": d.role.value,
            "active": d.active,
            "registered_at": iso(d.registered_at),
            "accounts": [
                {
                    "platform": a.platform.value,
                    "language": a.language,
                    "receives_reminders": a.receives,
                    "active": a.active,
                }
                for a in d.accounts
            ],
            "messages_sent": d.messages_sent,
            "message_texts_kept": d.messages_kept,
            "messages_acknowledged": d.messages_acknowledged,
            "submissions_confirmed": [
                {"period": s.label, "at": iso(s.confirmed_at), "undone": s.undone} for s in d.submissions
            ],
            "web_sign_ins": d.web_sign_ins,
            "report_files_sent": d.files_sent,
        }
        if as_json:
            print_json(data)
            return
        for key, value in data.items():
            out.print(f"{key}: {value}")

    run(go())


@people_app.command("erase")
def erase_cmd(
    person: Annotated[int, typer.Argument(help="Số của cán bộ (person id), như trang Cán bộ ghi.", min=1)],
    yes: Annotated[bool, typer.Option("--yes", help="Xác nhận xóa, không hoàn tác được (confirm).")] = False,
) -> None:
    """Xóa dữ liệu cá nhân của cán bộ theo đề nghị của họ: họ tên, chức vụ, định danh tài khoản, nội dung tin nhắn;
    ngừng các tài khoản; lịch sử báo cáo của cơ quan vẫn giữ (erase a person's data on their request)."""

    async def go() -> None:
        async with context() as w, w.uows() as uow:
            await privacy.held(uow, person)  # an unknown id is refused before asking for --yes
            if not yes:
                raise CliError("việc xóa không hoàn tác được; chạy lại với --yes để xác nhận (add --yes to confirm)", 2)
            erased = await privacy.erase(uow, OPERATOR, person, utcnow())
            await uow.commit()
        out.print(
            f"Đã xóa dữ liệu cá nhân của cán bộ số {erased.person_id} ({erased.agency_code}): "
            f"{erased.accounts} tài khoản ngừng, {erased.texts_cleared} nội dung tin nhắn đã xóa, "
            f"{erased.sessions_ended} phiên đăng nhập kết thúc (personal data erased)."
        )

    run(go())
