"""Plans on the dashboard: upload a plan file (TOML), see its problems or a preview of what the import would
create and change (the import run in a unit of work that is rolled back), then confirm: the same import
as `nhacviec import-plan`."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from core.errors import DomainError, NotAllowed
from core.i18n import gettext_for
from core.planfile import MAX_FILE_BYTES, PlanFileError, load_plan_bytes
from core.usecases import plan
from web.pages import Dashboard
from web.session import language


@dataclass
class PlanPages:
    d: Dashboard

    async def page(self, request: Request) -> Response:
        viewer = await self.d.signed_in(request)
        if viewer is None:
            return self.d.needs_sign_in(request)
        if not self.d.is_admin(viewer):
            return self.d.refuse(request, viewer, 403, self.d.admins_only(request, viewer))
        return self.d.render(request, viewer, "plans.html", max_kib=MAX_FILE_BYTES // 1024)

    async def check(self, request: Request) -> Response:
        """Preview (``confirm`` absent) or import (``confirm`` set) the uploaded or carried-over file."""
        viewer = await self.d.signed_in(request)
        if viewer is None:
            return self.d.needs_sign_in(request)
        tr = gettext_for(language(request, viewer))
        async with request.form(max_part_size=MAX_FILE_BYTES + 1) as form:  # the upload is closed on leaving
            if not viewer.csrf_ok(str(form.get("csrf", ""))):
                return self.d.refuse(request, viewer, 403, tr.gettext("Refused."))
            upload, carried = form.get("file"), str(form.get("content", ""))
            fields = {k: str(v) for k, v in form.items() if not isinstance(v, UploadFile)}
            try:
                if isinstance(upload, UploadFile):
                    raw, name = await upload.read(), upload.filename or "plan.toml"
                else:
                    raw, name = base64.b64decode(carried, validate=True), fields.get("name", "")
            except (binascii.Error, ValueError):
                return self.d.refuse(request, viewer, 400, tr.gettext("Refused."))
        context: dict[str, Any] = {"max_kib": MAX_FILE_BYTES // 1024, "filename": name}
        try:
            spec = load_plan_bytes(raw, name or "plan.toml")
        except PlanFileError as exc:
            return self.d.render(request, viewer, "plans.html", 400, problems=exc.problems, **context)
        confirm = bool(fields.get("confirm"))
        try:
            async with self.d.uows() as uow:
                report = await plan.import_plan(uow, viewer.actor, spec, bool(fields.get("update_agencies")))
                if confirm:
                    await uow.commit()  # otherwise the unit of work rolls back: a preview writes nothing
        except NotAllowed:
            return self.d.refuse(request, viewer, 403, self.d.admins_only(request, viewer))
        except DomainError as exc:
            return self.d.render(request, viewer, "plans.html", 400, problems=[str(exc)], **context)
        return self.d.render(
            request,
            viewer,
            "plans.html",
            report=report,
            spec=spec,
            done=confirm,
            content=base64.b64encode(raw).decode(),
            update_agencies=bool(fields.get("update_agencies")),
            **context,
        )
