"""From a plan document to a loaded plan: draft it against the agency registry (``core.reading``), keep the draft
and its document while Sở Nội vụ corrects it, check it (the import's preview, nothing written), import it; and
open a loaded plan in the same draft form to change it without any file."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from core import plandiff
from core.errors import DraftRefused, DraftStale, DraftUnknown
from core.planfile import ImportReport, PlanFileError, PlanSpec, load_plan_bytes
from core.reading.draft import UNKNOWN_CODE, ReadPlan, settle
from core.reading.model import Draft, DraftAgency, DraftSeries, DraftTask
from core.reading.names import Known
from core.reading.render import plan_file
from core.reading.source import Unreadable
from core.repositories import UnitOfWork
from core.types import Actor, KeptDraft, PlanListing, TaskRole
from core.usecases import plan
from core.usecases.rules import require_admin

MEDIA = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "txt": "text/plain; charset=utf-8",
    "html": "text/html; charset=utf-8",
}


@dataclass(frozen=True, slots=True)
class Drafted:
    draft: Draft
    plan_file: str  # TOML
    loads: bool  # the plan file loads as it is (``core.planfile``); when not, ``draft.problems`` says why
    spec: PlanSpec | None = None  # what it loads as (each series with its periods)


@dataclass(frozen=True, slots=True)
class Review:
    """A kept draft as the review page shows it."""

    kept: KeptDraft
    drafted: Drafted


@dataclass(frozen=True, slots=True)
class PlanPage:
    listing: PlanListing
    stored: plandiff.StoredPlan
    documents: list[KeptDraft]


async def registry(uow: UnitOfWork) -> list[Known]:
    """The active agencies, with the names they had before, as the reader matches them."""
    return [
        Known(a.code, a.name, a.kind, tuple(name for name, _ in a.former_names)) for a in await uow.agencies.all(False)
    ]


class PlanReader(Protocol):
    """Reads a document into a draft against the registry (``reader.sandbox.BoxedReader``: in a box with limits)."""

    async def __call__(self, data: bytes, filename: str, known: Sequence[Known]) -> ReadPlan:
        """Raises Unreadable, with one line saying why."""
        ...


async def draft_document(uow: UnitOfWork, actor: Actor, read: PlanReader, data: bytes, filename: str) -> Drafted:
    """Read the document ``data`` into a draft plan and its plan file; nothing is written.

    Raises:
        NotAllowed: not a Sở Nội vụ admin.
        Unreadable: no text to read, a legacy encoding, a limit passed, or nothing of a plan in it.
    """
    require_admin(actor)
    found = await read(data, filename, await registry(uow))
    drafted = await asyncio.to_thread(finish, found.draft)  # the draft's TOML, loaded back: off the event loop
    if drafted.draft.empty:
        raise Unreadable(
            f"{found.name}: không tìm thấy số, ngày, trích yếu hay nhiệm vụ nào của một kế hoạch "
            "(nothing to draft a plan from)"
        )
    return drafted


def finish(draft: Draft) -> Drafted:
    """The plan file of ``draft``, and whether it loads; when it does not, the loader's problems join the draft's
    (once: a draft checked again does not repeat them)."""
    draft.problems = [p for p in draft.problems if not p.startswith(NOT_LOADING)]
    text = plan_file(draft)
    try:
        spec = load_plan_bytes(text.encode(), draft.source_name or "draft.toml")
    except PlanFileError as exc:
        draft.problems += [f"{NOT_LOADING}: {p}" for p in exc.problems]
        return Drafted(draft, plan_file(draft), False)
    return Drafted(draft, text, True, spec)


NOT_LOADING = "Bản nháp chưa nạp được như hiện có (does not load as it is)"


async def keep(uow: UnitOfWork, actor: Actor, read: PlanReader, content: bytes, filename: str, now: datetime) -> int:
    """Draft the document and keep the draft with it (the caller commits); its id.

    Raises:
        NotAllowed, Unreadable: as ``draft_document``.
    """
    drafted = await draft_document(uow, actor, read, content, filename)
    d = drafted.draft
    draft_id = await uow.drafts.add(
        actor.label, d.source_name, d.source_format, content, d.text, d.to_json(with_text=False), None, now
    )
    await uow.audit.record(actor.label, "draft_plan", "plan_draft", str(draft_id), {"file": d.source_name})
    return draft_id


async def review(uow: UnitOfWork, actor: Actor, draft_id: int) -> Review:
    """A kept draft, its plan file and whether it loads.

    Raises:
        NotAllowed: not a Sở Nội vụ admin.
        DraftUnknown: no such draft.
    """
    require_admin(actor)
    kept = await uow.drafts.get(draft_id)
    if kept is None:
        raise DraftUnknown(str(draft_id))
    try:
        draft = Draft.from_json({**kept.draft, "text": kept.text})
    except ValueError as exc:
        raise DraftUnknown(str(draft_id)) from exc
    return Review(kept, finish(draft))


async def save(
    uow: UnitOfWork, actor: Actor, draft_id: int, draft: Draft, now: datetime, version: datetime | None = None
) -> Review:
    """Keep the corrected ``draft`` (the caller commits), its agencies settled against the registry: a code
    neither the registry nor the draft's new agencies hold is one of its problems. ``version``: when the form was
    filled from, the draft's ``updated_at`` then.

    Raises:
        NotAllowed, DraftUnknown: as ``review``.
        DraftStale: saved by someone else since ``version``; nothing saved.
    """
    kept = (await review(uow, actor, draft_id)).kept
    draft.problems = [p for p in draft.problems if not p.startswith(UNKNOWN_CODE)]
    draft.problems += settle(draft, await registry(uow))
    drafted = finish(draft)
    if not await uow.drafts.save(draft_id, drafted.draft.to_json(with_text=False), now, version):
        raise DraftStale(str(draft_id))
    return Review(replace(kept, updated_at=now), drafted)


async def check(uow: UnitOfWork, actor: Actor, draft: Draft, update_agencies: bool = False) -> ImportReport:
    """What importing ``draft`` would create and change; nothing is written.

    Raises:
        DraftRefused: the draft does not load as a plan file.
        PlanFileError: the import would change agencies it may not (``plan.preview``).
    """
    return await plan.preview(uow, actor, _spec(draft), update_agencies)


async def import_draft(
    uow: UnitOfWork, actor: Actor, draft_id: int, draft: Draft, now: datetime, update_agencies: bool = False
) -> ImportReport:
    """Import the kept draft as corrected (the caller commits): the plan is created or updated, and the document
    is kept with it.

    Raises:
        NotAllowed, DraftUnknown: as ``review``.
        DraftRefused: the draft does not load as a plan file.
        PlanFileError: the import would change agencies it may not.
    """
    await save(uow, actor, draft_id, draft, now)
    spec = _spec(draft)
    report = await plan.import_plan(uow, actor, spec, update_agencies)
    await uow.drafts.imported(draft_id, spec.number, now)
    return report


def _spec(draft: Draft) -> PlanSpec:
    drafted = finish(draft)
    if drafted.spec is None:
        raise DraftRefused([p.split(": ", 1)[1] for p in drafted.draft.problems if p.startswith(NOT_LOADING)])
    return drafted.spec


async def document(uow: UnitOfWork, actor: Actor, draft_id: int) -> tuple[str, str, bytes]:
    """(file name, media type, content) of the document a draft was read from.

    Raises:
        NotAllowed: not a Sở Nội vụ admin.
        DraftUnknown: no such draft, or it has no document.
    """
    require_admin(actor)
    found = await uow.drafts.document(draft_id)
    if found is None:
        raise DraftUnknown(str(draft_id))
    name, format, content = found
    return name, MEDIA.get(format, "application/octet-stream"), content


async def plans(uow: UnitOfWork, actor: Actor) -> list[PlanListing]:
    require_admin(actor)
    return await uow.agencies.plans()


async def plan_page(uow: UnitOfWork, actor: Actor, plan_id: int) -> PlanPage:
    """A loaded plan with its tasks, series and periods, and the documents it was read from.

    Raises:
        NotAllowed: not a Sở Nội vụ admin.
        DraftUnknown: no such plan.
    """
    listing = next((p for p in await plans(uow, actor) if p.id == plan_id), None)
    if listing is None:
        raise DraftUnknown(str(plan_id))
    stored = await uow.agencies.stored_plan(listing.number)
    return PlanPage(listing, stored, await uow.drafts.of_plan(listing.number))


async def edit_plan(uow: UnitOfWork, actor: Actor, plan_id: int, now: datetime) -> int:
    """Open a loaded plan as a draft, to change it with the same forms (the caller commits); the draft's id.

    Raises:
        NotAllowed, DraftUnknown: as ``plan_page``.
    """
    page = await plan_page(uow, actor, plan_id)
    draft = draft_of_plan(page.listing, page.stored)
    return await uow.drafts.add(
        actor.label, None, None, None, "", draft.to_json(with_text=False), page.listing.number, now
    )


ROLE_FIELD = {TaskRole.LEAD: "lead", TaskRole.COORDINATE: "coordinate", TaskRole.CARRY_OUT: "carry_out"}


def draft_of_plan(listing: PlanListing, stored: plandiff.StoredPlan) -> Draft:
    """A loaded plan as a draft: its fields, tasks and series as stored, every agency by its code."""
    fields = stored.fields or {}
    d = Draft(
        source_name=listing.number,
        number=listing.number,
        issued_on=listing.issued_on,
        issuing_body=str(fields.get("issuing_body", "")),
        title=str(fields.get("title", "")),
        year=listing.year,
        year_to=listing.year_to or listing.year,
        signer=str(fields.get("signer", "")),
        signer_title=str(fields.get("signer_title", "") or ""),
    )
    for (ref, paragraph), task in sorted(stored.tasks.items(), key=lambda kv: kv[1].position):
        t = DraftTask(ref=ref, paragraph=paragraph, title=task.title, text=task.text)
        for code, role in sorted(task.assignments):
            getattr(t, ROLE_FIELD[role]).append(code)
        d.tasks.append(t)
    for code, series in stored.series.items():
        f = series.fields
        s = DraftSeries(
            code=code,
            name=str(f["name"]),
            recurrence=str(f["recurrence"]),
            wording=str(f["wording"]),
            owed_by=sorted(series.agencies),
            receiver=str(f.get("receiver") or ""),
            via=str(f.get("via") or ""),
            receiver_wording=str(f.get("receiver_wording") or ""),
            cutoff=str(f.get("cutoff") or ""),
        )
        if s.recurrence == "monthly" and series.periods:  # the months it owes, as loaded ("2023-04" …)
            keys = sorted(series.periods)
            first, last = keys[0].split("-"), keys[-1].split("-")
            s.first_month = int(first[1]) if int(first[0]) == listing.year else None
            s.last_month = int(last[1]) if int(last[0]) == (listing.year_to or listing.year) else None
        d.series.append(s)
    used = d.used_codes()
    d.agencies = [DraftAgency(a.code, a.name, a.kind.value, True) for a in stored.agencies.values() if a.code in used]
    return d
