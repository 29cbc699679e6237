"""Report files on the dashboard (issue 32): uploaded on a period's cell — by the agency's own people, or by Sở Nội
vụ's admins for any agency — and opened from it. Who may do which is the use-case's (``core.usecases.
report_files``); a file is judged by its content before anything is stored."""

from __future__ import annotations

from urllib.parse import quote

from starlette.responses import RedirectResponse, Response

from core import messages
from core.errors import AgencyUnknown, FileRefused, FileUnknown, NotAllowed, NotOwed, PeriodUnknown
from core.filekinds import FileKind
from core.repositories import Conflict
from core.usecases import plan, report_files
from web.guard import Seen, bounded
from web.pages import Dashboard

FORM_AROUND = 64 * 1024  # the form's other fields and the multipart framing around the file


def max_upload(d: Dashboard) -> int:
    """The largest body the upload route reads: the file limit and the form around it (a bigger file is refused
    by the guard, one in between by the use-case, both in the viewer's language)."""
    return d.rules.file_limit + FORM_AROUND


def refusal(s: Seen, exc: FileRefused) -> str:
    return messages.file_refused(s.lang, exc.reason, exc.limit)


def attachment(name: str) -> str:
    """A Content-Disposition naming the file in any script (RFC 6266: an ASCII fallback and the UTF-8 name)."""
    plain = "".join(c if c.isascii() and c.isprintable() and c not in '"\\;' else "_" for c in name)
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"


class FilePages:
    def __init__(self, d: Dashboard) -> None:
        self.d = d

    async def upload(self, s: Seen) -> Response:
        """The report file for an agency and period: confirms the report with it, or joins the confirmation."""
        period_id = bounded(s.request.path_params["period_id"])
        upload = s.files.get("file")
        if period_id is None:
            return self.d.say(s, 404, s.t("There is no such agency or period."))
        if upload is None:  # none chosen, or the upload broke off before its end: nothing is kept
            return self.d.say(
                s, 400, s.t("No file was received (the upload may have broken off). Please send it again.")
            )
        data = await upload.read(self.d.rules.file_limit + 1)
        number = (s.form.get("document_number") or "").strip()[:64] or None
        code = s.request.path_params["agency"]
        try:
            agency = await plan.agency(s.uow, code)
            await report_files.deliver(
                s.uow, s.me.actor, agency.id, period_id, upload.filename, data, self.d.clock(), self.d.rules,
                "web", number,
            )  # fmt: skip
            await s.uow.commit()
        except Conflict:  # sent twice at once (a double click): the other one is kept, and the cell shows it
            pass
        except FileRefused as exc:
            return self.d.say(s, 400, refusal(s, exc))
        except NotAllowed:
            return self.d.say(s, 403, s.t("You may send files for your own agency only."))
        except (AgencyUnknown, PeriodUnknown, NotOwed):
            return self.d.say(s, 404, s.t("There is no such agency or period."))
        return RedirectResponse(f"/o/{period_id}/{quote(code)}", status_code=303)

    async def download(self, s: Seen) -> Response:
        """A report file, for an admin or someone of its agency."""
        file_id = bounded(s.request.path_params["file_id"])
        try:
            if file_id is None:
                raise FileUnknown(str(s.request.path_params["file_id"])[:20])
            found, data = await report_files.open_file(s.uow, s.me.actor, file_id)
        except NotAllowed:
            return self.d.say(s, 403, s.t("You may see your own agency only."))
        except FileUnknown:
            return self.d.say(s, 404, s.t("There is no such file."))
        mime = FileKind(found.kind).mime
        return Response(data, media_type=mime, headers={"Content-Disposition": attachment(found.name)})
