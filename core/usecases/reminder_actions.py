"""What a reminder carries: "Đã nộp báo cáo" and "Đã nhận" choices, and the agency's copies kept up to date.

The choices are server-side tokens like every other (``conversations.offer``); the faces only show them.
When one person of an agency confirms a period, every other copy of that period's reminders held by the
agency's people is updated through the outbox (Telegram edits the message; channels without edits get a
short follow-up); an undo puts the copies back, with fresh choices.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from core import bundles, keys, messages
from core.repositories import UnitOfWork
from core.types import PRIORITY_OF, DeliveryKind, NewDelivery, Period

REMIND_SUBMIT = "remind_submit"
REMIND_ACK = "remind_ack"
CHOICE_TTL = timedelta(days=60)  # a reminder's buttons work as long as its period can still be chased
KIND = DeliveryKind.UPDATE


async def reminder_choices(
    uow: UnitOfWork, account_id: int, language: str, period_id: int, dedup_key: str, now: datetime
) -> tuple[tuple[str, str], ...]:
    """The two choices of one reminder copy: confirm exactly this period, or say it was received."""
    submit, ack = await uow.conversations.offer(
        account_id,
        [(REMIND_SUBMIT, {"period_id": period_id}), (REMIND_ACK, {"key": dedup_key, "period_id": period_id})],
        now,
        CHOICE_TTL,
    )
    return ((messages.submitted_label(language), submit), (messages.ack_label(language), ack))


async def acknowledge(uow: UnitOfWork, account_id: int, dedup_key: str, now: datetime) -> bool:
    """The person has seen this reminder; recorded once per delivery."""
    done = await uow.outbox.acknowledge(dedup_key, account_id, now)
    if done:
        await uow.audit.record(f"account:{account_id}", "acknowledge", "delivery", dedup_key, at=now)
    return done


async def tell_agency(
    uow: UnitOfWork,
    agency_id: int,
    period: Period,
    submission_id: int,
    who: str,
    at: datetime,
    except_account: int | None,
) -> int:
    """Bring the agency's copies of the period's reminders up to date: "Đã nộp bởi <who> lúc <at>"."""
    items = [
        NewDelivery(
            keys.copy_update(submission_id, c.delivery_id),
            c.account_id,
            KIND,
            messages.confirmed_copy(
                c.language, bundles.short_name(c.language, period.label, period.plan_number), who, at
            ),
            PRIORITY_OF[KIND],
            period_id=period.id,
            # a message carrying other reports too is not rewritten: a short word follows it instead
            edit_of=None if c.bundled else c.delivery_id,
        )
        for c in await uow.outbox.copies(period.id, agency_id)
        if c.account_id != except_account
    ]
    return await uow.outbox.enqueue(items, at)


async def restore_agency(uow: UnitOfWork, agency_id: int, period: Period, submission_id: int, now: datetime) -> int:
    """After an undo: each copy shows its reminder again, with fresh choices for focal persons' copies."""
    items = []
    for c in await uow.outbox.copies(period.id, agency_id):
        if not c.text:  # its text was cleared (MESSAGE_TEXT_RETENTION_DAYS): there is nothing to show again
            continue
        key = keys.copy_restore(submission_id, c.delivery_id)
        choices = (
            await reminder_choices(uow, c.account_id, c.language, period.id, c.dedup_key, now) if c.had_choices else ()
        )
        edit_of = None if c.bundled else c.delivery_id  # its own reminder, anew, under the message it was part of
        items.append(NewDelivery(key, c.account_id, KIND, c.text, PRIORITY_OF[KIND], None, choices, period.id, edit_of))
    return await uow.outbox.enqueue(items, now)
