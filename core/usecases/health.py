"""What the service's metrics read from the database: the outbox, and the Zalo quota used this month."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.repositories import UnitOfWork
from core.types import OutboxFigures, Platform
from core.usecases.quota import month_of


@dataclass(frozen=True, slots=True)
class ServiceFigures:
    outbox: OutboxFigures
    zalo_used: int  # messages sent on Zalo this calendar month (Vietnam time)


async def figures(uow: UnitOfWork, now: datetime) -> ServiceFigures:
    return ServiceFigures(await uow.outbox.figures(), await uow.usage.used(Platform.ZALO, month_of(now)))
