"""Domain vocabulary shared by every layer: enums and plain dataclasses (no ORM, no platform)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any


class AgencyKind(enum.StrEnum):
    DEPARTMENT = "department"  # sở, ban, ngành thuộc tỉnh
    DISTRICT = "district"  # Ủy ban nhân dân huyện, thành phố (until 30/6/2025)
    COMMUNE = "commune"  # Ủy ban nhân dân xã, phường (the local level from 1/7/2025)
    OTHER = "other"  # Ban Dân vận Tỉnh ủy, Mặt trận, cơ quan trung ương…


class Role(enum.StrEnum):
    FOCAL = "focal"  # cán bộ đầu mối
    LEADER = "leader"  # lãnh đạo cơ quan
    ADMIN = "admin"  # quản trị viên Sở Nội vụ


class TaskRole(enum.StrEnum):
    LEAD = "lead"  # chủ trì
    COORDINATE = "coordinate"  # phối hợp
    CARRY_OUT = "carry_out"  # thực hiện: a duty the plan gives the agency itself (or to every agency)


class Recurrence(enum.StrEnum):
    """The reporting regimes of Nghị định 09/2019/NĐ-CP (Điều 12), the daily and weekly reports emergency and
    campaign plans ask for, and requests made when needed."""

    DAILY = "daily"  # báo cáo ngày: emergencies and campaigns ("trước 19h00 hằng ngày")
    WEEKLY = "weekly"  # báo cáo tuần ("trước 15h00 thứ Năm hằng tuần")
    MONTHLY = "monthly"  # báo cáo tháng
    QUARTERLY = "quarterly"  # báo cáo quý
    SEMI_ANNUAL = "semi_annual"  # báo cáo 6 tháng (đầu năm)
    NINE_MONTHS = "nine_months"  # báo cáo 9 tháng
    ANNUAL = "annual"  # báo cáo năm
    AD_HOC = "ad_hoc"  # báo cáo đột xuất


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
    WITHDRAWN = "withdrawn"  # taken out before it left: its report was confirmed first (issue 30)


class DeliveryKind(enum.StrEnum):
    """What an outbox row is; the first five are also the reminder planner's point kinds."""

    BEFORE = "before"
    DUE = "due"
    OVERDUE = "overdue"
    ESCALATION = "escalation"
    DIGEST = "digest"
    NUDGE = "nudge"
    NOTICE = "notice"
    ADHOC = "adhoc"
    QUOTA = "quota"
    CALENDAR = "calendar"  # a calendar change moved the person's next reminder
    UPDATE = "update"  # an earlier reminder's copy brought up to date ("Đã nộp bởi …"), edited where possible
    ACCOUNT = "account"  # about the person's own accounts (a new one was linked)
    UNSEEN = "unseen"  # to leaders: on the deadline day nobody of the agency has seen the reminders or sent


class Priority(enum.IntEnum):
    """The outbox's order: lower goes first. ``REPLY`` is a direct answer, sent at once."""

    REPLY = 0
    URGENT = 1  # escalations, quota warnings
    HIGH = 2  # overdue reminders, nudges
    NORMAL = 3  # reminders before the deadline, ad-hoc requests
    LOW = 6  # digests
    BULK = 7  # notices


PRIORITY_OF: dict[DeliveryKind, Priority] = {
    DeliveryKind.ESCALATION: Priority.URGENT,
    DeliveryKind.QUOTA: Priority.URGENT,
    DeliveryKind.OVERDUE: Priority.HIGH,
    DeliveryKind.NUDGE: Priority.HIGH,
    DeliveryKind.BEFORE: Priority.NORMAL,
    DeliveryKind.DUE: Priority.NORMAL,
    DeliveryKind.ADHOC: Priority.NORMAL,
    DeliveryKind.CALENDAR: Priority.NORMAL,
    DeliveryKind.UPDATE: Priority.HIGH,
    DeliveryKind.UNSEEN: Priority.URGENT,
    DeliveryKind.ACCOUNT: Priority.URGENT,
    DeliveryKind.DIGEST: Priority.LOW,
    DeliveryKind.NOTICE: Priority.BULK,
}


class RunOutcome(enum.StrEnum):
    """How a reminder point was handled (``reminder_run.outcome``)."""

    FIRED = "fired"
    COLLAPSED = "collapsed"  # folded into one up-to-date message after an outage
    STALE = "stale"  # too old to be of use
    NOTHING = "nothing"  # nobody left to remind at its instant


class Standing(enum.StrEnum):
    """One agency's standing for one period (decided in ``core.standing``)."""

    ON_TIME = "on_time"  # đúng hạn
    LATE = "late"  # nộp muộn
    MISSING = "missing"  # chưa nộp, quá hạn
    NOT_DUE = "not_due"  # chưa nộp, chưa đến hạn


@dataclass(frozen=True, slots=True)
class Agency:
    id: int
    code: str
    name: str  # the current name (history shows the name of its own time: see ``name_on``)
    kind: AgencyKind
    active: bool
    ended_on: date | None = None  # dissolved or merged from this day
    successor: str | None = None  # the code of the agency it was merged into
    former_names: tuple[tuple[str, date], ...] = ()  # (name, borne until this day, exclusive), oldest first
    successors: tuple[str, ...] = ()  # split: the codes that took its place (a merge: its one successor)
    position: int = 0  # the official order within its kind
    province: str | None = None  # official province code
    started_on: date | None = None  # in being from this day (None: as long as the records go)

    def name_on(self, day: date) -> str:
        """The name the agency bore on ``day``."""
        return next((name for name, until in self.former_names if day < until), self.name)


@dataclass(frozen=True, slots=True)
class AssignedTask:
    plan_number: str
    ref: str
    title: str
    text: str
    role: TaskRole
    paragraph: int = 0  # the paragraph of the plan's item, 0 when the task is the whole item


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
    receiver: str = ""  # the series' receiver as the plan words it ("Ủy ban nhân dân tỉnh (qua Sở Nội vụ tổng hợp)")
    plan_issued_on: date | None = None
    plan_issuer: str = ""  # "Ủy ban nhân dân tỉnh Tuyên Quang"
    via: str = ""  # the agency reports go through, who compiles and asks ("Sở Nội vụ")
    data_from: date | None = None  # the data the report covers (chốt số liệu), when the plan says
    data_to: date | None = None
    cutoff: str = ""  # the series' cut-off as the plan words it, when it is not computed
    plan_title: str = ""  # the plan's subject ("Cải cách hành chính nhà nước tỉnh Tuyên Quang năm 2026")


@dataclass(frozen=True, slots=True)
class PeriodStatusRow:
    """One agency's live submission for one period, if any."""

    agency: Agency
    submitted_at: datetime | None
    document_number: str | None
    reminded: bool = False  # a reminder of the period reached someone of the agency
    seen: bool = False  # someone of the agency chose "Đã nhận" on one
    file_name: str | None = None  # the report file the confirmation carries


@dataclass(frozen=True, slots=True)
class InviteInfo:
    code: str
    agency_code: str
    role: Role
    expires_at: datetime
    person_name: str | None = None
    person_title: str | None = None


@dataclass(frozen=True, slots=True)
class Sender:
    platform: Platform
    user_id: str
    chat_id: str
    display_name: str
    private: bool = True


@dataclass(frozen=True, slots=True)
class Account:
    """A registered chat account with its person and agency."""

    account_id: int
    person_id: int
    person_name: str
    agency_id: int
    agency_code: str
    agency_name: str
    role: Role
    language: str
    linked: bool = False  # True right after this account joined an existing person (/lienket code)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who asks a use-case to act: a chat account (its role as the database has it now) or the operator."""

    label: str  # for the audit log: "account:12", "cli"
    role: Role
    person_id: int | None = None
    agency_id: int | None = None
    account_id: int | None = None
    name: str = ""  # how others read who did it ("Nguyễn Văn A, Chuyên viên")

    @staticmethod
    def of(account: Account) -> Actor:
        return Actor(
            f"account:{account.account_id}",
            account.role,
            account.person_id,
            account.agency_id,
            account.account_id,
            account.person_name,
        )


OPERATOR = Actor("cli", Role.ADMIN, name="Sở Nội vụ")  # the person at the server's command line


@dataclass(frozen=True, slots=True)
class Recipient:
    """The one account a person is reached on (preferred, active, not blocked)."""

    account_id: int
    person_name: str
    agency_code: str
    agency_name: str
    language: str
    platform: str = "console"  # the app the account is on ("telegram", "zalo", "console")


@dataclass(frozen=True, slots=True)
class ChatAccountInfo:
    account_id: int
    platform: Platform
    preferred: bool


@dataclass(frozen=True, slots=True)
class AgencyPeriod:
    """A period one agency owes, with its live submission if any."""

    period: Period
    submitted_at: datetime | None
    document_number: str | None


@dataclass(frozen=True, slots=True)
class SubmissionInfo:
    id: int
    confirmed_at: datetime
    document_number: str | None


@dataclass(frozen=True, slots=True)
class SubmissionReceipt:
    period: Period
    confirmed_at: datetime
    late: bool
    document_number: str | None
    file_attached: bool
    submission_id: int = 0


@dataclass(frozen=True, slots=True)
class NoticeSummary:
    id: int
    created_at: datetime
    text: str
    recipients: int
    delivered: int
    acknowledged: int
    not_acknowledged: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ExportRow:
    """One agency's standing for one period, as the workbook lists it."""

    period: Period
    status: PeriodStatusRow
    standing: Standing


@dataclass(frozen=True, slots=True)
class PlanListing:
    """A loaded plan, as the plans page lists it."""

    id: int
    number: str
    title: str
    issued_on: date
    year: int
    year_to: int | None
    tasks: int
    series: int


@dataclass(frozen=True, slots=True)
class KeptDraft:
    """A draft plan kept while Sở Nội vụ checks it (``draft``: ``core.reading.model.Draft.to_json`` without its
    text), with the document it was read from."""

    id: int
    created_at: datetime
    updated_at: datetime
    created_by: str
    filename: str | None  # None: a loaded plan opened for editing, no document
    format: str | None
    size: int
    text: str
    draft: dict[str, Any]
    plan_number: str | None  # the plan it edits, or became when imported
    imported_at: datetime | None


@dataclass(frozen=True, slots=True)
class TaskListing:
    """A task of a plan with the codes of its lead and coordinating agencies."""

    plan_number: str
    ref: str
    title: str
    text: str
    lead: tuple[str, ...]
    coordinate: tuple[str, ...]
    carry_out: tuple[str, ...] = ()
    paragraph: int = 0


@dataclass(frozen=True, slots=True)
class InviteRecord:
    id: int
    agency_id: int
    role: Role
    expires_at: datetime
    used_at: datetime | None
    person_id: int | None  # set for a link code (/lienket)
    person_name: str | None = None  # the person Sở Nội vụ meant the code for
    person_title: str | None = None


@dataclass(frozen=True, slots=True)
class ChoiceRecord:
    token: str
    menu_id: str
    account_id: int
    action: str
    payload: dict[str, object]
    expires_at: datetime
    used_at: datetime | None


@dataclass(frozen=True, slots=True)
class SeriesRef:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class PlanningRow:
    """One period as stored, for the planner: owing agencies' codes and the series' policy overrides."""

    period: Period
    agencies: tuple[str, ...]
    policy_overrides: dict[str, object] | None
    recurrence: str = ""  # the series' (Recurrence's value): daily and weekly reports are reminded their own way


@dataclass(frozen=True, slots=True)
class NewDelivery:
    """An outbox row to write (nothing is sent before it is committed)."""

    dedup_key: str
    account_id: int
    kind: DeliveryKind
    text: str
    priority: Priority
    notice_id: int | None = None
    choices: tuple[tuple[str, str], ...] = ()  # (label, choice token)
    period_id: int | None = None  # the period a reminder is about
    edit_of: int | None = None  # the delivery this one updates
    part: BundlePart | None = None  # its line when it leaves with others to the same person (issue 30)


@dataclass(frozen=True, slots=True)
class StoredDelivery:
    id: int
    dedup_key: str
    account_id: int
    kind: DeliveryKind
    text: str
    priority: Priority
    notice_id: int | None
    choices: tuple[tuple[str, str], ...]
    period_id: int | None = None
    part: BundlePart | None = None


@dataclass(frozen=True, slots=True)
class ClaimedDelivery:
    """A row claimed for sending, with where and in which language it goes."""

    id: int
    account_id: int
    platform: Platform
    chat_id: str
    text: str
    attempts: int
    choices: tuple[tuple[str, str], ...] = ()
    priority: Priority = Priority.NORMAL
    language: str = "vi"
    edit_message_id: str | None = None  # the platform's id of the message this row updates, once it was sent
    part: BundlePart | None = None  # a reminder that may leave in one message with the person's others
    period_id: int | None = None


@dataclass(frozen=True, slots=True)
class BundlePart:
    """A reminder as one numbered item of a message that carries everything due to one person at one moment.

    Rendered when the reminder is planned, in the person's language; the message is put together when it is
    claimed for sending, from the parts whose reports are still not confirmed at that instant.
    """

    group: str  # parts of one group go together: "focal" (reminders) or "leader" (escalations)
    agency: str  # the code of the agency the person works for
    to: str  # the person, as addressed ("Nguyễn Văn A, Chuyên viên Văn phòng Sở")
    agency_name: str
    line: str  # "Báo cáo quý I/2026 theo Kế hoạch số 08/KH-UBND …, hạn chót …"
    tag: str  # the short name on its "Đã nộp" button: "Quý I/2026 (KH 08/KH-UBND)"
    rank: int  # urgency: smaller goes first (most overdue, then due today, then fewest days left)
    via: str = ""  # who asks ("Sở Nội vụ")

    def as_json(self) -> dict[str, str | int]:
        return {
            "group": self.group,
            "agency": self.agency,
            "to": self.to,
            "agency_name": self.agency_name,
            "line": self.line,
            "tag": self.tag,
            "rank": self.rank,
            "via": self.via,
        }

    @classmethod
    def from_json(cls, raw: dict[str, object] | None) -> BundlePart | None:
        if not raw:
            return None
        return cls(
            str(raw["group"]),
            str(raw["agency"]),
            str(raw["to"]),
            str(raw["agency_name"]),
            str(raw["line"]),
            str(raw["tag"]),
            int(str(raw["rank"])),
            str(raw.get("via", "")),
        )


@dataclass(frozen=True, slots=True)
class ReminderCopy:
    """A reminder of a period as one person of the agency received it (the latest one per account)."""

    delivery_id: int
    account_id: int
    person_id: int
    text: str
    language: str
    dedup_key: str = ""
    had_choices: bool = False  # it carried the reminder's choices (a focal person's copy)
    bundled: bool = False  # it left as one item of a message with other reports: that message is not rewritten


@dataclass(frozen=True, slots=True)
class Reach:
    """Whether an agency's people were reminded of a period, and whether any of them saw a reminder."""

    reminded: bool
    seen: bool


@dataclass(frozen=True, slots=True)
class PersonListing:
    """A person as the dashboard's people page lists them."""

    person_id: int
    name: str
    title: str
    agency_code: str
    agency_name: str
    role: Role
    active: bool
    channels: tuple[str, ...]  # "telegram", "zalo (blocked the bot)"…
    erased: bool = False  # the person's data was erased on their request


@dataclass(frozen=True, slots=True)
class SetAside:
    """An incoming update given up after its attempts: which chat, when it came and was given up, and why."""

    id: int
    platform: str
    chat_id: str
    received_at: datetime
    set_aside_at: datetime
    error: str


@dataclass(frozen=True, slots=True)
class WaitingUpdate:
    """An incoming update recorded but not yet answered: its replies once the core gave them, and how many of
    those went out."""

    id: int
    chat_id: str
    body: dict[str, object]
    replies: tuple[dict[str, object], ...] | None
    sent: int
    attempts: int


@dataclass(frozen=True, slots=True)
class HeldAccount:
    """One chat account of a person, as /dulieu shows it."""

    platform: Platform
    language: str
    receives: bool  # reminders go here (the preferred account, else the oldest)
    active: bool
    blocked: bool  # the person blocked the bot on this app
    registered_at: datetime


@dataclass(frozen=True, slots=True)
class HeldSubmission:
    """A report the person confirmed as sent."""

    label: str  # the period, "Báo cáo tháng 4/2023"
    confirmed_at: datetime
    undone: bool


@dataclass(frozen=True, slots=True)
class PersonalData:
    """Everything the service holds about one person (Luật Bảo vệ dữ liệu cá nhân 2025: the right to see it)."""

    person_id: int
    name: str
    title: str
    agency_name: str
    role: Role
    active: bool
    registered_at: datetime
    accounts: tuple[HeldAccount, ...]
    messages_sent: int  # messages the outbox sent to the person's accounts
    messages_kept: int  # of those, how many still keep their text (older ones are cleared)
    messages_acknowledged: int
    submissions: tuple[HeldSubmission, ...]
    web_sign_ins: int
    files_sent: int = 0  # report files the person sent (the agency's documents: kept after an erasure)


@dataclass(frozen=True, slots=True)
class Erased:
    """What erasing a person's data changed (no erased value is kept here)."""

    person_id: int
    agency_code: str
    accounts: int  # chat accounts deactivated and their identifiers erased
    texts_cleared: int  # message texts cleared
    sessions_ended: int  # dashboard sessions signed out
    rows_rewritten: int  # other rows where the name was replaced by the placeholder


@dataclass(frozen=True, slots=True)
class ReportFile:
    """An agency's report file for a period, as stored (its content once per SHA-256)."""

    id: int
    agency_id: int
    period_id: int
    name: str
    kind: str  # core.filekinds.FileKind
    size: int
    sha256: str
    received_at: datetime
    received_by: str  # the sender's name as the database has it now ("" for the operator)
    via: str  # telegram, web, cli


@dataclass(frozen=True, slots=True)
class Unfetched:
    """A live confirmation made before report files were kept: the platform's reference to its file only."""

    submission_id: int
    agency_id: int
    period_id: int
    ref: str  # the platform's id of the file (Telegram's file_id)
    person_id: int | None
    platform: str  # where it was confirmed ("telegram", "zalo", "console", "cli")


@dataclass(frozen=True, slots=True)
class SentDetail:
    """Who confirmed an agency's live submission of a period, and the file it carries."""

    confirmed_by: str  # the person's name now ("" for the operator)
    file: ReportFile | None


@dataclass(frozen=True, slots=True)
class SubmissionDetail:
    """Who confirmed an agency's report for a period, when, how, and with which document number."""

    confirmed_at: datetime
    confirmed_by: str  # the person's name, "" when the operator recorded it
    via: str  # "telegram", "zalo", "console", "cli", "web"
    document_number: str | None
    file: ReportFile | None = None


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    """One message about a period to one of an agency's people, as the dashboard lists them."""

    kind: str
    status: str
    person: str
    platform: str
    created_at: datetime
    sent_at: datetime | None
    acknowledged_at: datetime | None
    attempts: int
    last_error: str | None


@dataclass(frozen=True, slots=True)
class OutboxFigures:
    """The outbox as the service's metrics show it."""

    by_status_kind: dict[tuple[str, str], int]  # (status, kind) → rows
    waiting: int  # pending or being sent
    oldest_waiting: datetime | None  # when the oldest of those was written


@dataclass(frozen=True, slots=True)
class CalendarDayInfo:
    """A stored calendar day: ``kind`` is "off", "workday" or "normal" (see ``core.planning.calendar.DayKind``)."""

    day: date
    kind: str
    reason: str
    source: str
    created_at: datetime
    created_by: str
