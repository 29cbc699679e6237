"""Plans from their documents on the dashboard: upload a plan's .docx, PDF or text; see the document with what was
read highlighted beside the draft in forms; correct, add, remove; "Kiểm tra" (the import's preview, nothing
written); "Nạp kế hoạch". A loaded plan opens in the same forms to change it without any file, and its document
can be downloaded again from its page. The drafts live in the database (``core.usecases.drafting``): a reload, a
restart or a second admin sees the same draft."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from starlette.responses import RedirectResponse, Response

from core.deadlines import utcnow
from core.errors import DraftRefused, DraftStale, DraftUnknown
from core.planfile import PlanFileError
from core.reading.model import Draft, DraftSeries, DraftTask
from core.reading.source import MAX_DOCUMENT_BYTES, Unreadable
from core.types import AgencyKind, Recurrence
from core.usecases import drafting
from reader.sandbox import BoxedReader, Limits
from web.guard import Seen, bounded
from web.pages import Dashboard
from web.plans import PlanPages

MAX_DOCUMENT_UPLOAD = MAX_DOCUMENT_BYTES + 64 * 1024  # the file and the form around it
MAX_DRAFT_FORM = 2_000_000  # a plan's tasks with their texts (plan 46's are 27,000 characters)
MAX_DRAFT_FIELDS = 4000  # 30 tasks and 4 series of plan 46 take 240
KINDS = [k.value for k in AgencyKind]
RECURRENCES = [r.value for r in Recurrence]
SPLIT = re.compile(r"[,;\s]+")


def _codes(text: str) -> list[str]:
    """ "SNV, @departments" → ["SNV", "@departments"] (codes in capitals, groups as written)."""
    return list(dict.fromkeys(c if c.startswith("@") else c.upper() for c in SPLIT.split(text.strip()) if c))


def _day(text: str) -> date | None:
    text = text.strip()
    m = re.fullmatch(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})", text)
    try:
        return date(int(m.group(3)), int(m.group(2)), int(m.group(1))) if m else date.fromisoformat(text)
    except ValueError:
        return None


def edited(draft: Draft, form: dict[str, str], t: Any) -> list[str]:
    """The draft as the form corrects it (in place); what in the form cannot be read, in the viewer's language."""
    problems: list[str] = []
    for key in ("number", "title", "issuing_body", "signer", "signer_title"):
        if key in form:
            setattr(draft, key, form[key].strip())
    if "issued_on" in form:
        day = _day(form["issued_on"])
        if day is None:
            problems.append(t("The date of issue is not a date (day/month/year): %(v)s") % {"v": form["issued_on"]})
        else:
            draft.issued_on = day
    if "years" in form:
        m = re.fullmatch(r"\s*([0-9]{4})\s*(?:[-–]\s*([0-9]{4}))?\s*", form["years"])
        if m is None:
            said = t("The years are not a year or a span of years (2026, 2026-2030): %(v)s")
            problems.append(said % {"v": form["years"]})
        else:
            draft.year, draft.year_to = int(m.group(1)), int(m.group(2) or m.group(1))
    for i, task in enumerate(draft.tasks):
        if f"t{i}.ref" not in form:
            continue
        task.ref = form[f"t{i}.ref"].strip()
        paragraph = form.get(f"t{i}.paragraph", "0").strip() or "0"
        task.paragraph = int(paragraph) if re.fullmatch("[0-9]{1,4}", paragraph) else task.paragraph
        task.title = form.get(f"t{i}.title", task.title).strip()
        task.text = form.get(f"t{i}.text", task.text).replace("\r\n", "\n").strip()
        task.lead = _codes(form.get(f"t{i}.lead", ""))
        task.coordinate = _codes(form.get(f"t{i}.coordinate", ""))
        task.carry_out = _codes(form.get(f"t{i}.carry_out", ""))
    for i, s in enumerate(draft.series):
        if f"s{i}.code" not in form:
            continue
        s.code = form[f"s{i}.code"].strip()
        s.name = form.get(f"s{i}.name", s.name).strip()
        s.recurrence = form[f"s{i}.recurrence"] if form.get(f"s{i}.recurrence") in RECURRENCES else s.recurrence
        s.wording = form.get(f"s{i}.wording", s.wording).strip()
        s.owed_by = _codes(form.get(f"s{i}.owed_by", ""))
        s.receiver = form.get(f"s{i}.receiver", s.receiver).strip().upper()
        s.via = form.get(f"s{i}.via", s.via).strip().upper()
        s.receiver_wording = form.get(f"s{i}.receiver_wording", s.receiver_wording).strip()
        month = form.get(f"s{i}.first_month", "").strip()
        s.first_month = int(month) if re.fullmatch("[0-9]{1,2}", month) and 1 <= int(month) <= 12 else None
    for i, a in enumerate(list(draft.agencies)):  # last: a corrected code renames what the rows above say
        if a.known or f"a{i}.code" not in form:
            continue
        new = form[f"a{i}.code"].strip().upper()
        if new and new != a.code:
            draft.rename_agency(a.code, new)
            a.code = new
        a.name = form.get(f"a{i}.name", a.name).strip() or a.name
        a.kind = form.get(f"a{i}.kind", a.kind) if form.get(f"a{i}.kind") in KINDS else a.kind
    return problems


def _add_or_remove(draft: Draft, action: str) -> None:
    if action == "add-task":
        last = draft.tasks[-1].ref if draft.tasks else "II.1"
        draft.tasks.append(DraftTask(ref=last, paragraph=0, title="", text=""))
    elif action == "add-series":
        draft.series.append(DraftSeries(code="", name="", recurrence=Recurrence.ANNUAL.value, wording=""))
    elif m := re.fullmatch(r"remove-(task|series)-([0-9]+)", action):
        items: list[Any] = draft.tasks if m.group(1) == "task" else draft.series
        if int(m.group(2)) < len(items):
            del items[int(m.group(2))]


def marked(draft: Draft) -> list[tuple[str, str, str]]:
    """The document's text in pieces: (words, what they were read as or "", a title), for highlighting."""
    spans: list[tuple[int, int, str, str]] = []
    for field, q in draft.quotes.items():
        spans.append((q.start, q.end, "hl-head", field))
    for task in draft.tasks:
        spans.append((task.quote.start, task.quote.end, "hl-who", f"{task.ref} " + ", ".join(_who(task))))
    for s in draft.series:
        spans.append((s.quote.start, s.quote.end, "hl-report", f"{s.name}: {s.wording}"))
    out: list[tuple[str, str, str]] = []
    at = 0
    text = draft.text
    for start, end, kind, tip in sorted(x for x in spans if 0 <= x[0] < x[1] <= len(text)):
        if start < at:
            continue  # overlapping: the first wins
        out += [(text[at:start], "", ""), (text[start:end], kind, tip)]
        at = end
    out.append((text[at:], "", ""))
    return [x for x in out if x[0]]


def _who(task: DraftTask) -> list[str]:
    return task.lead + task.coordinate + task.carry_out


def _version(text: str) -> datetime | None:
    """The instant the form's draft was saved at, as the form carries it (None when the form has none)."""
    try:
        found = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return found if found.tzinfo is not None else None


def _id(s: Seen) -> int:
    value = str(s.request.path_params.get("id", ""))
    found = bounded(value)
    if found is None:
        raise DraftUnknown(value[:20])
    return found


@dataclass
class DraftPages:
    d: Dashboard
    plans: PlanPages

    async def _refused(self, s: Seen, exc: Unreadable) -> Response:
        """The plans page again, saying why the document cannot be read (nothing was kept)."""
        return await self.plans.show(s, 400, doc_problem=exc.vietnamese if s.lang == "vi" else exc.message)

    async def upload(self, s: Seen) -> Response:
        """A plan document → a kept draft, then its review page (303: a reload does not upload again)."""
        upload = s.files.get("document")
        if upload is None:
            return self.d.say(s, 400, s.t("Refused."))
        data = await upload.read(MAX_DOCUMENT_BYTES + 1)
        try:
            read = BoxedReader(Limits(self.d.rules.reading_seconds, self.d.rules.reading_memory_mb))
            draft_id = await drafting.keep(s.uow, s.me.actor, read, data, upload.filename or "", utcnow())
        except Unreadable as exc:
            return await self._refused(s, exc)
        await s.uow.commit()
        return RedirectResponse(f"/ke-hoach/ban-nhap/{draft_id}", status_code=303)

    async def review(self, s: Seen) -> Response:
        try:
            r = await drafting.review(s.uow, s.me.actor, _id(s))
        except DraftUnknown:
            return self.d.say(s, 404, s.t("No such draft."))
        return self._page(s, r)

    def _page(self, s: Seen, r: drafting.Review, status: int = 200, **context: Any) -> Response:
        d = r.drafted.draft
        periods = {x.code: x.periods for x in r.drafted.spec.series} if r.drafted.spec else {}
        return self.d.show(
            s,
            "draft.html",
            status,
            kept=r.kept,
            draft=d,
            loads=r.drafted.loads,
            plan_file=r.drafted.plan_file,
            periods=periods,
            segments=marked(d) if d.text else [],
            kinds=KINDS,
            recurrences=RECURRENCES,
            known_codes=sorted(a.code for a in d.agencies if a.known),
            **context,
        )

    async def change(self, s: Seen) -> Response:
        """Save the form into the draft, then: add or remove a row, check (the import's preview), or import."""
        try:
            draft_id = _id(s)
            r = await drafting.review(s.uow, s.me.actor, draft_id)
        except DraftUnknown:
            return self.d.say(s, 404, s.t("No such draft."))
        draft = r.drafted.draft
        problems = edited(draft, s.form, s.t)
        if problems:  # nothing saved: the form is shown again with what is wrong
            return self._page(s, r, 400, form_problems=problems)
        action = s.form.get("action", "save")
        _add_or_remove(draft, action)
        try:
            r = await drafting.save(s.uow, s.me.actor, draft_id, draft, utcnow(), _version(s.form.get("version", "")))
        except DraftStale:  # another officer saved it since this form was opened: theirs stays, this is refused
            said = s.t(
                "Someone else saved this draft after you opened it; your changes were not saved. Reload the page to "
                "see the draft as it is now, then make your changes again."
            )
            return self._page(s, await drafting.review(s.uow, s.me.actor, draft_id), 409, form_problems=[said])
        await s.uow.commit()
        if action not in ("check", "import"):
            return RedirectResponse(f"/ke-hoach/ban-nhap/{draft_id}#{action}", status_code=303)
        update_agencies = bool(s.form.get("update_agencies"))
        try:
            if action == "check":
                report = await drafting.check(s.uow, s.me.actor, draft, update_agencies)
                return self._page(s, r, report=report, update_agencies=update_agencies)
            report = await drafting.import_draft(s.uow, s.me.actor, draft_id, draft, utcnow(), update_agencies)
            await s.uow.commit()
        except DraftRefused as exc:
            return self._page(s, r, 400, import_problems=exc.problems)
        except PlanFileError as exc:
            return self._page(s, r, 400, import_problems=exc.problems)
        listing = next(p for p in await drafting.plans(s.uow, s.me.actor) if p.number == draft.number)
        return RedirectResponse(f"/ke-hoach/so/{listing.id}?nap=1", status_code=303)

    async def document(self, s: Seen) -> Response:
        try:
            name, media, content = await drafting.document(s.uow, s.me.actor, _id(s))
        except DraftUnknown:
            return self.d.say(s, 404, s.t("No such document."))
        ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "_", name) or "ke-hoach"
        disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
        return Response(content, media_type=media, headers={"Content-Disposition": disposition})

    async def plan(self, s: Seen) -> Response:
        try:
            page = await drafting.plan_page(s.uow, s.me.actor, _id(s))
        except DraftUnknown:
            return self.d.say(s, 404, s.t("No such plan."))
        tasks = sorted(page.stored.tasks.items(), key=lambda kv: kv[1].position)
        return self.d.show(s, "plan.html", page=page, tasks=tasks, loaded=s.request.query_params.get("nap") == "1")

    async def edit(self, s: Seen) -> Response:
        """A loaded plan opened in the draft's forms (303 to them)."""
        try:
            draft_id = await drafting.edit_plan(s.uow, s.me.actor, _id(s), utcnow())
        except DraftUnknown:
            return self.d.say(s, 404, s.t("No such plan."))
        await s.uow.commit()
        return RedirectResponse(f"/ke-hoach/ban-nhap/{draft_id}", status_code=303)
