"""Report files: content once per SHA-256, in the database (the default: one place to back up) or in a directory.

In a directory, a content lives at ``<dir>/<sha[:2]>/<sha>``: written whole to a temporary file of the same
folder, flushed to the disk, then renamed over (atomic on POSIX); the row that names it commits after. A crash
between the two leaves at most an unnamed content no row points to, never a row without its content nor a file
cut short under its real name.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import tempfile
from datetime import datetime
from pathlib import Path

from sqlalchemy import Select, and_, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.repositories import Conflict
from core.types import ReportFile, SentDetail, Unfetched
from models import tables as t
from models.repos import rows

log = logging.getLogger(__name__)


def _write(directory: Path, sha256: str, data: bytes) -> None:
    target = directory / sha256[:2] / sha256
    if target.exists() and target.stat().st_size == len(data):
        return  # the same content, written before
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".part-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _read(directory: Path, sha256: str) -> bytes | None:
    try:
        return (directory / sha256[:2] / sha256).read_bytes()
    except FileNotFoundError:
        return None


class SqlReportFiles:
    def __init__(self, session: AsyncSession, directory: Path | None = None) -> None:
        self.s = session
        self.directory = directory

    async def _stored(self, sha256: str, kind: str, data: bytes, at: datetime) -> t.StoredFile:
        found = await self.s.scalar(select(t.StoredFile).where(t.StoredFile.sha256 == sha256))
        if found is not None:
            if self.directory is not None and found.content is None:
                await asyncio.to_thread(_write, self.directory, sha256, data)  # missing from the disk: again
            return found
        if self.directory is not None:
            await asyncio.to_thread(_write, self.directory, sha256, data)
        stored = t.StoredFile(
            sha256=sha256, size=len(data), kind=kind, content=None if self.directory else data, stored_at=at
        )
        self.s.add(stored)
        try:
            async with self.s.begin_nested():
                await self.s.flush()
        except IntegrityError as exc:  # the same content kept by another request at the same instant
            raise Conflict("the same file is being stored elsewhere") from exc
        return stored

    async def add(
        self,
        agency_id: int,
        period_id: int,
        name: str,
        kind: str,
        data: bytes,
        sha256: str,
        at: datetime,
        person_id: int | None,
        via: str,
    ) -> tuple[ReportFile, bool]:
        stored = await self._stored(sha256, kind, data, at)
        found = await self.s.scalar(
            select(t.ReportFile.id).where(
                t.ReportFile.agency_id == agency_id,
                t.ReportFile.period_id == period_id,
                t.ReportFile.stored_file_id == stored.id,
            )
        )
        if found is not None:
            again = await self.by_id(found)
            assert again is not None
            return again, False
        row = t.ReportFile(
            agency_id=agency_id,
            period_id=period_id,
            stored_file_id=stored.id,
            name=name,
            received_at=at,
            received_by_person_id=person_id,
            received_via=via,
        )
        self.s.add(row)
        await self.s.flush()
        made = await self.by_id(row.id)
        assert made is not None
        return made, True

    @staticmethod
    def _query() -> Select[tuple[t.ReportFile, int, str, str, str]]:
        return (
            select(t.ReportFile, t.StoredFile.size, t.StoredFile.kind, t.StoredFile.sha256, t.Person.display_name)
            .join(t.StoredFile, t.StoredFile.id == t.ReportFile.stored_file_id)
            .outerjoin(t.Person, t.Person.id == t.ReportFile.received_by_person_id)
        )

    @staticmethod
    def _file(row: t.ReportFile, size: int, kind: str, sha256: str, person: str | None) -> ReportFile:
        return ReportFile(
            row.id,
            row.agency_id,
            row.period_id,
            row.name,
            kind,
            size,
            sha256,
            row.received_at,
            person or "",
            row.received_via,
        )

    async def by_id(self, file_id: int) -> ReportFile | None:
        found = (await self.s.execute(self._query().where(t.ReportFile.id == file_id))).first()
        return self._file(*found) if found else None

    async def count(self, agency_id: int, period_id: int, but: str) -> int:
        found = await self.s.scalar(
            select(func.count(t.ReportFile.id))
            .join(t.StoredFile, t.StoredFile.id == t.ReportFile.stored_file_id)
            .where(t.ReportFile.agency_id == agency_id, t.ReportFile.period_id == period_id, t.StoredFile.sha256 != but)
        )
        return int(found or 0)

    async def content(self, file_id: int) -> bytes | None:
        found = (
            await self.s.execute(
                select(t.StoredFile.content, t.StoredFile.sha256)
                .join(t.ReportFile, t.ReportFile.stored_file_id == t.StoredFile.id)
                .where(t.ReportFile.id == file_id)
            )
        ).first()
        if found is None:
            return None
        content, sha256 = found
        if content is not None:
            return bytes(content)
        if self.directory is None:
            log.error("report file %d is kept in a directory, but REPORT_FILES_DIR is not set", file_id)
            return None
        data = await asyncio.to_thread(_read, self.directory, sha256)
        if data is None:
            log.error("report file %d: its content %s is missing from %s", file_id, sha256[:12], self.directory)
        return data

    async def sent(self, period_id: int) -> dict[int, SentDetail]:
        found = await self.s.execute(
            select(t.Submission.agency_id, t.Person.display_name, t.Submission.report_file_id)
            .outerjoin(t.Person, t.Person.id == t.Submission.confirmed_by_person_id)
            .where(and_(t.Submission.period_id == period_id, t.Submission.undone_at.is_(None)))
        )
        rows = found.all()
        ids = [f for _, _, f in rows if f is not None]
        files: dict[int, ReportFile] = {}
        if ids:
            for hit in (await self.s.execute(self._query().where(t.ReportFile.id.in_(ids)))).all():
                files[hit[0].id] = self._file(*hit)
        return {
            agency: SentDetail(name or "", files.get(file_id) if file_id is not None else None)
            for agency, name, file_id in rows
        }

    async def unfetched(self) -> list[Unfetched]:
        found = (
            (
                await self.s.execute(
                    select(t.Submission)
                    .where(
                        t.Submission.file_ref.is_not(None),
                        t.Submission.report_file_id.is_(None),
                        t.Submission.undone_at.is_(None),
                    )
                    .order_by(t.Submission.id)
                )
            )
            .scalars()
            .all()
        )
        out = []
        for sub in found:
            via = await rows.confirmed_from(self.s, sub.confirmed_via)
            assert sub.file_ref is not None
            out.append(Unfetched(sub.id, sub.agency_id, sub.period_id, sub.file_ref, sub.confirmed_by_person_id, via))
        return out
