"""Domain vocabulary shared by every layer: enums and plain dataclasses (no ORM, no platform)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class AgencyKind(enum.StrEnum):
    DEPARTMENT = "department"  # sở, ban, ngành thuộc tỉnh
    DISTRICT = "district"  # Ủy ban nhân dân huyện, thành phố
    OTHER = "other"  # Ban Dân vận Tỉnh ủy, Mặt trận, cơ quan trung ương…


class Role(enum.StrEnum):
    FOCAL = "focal"  # cán bộ đầu mối
    LEADER = "leader"  # lãnh đạo cơ quan
    ADMIN = "admin"  # quản trị viên Sở Nội vụ


class TaskRole(enum.StrEnum):
    LEAD = "lead"  # chủ trì
    COORDINATE = "coordinate"  # phối hợp


class Recurrence(enum.StrEnum):
    MONTHLY = "monthly"
    SEMI_ANNUAL = "semi_annual"
    ANNUAL = "annual"
    AD_HOC = "ad_hoc"


class Platform(enum.StrEnum):
    TELEGRAM = "telegram"
    ZALO = "zalo"
    CONSOLE = "console"


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    BLOCKED = "blocked"


@dataclass(frozen=True, slots=True)
class Agency:
    id: int
    code: str
    name: str
    kind: AgencyKind
    active: bool


@dataclass(frozen=True, slots=True)
class AssignedTask:
    plan_number: str
    ref: str
    title: str
    text: str
    role: TaskRole


@dataclass(frozen=True, slots=True)
class Period:
    id: int
    series_code: str
    series_name: str
    plan_number: str
    key: str
    label: str
    opens_at: datetime
    due_at: datetime
    wording: str


@dataclass(frozen=True, slots=True)
class PeriodStatusRow:
    """One agency's standing for one period."""

    agency: Agency
    submitted_at: datetime | None
    late: bool | None
    document_number: str | None


@dataclass(frozen=True, slots=True)
class InviteInfo:
    code: str
    agency_code: str
    role: Role
    expires_at: datetime
