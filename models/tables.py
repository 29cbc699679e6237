"""The tables. Enum-valued columns are plain strings (portable across SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, TZDateTime


class Plan(Base):
    __tablename__ = "plan"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(Text)
    issuing_body: Mapped[str] = mapped_column(String(255))
    issued_on: Mapped[date] = mapped_column(Date)
    signer: Mapped[str] = mapped_column(String(255))
    signer_title: Mapped[str] = mapped_column(String(255), default="")
    year: Mapped[int] = mapped_column(Integer)  # the first year it covers
    year_to: Mapped[int | None] = mapped_column(Integer, nullable=True)  # its last ("giai đoạn 2026–2030")


class PlanDraft(Base):
    """A plan read from its document (or a loaded plan opened for editing) while Sở Nội vụ checks it, and the
    document itself: kept with the plan once the draft is imported, so it can be downloaded again."""

    __tablename__ = "plan_draft"
    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(TZDateTime())
    updated_at: Mapped[datetime] = mapped_column(TZDateTime())
    created_by: Mapped[str] = mapped_column(String(255))
    filename: Mapped[str | None] = mapped_column(String(255), nullable=True)  # None: a loaded plan, edited
    format: Mapped[str | None] = mapped_column(String(8), nullable=True)  # "docx", "pdf", "txt", "html"
    content: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    size: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text, default="")  # the document's text, which the draft's quotes index
    draft: Mapped[dict[str, object]] = mapped_column(JSON)
    plan_number: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    imported_at: Mapped[datetime | None] = mapped_column(TZDateTime(), nullable=True)


class Agency(Base):
    __tablename__ = "agency"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(255))  # the current name; earlier ones are in agency_name
    kind: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Dissolved or merged from this day on (it owes nothing due from then); successor = merged into.
    ended_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    successor_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), nullable=True)
    # The official order within its kind (the province's list of departments, the official codes of communes).
    position: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    province: Mapped[str | None] = mapped_column(String(8), nullable=True)  # official province code, "08"
    official_code: Mapped[str | None] = mapped_column(String(16), nullable=True)  # a commune's, "02203"
    # In being from this day (None: as long as the records go); a plan's groups take only agencies in being then.
    started_on: Mapped[date | None] = mapped_column(Date, nullable=True)


class AgencySuccessor(Base):
    """The agencies that took an agency's place when it was split (one row each, in the operator's order)."""

    __tablename__ = "agency_successor"
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), primary_key=True)
    successor_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))


class AgencyName(Base):
    """A name an agency bore before ``until`` (exclusive): history shows the name of its own time."""

    __tablename__ = "agency_name"
    __table_args__ = (UniqueConstraint("agency_id", "until"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    name: Mapped[str] = mapped_column(String(255))
    until: Mapped[date] = mapped_column(Date)


class Task(Base):
    __tablename__ = "task"
    __table_args__ = (UniqueConstraint("plan_id", "ref", "paragraph"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    ref: Mapped[str] = mapped_column(String(16))  # the plan's own item: "II.4", "III.1"
    paragraph: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))  # 0 = the whole item
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)


class TaskAssignment(Base):
    __tablename__ = "task_assignment"
    __table_args__ = (UniqueConstraint("task_id", "agency_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    role: Mapped[str] = mapped_column(String(16))


class ReportSeries(Base):
    __tablename__ = "report_series"
    __table_args__ = (UniqueConstraint("plan_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(255))
    recurrence: Mapped[str] = mapped_column(String(16))
    wording: Mapped[str] = mapped_column(Text)
    receiver_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    via_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), nullable=True)  # who compiles
    receiver_wording: Mapped[str | None] = mapped_column(Text, nullable=True)  # as the plan says it
    cutoff: Mapped[str | None] = mapped_column(Text, nullable=True)  # chốt số liệu: "nd09" or the plan's words
    # Per-series reminder policy override (JSON of core.planning.policy.ReminderPolicy fields); NULL = default.
    policy: Mapped[dict[str, object] | None] = mapped_column(JSON, nullable=True)


class SeriesAgency(Base):
    """The agencies that owe a series."""

    __tablename__ = "series_agency"
    series_id: Mapped[int] = mapped_column(ForeignKey("report_series.id", ondelete="CASCADE"), primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), primary_key=True)


class ReportPeriod(Base):
    __tablename__ = "report_period"
    __table_args__ = (UniqueConstraint("series_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("report_series.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(32))
    label: Mapped[str] = mapped_column(String(255))
    opens_at: Mapped[datetime] = mapped_column(TZDateTime())
    due_at: Mapped[datetime] = mapped_column(TZDateTime(), index=True)  # the last day as the plan words it
    data_from: Mapped[date | None] = mapped_column(Date, nullable=True)  # the data it covers, when computed
    data_to: Mapped[date | None] = mapped_column(Date, nullable=True)


class PeriodAgency(Base):
    """The agencies that owe one period (the series' agencies, or an ad-hoc request's audience)."""

    __tablename__ = "period_agency"
    period_id: Mapped[int] = mapped_column(ForeignKey("report_period.id", ondelete="CASCADE"), primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), primary_key=True)


class Person(Base):
    __tablename__ = "person"
    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(255), default="", server_default="")  # position (chức vụ)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(TZDateTime())
    # Set when the person's data was erased (/xoadulieu): the name is then a placeholder, the identifiers gone.
    erased_at: Mapped[datetime | None] = mapped_column(TZDateTime(), nullable=True)


class ChatAccount(Base):
    __tablename__ = "chat_account"
    __table_args__ = (UniqueConstraint("platform", "platform_user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    platform: Mapped[str] = mapped_column(String(16))
    platform_user_id: Mapped[str] = mapped_column(String(64))
    chat_id: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8), default="vi")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The account reminders go to when the person has several (/kenh); None/False = not chosen.
    preferred: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    blocked_at: Mapped[datetime | None] = mapped_column(TZDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(TZDateTime())


class Invite(Base):
    __tablename__ = "invite"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(TZDateTime())
    created_by: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(TZDateTime())
    # The person Sở Nội vụ means the code for (full name, position); None for link codes and old codes.
    person_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    person_title: Mapped[str | None] = mapped_column(String(255), nullable=True)
    used_at: Mapped[datetime | None] = mapped_column(TZDateTime(), nullable=True)
    used_by_account_id: Mapped[int | None] = mapped_column(ForeignKey("chat_account.id"), nullable=True)
    # Set for a link code (/lienket): the account that redeems it joins this person instead of a new one.
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), nullable=True)


class Submission(Base):
    """A confirmed report. An undo sets ``undone_at``; the row stays, so history is never lost."""

    __tablename__ = "submission"
    __table_args__ = (
        Index(
            "uq_submission_live",
            "agency_id",
            "period_id",
            unique=True,
            sqlite_where=text("undone_at IS NULL"),
            postgresql_where=text("undone_at IS NULL"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    period_id: Mapped[int] = mapped_column(ForeignKey("report_period.id"))
    confirmed_at: Mapped[datetime] = mapped_column(TZDateTime())
    confirmed_by_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), nullable=True)
    confirmed_via: Mapped[str] = mapped_column(String(64))
    document_number: Mapped[str | None] = mapped_column(String(64), nullable=True)
    file_ref: Mapped[str | None] = mapped_column(String(512), nullable=True)  # the platform's, before issue 32
    report_file_id: Mapped[int | None] = mapped_column(ForeignKey("report_file.id"), nullable=True)
    late: Mapped[bool] = mapped_column(Boolean)
    undone_at: Mapped[datetime | None] = mapped_column(TZDateTime(), nullable=True)
    undone_by_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), nullable=True)


class StoredFile(Base):
    """A file's content, once per content (SHA-256): in ``content`` by default, or in the directory that
    REPORT_FILES_DIR names (then ``content`` is NULL and the file is ``<dir>/<sha[:2]>/<sha>``)."""

    __tablename__ = "stored_file"
    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(8))  # core.filekinds.FileKind, judged by content
    content: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    stored_at: Mapped[datetime] = mapped_column(TZDateTime())


class ReportFile(Base):
    """An agency's report file for a period: who sent it, when, from where, under which name."""

    __tablename__ = "report_file"
    __table_args__ = (UniqueConstraint("agency_id", "period_id", "stored_file_id", name="uq_report_file_content"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    period_id: Mapped[int] = mapped_column(ForeignKey("report_period.id"), index=True)
    stored_file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id"))
    name: Mapped[str] = mapped_column(String(255))
    received_at: Mapped[datetime] = mapped_column(TZDateTime())
    received_by_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), nullable=True)
    received_via: Mapped[str] = mapped_column(String(16))  # telegram, web, cli


class Notice(Base):
    __tablename__ = "notice"
    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), nullable=True)
    text: Mapped[str] = mapped_column(Text)
    audience: Mapped[dict[str, object]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(TZDateTime())


class Delivery(Base):
    """One outgoing message, written before it is sent (the outbox)."""

    __tablename__ = "delivery"
    __table_args__ = (Index("ix_delivery_due", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    dedup_key: Mapped[str] = mapped_column(String(255), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("chat_account.id"))
    kind: Mapped[str] = mapped_column(String(16))
    priority: Mapped[int] = mapped_column(Integer, default=5)
    text: Mapped[str] = mapped_column(Text)
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("notice.id"), nullable=True)
    # The period a reminder (or its update) is about, so the agency's copies can be found and edited.
    period_id: Mapped[int | None] = mapped_column(ForeignKey("report_period.id"), nullable=True, index=True)
    # An update of an earlier delivery (Telegram edits that message; channels without edits send this anew).
    edit_of: Mapped[int | None] = mapped_column(ForeignKey("delivery.id"), nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(TZDateTime())
    claimed_at: Mapped[datetime | None] = mapped_column(TZDateTime(), nullable=True)
    # The `nhacviec run` instance holding the claim: a claim of an instance that is gone is released at once.
    claimed_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    platform_message_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # Buttons sent with the message: [[label, choice token], …] (e.g. "Đã nhận" on a notice).
    choices: Mapped[list[list[str]] | None] = mapped_column(JSON, nullable=True)
    # A reminder's line in a message that carries everything due to the person at one moment (core.types.BundlePart)
    part: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True), nullable=True)
    # The row whose message carried this one (a bundle's first row names itself); None: it leaves on its own.
    bundle_of: Mapped[int | None] = mapped_column(ForeignKey("delivery.id"), nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(TZDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(TZDateTime(), nullable=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(TZDateTime(), nullable=True)


class WebLogin(Base):
    """A one-time sign-in link for the dashboard (its token kept hashed), valid a few minutes."""

    __tablename__ = "web_login"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("chat_account.id"))
    created_at: Mapped[datetime] = mapped_column(TZDateTime())
    expires_at: Mapped[datetime] = mapped_column(TZDateTime())
    used_at: Mapped[datetime | None] = mapped_column(TZDateTime(), nullable=True)


class WebSession(Base):
    """A signed-in browser (its token kept hashed); the role is read from the account on every request."""

    __tablename__ = "web_session"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("chat_account.id"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(TZDateTime())
    expires_at: Mapped[datetime] = mapped_column(TZDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(TZDateTime(), nullable=True)


class SeenUpdate(Base):
    """An incoming update already handled: a webhook retried by the platform, or delivered to two instances,
    is handled once."""

    __tablename__ = "seen_update"
    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    update_key: Mapped[str] = mapped_column(String(128), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(TZDateTime(), index=True)


class ReminderRun(Base):
    """A reminder point that has been handled, so it is never handled twice."""

    __tablename__ = "reminder_run"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(255), unique=True)
    at: Mapped[datetime] = mapped_column(TZDateTime())
    handled_at: Mapped[datetime] = mapped_column(TZDateTime())
    outcome: Mapped[str] = mapped_column(String(16))  # fired / collapsed / stale
    deliveries: Mapped[int] = mapped_column(Integer, default=0)


class AuditLog(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(TZDateTime(), index=True)
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    detail: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)


class PendingChoice(Base):
    """A choice offered to one account (a button, or a numbered line on channels without buttons).

    The token is all a platform sends back; the server looks it up and re-checks who may use it.
    """

    __tablename__ = "pending_choice"
    __table_args__ = (Index("ix_pending_choice_menu", "account_id", "menu_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)  # increasing: the latest menu is the highest id
    token: Mapped[str] = mapped_column(String(32), unique=True)
    menu_id: Mapped[str] = mapped_column(String(32))
    position: Mapped[int] = mapped_column(Integer)
    account_id: Mapped[int] = mapped_column(ForeignKey("chat_account.id"))
    action: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(TZDateTime())
    expires_at: Mapped[datetime] = mapped_column(TZDateTime())
    used_at: Mapped[datetime | None] = mapped_column(TZDateTime(), nullable=True)


class ConversationState(Base):
    """The step a person is at in a multi-step command (/danop, /thongbao, /dotxuat)."""

    __tablename__ = "conversation_state"
    account_id: Mapped[int] = mapped_column(ForeignKey("chat_account.id"), primary_key=True)
    flow: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    expires_at: Mapped[datetime] = mapped_column(TZDateTime())


class ChannelUsage(Base):
    """Messages sent per platform and calendar month (Asia/Ho_Chi_Minh), for quota care."""

    __tablename__ = "channel_usage"
    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # "2026-11"
    sent: Mapped[int] = mapped_column(Integer, default=0)
    warned_percent: Mapped[int] = mapped_column(Integer, default=0)


class CalendarDay(Base):
    """A day the Vietnamese calendar changes for the year: an extra day off or a make-up working day."""

    __tablename__ = "calendar_day"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # "off" | "workday"
    reason: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(255), default="", server_default="")  # the document that says so
    created_at: Mapped[datetime] = mapped_column(TZDateTime())
    created_by: Mapped[str] = mapped_column(String(128))


class InboundUpdate(Base):
    """An incoming update kept from the moment it arrived until its replies are sent: a webhook answers once the
    update is written here, and the leader answers each chat's updates in order (Zalo; issue 24, finding 9)."""

    __tablename__ = "inbound_update"
    __table_args__ = (
        UniqueConstraint("platform", "update_key"),
        Index("ix_inbound_update_waiting", "platform", "done_at", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)  # increasing: the order updates are answered in
    platform: Mapped[str] = mapped_column(String(16))
    update_key: Mapped[str] = mapped_column(String(128))
    chat_id: Mapped[str] = mapped_column(String(64))
    body: Mapped[dict[str, object]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(TZDateTime())
    # The replies the core gave, written in the unit of work that handled the update: [{text, choices, …}].
    replies: Mapped[list[dict[str, object]] | None] = mapped_column(JSON, nullable=True)
    sent: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))  # replies sent so far
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    next_attempt_at: Mapped[datetime] = mapped_column(TZDateTime())
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    done_at: Mapped[datetime | None] = mapped_column(TZDateTime(), nullable=True)
    # Given up after its attempts (a poison update): done, kept ``SET_ASIDE_KEPT`` for an admin to see.
    set_aside_at: Mapped[datetime | None] = mapped_column(TZDateTime(), nullable=True)
