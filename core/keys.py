"""Every dedup key the outbox and the reminder runs use, built in one place.

A key names what a message is about and who gets it, so writing the same message twice (a second
instance, a restart, a retried command) adds nothing.
"""

from __future__ import annotations

from datetime import date, datetime

from core.deadlines import to_vn


def point(plan_number: str, series_code: str, period_key: str, kind: str, offset: int) -> str:
    """A reminder point of one period: ``plan:series:period:kind:offset``."""
    return f"{plan_number}:{series_code}:{period_key}:{kind}:{offset}"


def digest_point(day: date) -> str:
    return f"digest:{day.isoformat()}"


def catch_up(point_key: str) -> str:
    """The one up-to-date message that stands for points missed during an outage."""
    return f"{point_key}:catchup"


def for_account(key: str, account_id: int) -> str:
    """One recipient's copy of a message."""
    return f"{key}#{account_id}"


def nudge(period_id: int, now: datetime) -> str:
    return f"nudge:{period_id}:{to_vn(now):%Y%m%dT%H%M%S}"


def notice(notice_id: int) -> str:
    return f"notice:{notice_id}"


def adhoc(period_id: int) -> str:
    return f"adhoc:{period_id}"


def quota(platform: str, month: str, percent: int) -> str:
    return f"quota:{platform}:{month}:{percent}"


def fallback(original_key: str, platform: str) -> str:
    """The copy of a message sent through the person's other channel (at most once per channel)."""
    return f"{original_key}~{platform}"


def calendar_change(change: str, agency_code: str) -> str:
    """The notice that one calendar change moved an agency's next reminder (``change`` names the change)."""
    return f"calendar:{change}:{agency_code}"


def copy_update(submission_id: int, delivery_id: int) -> str:
    """A reminder copy updated after the agency confirmed (one per submission and copy)."""
    return f"copy:{submission_id}:{delivery_id}"


def copy_restore(submission_id: int, delivery_id: int) -> str:
    """A reminder copy restored after the confirmation was undone."""
    return f"copy-restore:{submission_id}:{delivery_id}"
