"""Drafting a plan file from a plan document, against the agency registry in the database (``core.reading``)."""

from __future__ import annotations

from dataclasses import dataclass

from core.planfile import PlanFileError, load_plan_bytes
from core.reading.draft import draft_plan
from core.reading.model import Draft
from core.reading.names import Known
from core.reading.render import plan_file
from core.reading.source import Source
from core.repositories import UnitOfWork
from core.types import Actor
from core.usecases.rules import require_admin


@dataclass(frozen=True, slots=True)
class Drafted:
    draft: Draft
    plan_file: str  # TOML
    loads: bool  # the plan file loads as it is (``core.planfile``); when not, ``draft.problems`` says why


async def registry(uow: UnitOfWork) -> list[Known]:
    """The active agencies, with the names they had before, as the reader matches them."""
    return [
        Known(a.code, a.name, a.kind, tuple(name for name, _ in a.former_names)) for a in await uow.agencies.all(False)
    ]


async def draft_document(uow: UnitOfWork, actor: Actor, source: Source) -> Drafted:
    """Read ``source`` into a draft plan and its plan file; nothing is written.

    Raises:
        NotAllowed: not a Sở Nội vụ admin.
        Unreadable: no text to read, or a legacy encoding.
    """
    require_admin(actor)
    return finish(draft_plan(source, await registry(uow)))


def finish(draft: Draft) -> Drafted:
    """The plan file of ``draft``, and whether it loads; when it does not, the loader's problems join the draft's."""
    text = plan_file(draft)
    try:
        load_plan_bytes(text.encode(), draft.source_name or "draft.toml")
    except PlanFileError as exc:
        draft.problems += [f"Bản nháp chưa nạp được như hiện có (does not load as it is): {p}" for p in exc.problems]
        return Drafted(draft, plan_file(draft), False)
    return Drafted(draft, text, True)
