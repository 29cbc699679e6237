"""From the plan document to a plan in the database (issue 21): Kế hoạch 46/KH-UBND as the published text (the
seed), as a .docx with Word's numbering and as a printed, signed PDF (both made by
``tests/fixtures/plans/make_documents.py``) and as a portal's HTML page is read against the province's agency
registry, drafted, imported into a database holding only that registry, and held against the plan an engineer
transcribed (``plans/46-KH-UBND-2023.toml``); the test plans of other topics likewise against their expected
files (``tests/fixtures/plans/*.expected.toml``)."""

from __future__ import annotations

import pytest

from core.planfile import load_plan_bytes
from core.types import OPERATOR
from core.usecases import drafting, plan
from reader.sandbox import BoxedReader
from tests.conftest import Database
from tests.factories import add_agencies
from tests.plan_agreement import DOCUMENTS, Agreement, agree, expected_of


# "-narrow.pdf": the seed printed with a narrow header column (issue 31): "ỦY BAN NHÂN" / "DÂN" / "TỈNH TUYÊN" /
# "QUANG", "Số:" / "46/KH-UBND" and "Tuyên Quang, ngày 14 tháng 3" / "năm 2023", the right cell past the page's middle.
@pytest.mark.parametrize("suffix", [".txt", ".docx", ".pdf", ".html", "-narrow.pdf"])
async def test_the_seed_drafts_a_plan_that_agrees_with_the_transcribed_one(database: Database, suffix: str) -> None:
    agreement = await _draft_and_import(database, "46-KH-UBND-2023", suffix)
    # Issue 21's thresholds:
    assert agreement.rows["number"] == (1, 1) and agreement.rows["issued_on"] == (1, 1)
    assert agreement.rows["deadlines"] == (11, 11) and agreement.extra["deadlines"] == 0, agreement.summary()
    assert agreement.share("monthly owed by") >= 0.95, agreement.summary()
    assert agreement.share("task refs") >= 0.90, agreement.summary()
    assert agreement.share("triples") >= 0.85, agreement.summary()
    # What it reads beyond them, so that a regression shows here first:
    assert agreement.right == agreement.total and not any(agreement.extra.values()), agreement.summary()


@pytest.mark.parametrize("suffix", [".txt", ".docx", ".pdf"])
@pytest.mark.parametrize("name", ["cchc-2026", "cds-2026-2030", "tcd-2026"])
async def test_plans_of_other_topics_and_regimes_agree_with_their_expected_files(
    database: Database, name: str, suffix: str
) -> None:
    """Quarterly, 6-month, 9-month and annual reports; a plan over five years; a plan of Thanh tra tỉnh with an
    agency the registry lacks (the draft adds it, and the import creates it)."""
    agreement = await _draft_and_import(database, name, suffix)
    assert agreement.right == agreement.total and not any(agreement.extra.values()), agreement.summary()


async def _draft_and_import(database: Database, name: str, suffix: str) -> Agreement:
    reference, new = expected_of(name)
    await add_agencies(database, [a for a in reference.agencies if a.code not in new])
    path = DOCUMENTS / f"{name}{suffix}"
    async with database.uows() as uow:
        drafted = await drafting.draft_document(uow, OPERATOR, BoxedReader(), path.read_bytes(), path.name)
    assert drafted.loads, drafted.draft.problems
    assert {u.code for u in drafted.draft.unmatched} == new
    spec = load_plan_bytes(drafted.plan_file.encode(), path.name)  # the file imports as it is
    async with database.uows() as uow:
        report = await plan.import_plan(uow, OPERATOR, spec)
        await uow.commit()
    assert report.changes["plan created"] == 1
    assert report.changes.get("agencies created", 0) == len(new)  # every other agency it names is the registry's
    async with database.uows() as uow:
        stored = await uow.agencies.stored_plan(spec.number)
    return agree(reference, stored, spec.number)
