"""Agencies' report files (issue 32): kept with the confirmation, from Telegram, the dashboard or the CLI, and
opened by who may see the agency.

A file is judged before anything is written: not empty, within ``rules.file_limit``, and of an accepted kind by
its content (``core.filekinds``); its name is then given the extension of what it is. The same content of the same
agency and period is kept once.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from core.errors import FileRefused, FileUnknown, NotAllowed
from core.filekinds import FileKind, kind_of
from core.repositories import UnitOfWork
from core.types import Actor, ReportFile, Role, SubmissionReceipt, Unfetched
from core.usecases import submissions
from core.usecases.rules import Rules, for_agency, require_admin

NAME_MAX = 120  # characters of a kept file name, before its extension
FILES_PER_PERIOD = 20  # different files one agency may send for one period (a resent version, an annex…)


def judge(data: bytes, rules: Rules) -> FileKind:
    """The file's accepted kind.

    Raises:
        FileRefused: empty, over the limit, or not an accepted kind by its content.
    """
    if not data:
        raise FileRefused("empty")
    if len(data) > rules.file_limit:
        raise FileRefused("too_large", rules.file_limit_mb)
    kind = kind_of(data)
    if kind is None:
        raise FileRefused("kind")
    return kind


def file_name(given: str | None, kind: FileKind) -> str:
    """A name safe to keep and to offer back: the last part of the given one, in NFC, without control characters
    or path signs, its extension the kind's ("Báo cáo T4.PDF" → "Báo cáo T4.pdf"; a .pdf that is a Word file
    → "….docx")."""
    name = unicodedata.normalize("NFC", (given or "").replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = re.sub(r'[<>:"|?*]+', "-", name).strip(" .")
    stem, dot, ext = name.rpartition(".")
    if dot and ext.lower() in {k.value for k in FileKind} | {"docm", "jpg", "png", "bin", "dat", "tmp"}:
        name = stem.strip(" .")
    name = name[:NAME_MAX].strip(" .") or "bao-cao"
    return f"{name}.{kind.value}"


async def receive(
    uow: UnitOfWork,
    actor: Actor,
    agency_id: int,
    period_id: int,
    name: str | None,
    data: bytes,
    now: datetime,
    rules: Rules,
    via: str,
) -> ReportFile:
    """Keep an agency's report file for a period (not yet carried by a confirmation).

    Raises:
        NotAllowed: another agency's, and the actor is not an admin.
        PeriodUnknown, NotOwed: no such period, or the agency does not owe it.
        FileRefused: see ``judge``, or "too_many": ``FILES_PER_PERIOD`` different files of the agency for the
            period already (a bound on what one account can pile up); nothing is stored then.
    """
    if not for_agency(actor, agency_id):
        raise NotAllowed("a focal person sends files for their own agency only")
    await submissions.owed_period(uow, agency_id, period_id)
    kind = judge(data, rules)
    sha256 = hashlib.sha256(data).hexdigest()
    if await uow.files.count(agency_id, period_id, sha256) >= FILES_PER_PERIOD:
        raise FileRefused("too_many", FILES_PER_PERIOD)
    found, new = await uow.files.add(
        agency_id, period_id, file_name(name, kind), kind.value, data, sha256, now, actor.person_id, via
    )
    if new:
        await uow.audit.record(
            actor.label,
            "receive_file",
            "report_file",
            found.id,
            {"agency_id": agency_id, "period_id": period_id, "size": len(data), "kind": kind.value, "via": via},
            at=now,
        )
    return found


@dataclass(frozen=True, slots=True)
class Delivered:
    """A file received with its confirmation: the new confirmation, or None when it joined one made before."""

    file: ReportFile
    receipt: SubmissionReceipt | None


async def deliver(
    uow: UnitOfWork,
    actor: Actor,
    agency_id: int,
    period_id: int,
    name: str | None,
    data: bytes,
    now: datetime,
    rules: Rules,
    via: str,
    document_number: str | None = None,
) -> Delivered:
    """The report file with the confirmation (the dashboard's upload, ``nhacviec submit --file``): confirms the
    period with the file, or, confirmed already, gives the live confirmation its file.

    Raises what ``receive`` and ``submissions.submit`` raise.
    """
    file = await receive(uow, actor, agency_id, period_id, name, data, now, rules, via)
    live = await uow.periods.live_submission(agency_id, period_id)
    if live is not None:
        await uow.periods.attach_file(live.id, file.id)
        await uow.audit.record(actor.label, "attach_file", "submission", live.id, {"report_file_id": file.id}, at=now)
        return Delivered(file, None)
    receipt = await submissions.submit(
        uow, actor, agency_id, period_id, now, rules, document_number, report_file_id=file.id, via=via
    )
    return Delivered(file, receipt)


async def open_file(uow: UnitOfWork, actor: Actor, file_id: int) -> tuple[ReportFile, bytes]:
    """A report file and its bytes, for an admin or someone of its agency.

    Raises:
        FileUnknown: no such file, or its content is missing.
        NotAllowed: another agency's file.
    """
    found = await uow.files.by_id(file_id)
    if found is None:
        raise FileUnknown(str(file_id))
    if not for_agency(actor, found.agency_id):
        raise NotAllowed("another agency's file")
    data = await uow.files.content(file_id)
    if data is None:
        raise FileUnknown(str(file_id))
    return found, data


async def content(uow: UnitOfWork, actor: Actor, file_id: int) -> bytes:
    """A report file's bytes (``open_file``'s rules)."""
    return (await open_file(uow, actor, file_id))[1]


async def unfetched(uow: UnitOfWork, actor: Actor) -> list[Unfetched]:
    """Confirmations made before files were kept, whose file is still only the platform's reference (admins)."""
    require_admin(actor)
    return await uow.files.unfetched()


async def adopt(uow: UnitOfWork, actor: Actor, u: Unfetched, data: bytes, now: datetime, rules: Rules) -> ReportFile:
    """An old confirmation's file, fetched now from its platform: kept as its sender's, at the time it was fetched,
    and joined to the confirmation.

    Raises:
        NotAllowed: not an admin.
        FileRefused: see ``receive``.
    """
    require_admin(actor)
    sender = Actor(actor.label, Role.ADMIN, u.person_id)  # the file is the sender's, fetched by the operator
    file = await receive(uow, sender, u.agency_id, u.period_id, None, data, now, rules, u.platform)
    await uow.periods.attach_file(u.submission_id, file.id)
    await uow.audit.record(
        actor.label, "adopt_file", "submission", u.submission_id, {"report_file_id": file.id}, at=now
    )
    return file
