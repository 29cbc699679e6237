"""From the plan document to a plan in the database (issue 21): Kế hoạch 46/KH-UBND as the published text (the
seed), as a .docx with Word's numbering and as a printed, signed PDF (both made by
``tests/fixtures/plans/make_documents.py``) and as a portal's HTML page is read against the province's agency
registry, drafted, imported into a database holding only that registry, and held against the plan an engineer
transcribed (``plans/46-KH-UBND-2023.toml``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.planfile import PlanSpec, load_plan_bytes
from core.types import OPERATOR
from core.usecases import drafting, plan
from reader import read_document
from tests.conftest import ROOT, Database
from tests.factories import add_agencies
from tests.plan_agreement import agree

DOCUMENTS = ROOT / "tests" / "fixtures" / "plans"
SEED = DOCUMENTS / "46-KH-UBND-2023"


@pytest.mark.parametrize("suffix", [".txt", ".docx", ".pdf", ".html"])
async def test_the_seed_drafts_a_plan_that_agrees_with_the_transcribed_one(
    database: Database, plan46: PlanSpec, suffix: str
) -> None:
    await add_agencies(database, plan46.agencies)
    path = Path(str(SEED) + suffix)
    source = read_document(path.read_bytes(), path.name)
    async with database.uows() as uow:
        drafted = await drafting.draft_document(uow, OPERATOR, source)
    assert drafted.loads, drafted.draft.problems
    spec = load_plan_bytes(drafted.plan_file.encode(), path.name)  # the file imports as it is
    async with database.uows() as uow:
        report = await plan.import_plan(uow, OPERATOR, spec)
        await uow.commit()
    assert report.changes["plan created"] == 1
    assert "agencies created" not in report.changes  # every agency it names is the registry's
    async with database.uows() as uow:
        stored = await uow.agencies.stored_plan(spec.number)
    agreement = agree(plan46, stored, spec.number)
    assert agreement.rows["number"] == (1, 1) and agreement.rows["issued_on"] == (1, 1)
    assert agreement.rows["deadlines"] == (11, 11) and agreement.extra["deadlines"] == 0, agreement.summary()
    assert agreement.share("monthly owed by") >= 0.95, agreement.summary()
    assert agreement.share("task refs") >= 0.90, agreement.summary()
    assert agreement.share("triples") >= 0.85, agreement.summary()
    # What it read beyond the thresholds, so that a regression shows here first:
    assert agreement.right == agreement.total and not any(agreement.extra.values()), agreement.summary()
