"""Plans on the dashboard: upload a plan file (TOML), see its problems or a preview of what the import would
create and change (``plan.preview``: it writes nothing), then confirm: the same import as `nhacviec import-plan`."""

from __future__ import annotations

import asyncio
import base64
import binascii
from dataclasses import dataclass
from typing import Any

from starlette.responses import Response

from core.errors import DomainError
from core.planfile import MAX_FILE_BYTES, PlanFileError, load_plan_bytes
from core.reading.source import MAX_DOCUMENT_BYTES
from core.usecases import drafting, plan
from reader import FORMATS
from web.guard import Seen
from web.pages import Dashboard

MAX_UPLOAD = 2 * MAX_FILE_BYTES  # the file, or its base64 carried over from the preview, and the form around it


@dataclass
class PlanPages:
    d: Dashboard

    async def page(self, s: Seen) -> Response:
        return await self.show(s)

    async def show(self, s: Seen, status: int = 200, **context: Any) -> Response:
        """The plans page: the loaded plans, reading a plan document, loading a plan file (and ``context``)."""
        listed = await drafting.plans(s.uow, s.me.actor)
        ended = await plan.ended_plans(s.uow, self.d.clock())
        limits = {
            "max_file_mb": MAX_FILE_BYTES // 1_000_000,
            "max_mb": MAX_DOCUMENT_BYTES // 1_000_000,
            "formats": FORMATS,
        }
        in_force = [p for p in listed if p.number not in ended]  # plans in force first; those that ended apart
        closed = [p for p in listed if p.number in ended]
        return self.d.show(s, "plans.html", status, plans=in_force, ended=closed, **{**limits, **context})

    async def check(self, s: Seen) -> Response:
        """Preview (``confirm`` absent) or import (``confirm`` set) the uploaded or carried-over file."""
        upload = s.files.get("file")
        try:
            if upload is not None:
                raw, name = await upload.read(MAX_FILE_BYTES + 1), upload.filename or "plan.toml"
            else:
                raw, name = base64.b64decode(s.form.get("content", ""), validate=True), s.form.get("name", "")
        except (binascii.Error, ValueError):
            return self.d.say(s, 400, s.t("Refused."))
        context: dict[str, Any] = {"filename": name}
        try:
            registry = await plan.registered(s.uow)  # parsed in a worker thread: /healthz answers meanwhile
            spec = await asyncio.to_thread(load_plan_bytes, raw, name or "plan.toml", None, registry)
        except PlanFileError as exc:
            return await self.show(s, 400, problems=exc.problems, **context)
        confirm, update_agencies = bool(s.form.get("confirm")), bool(s.form.get("update_agencies"))
        try:
            if confirm:
                report = await plan.import_plan(s.uow, s.me.actor, spec, update_agencies)
                await s.uow.commit()
            else:
                report = await plan.preview(s.uow, s.me.actor, spec, update_agencies)
        except PlanFileError as exc:
            return await self.show(s, 400, problems=exc.problems, **context)
        except DomainError as exc:
            return await self.show(s, 400, problems=[str(exc)], **context)
        return await self.show(
            s,
            report=report,
            spec=spec,
            done=confirm,
            content=base64.b64encode(raw).decode(),
            update_agencies=update_agencies,
            **context,
        )
