"""Typed refusals of the use-cases. Faces turn each into a polite sentence; nothing was written."""

from __future__ import annotations


class DomainError(Exception):
    """A use-case refused; the class says why. Raised before anything is written."""


class NotAllowed(DomainError):
    """The actor's role (read from the database now) does not permit this."""


class AgencyUnknown(DomainError):
    pass


class PeriodUnknown(DomainError):
    pass


class PeriodAmbiguous(DomainError):
    """Several plans have a period of that name; ``options`` are their qualified names, ``named`` the same periods as
    a person reads them: (label, plan number)."""

    def __init__(self, options: list[str], named: list[tuple[str, str]] | None = None) -> None:
        super().__init__(", ".join(options))
        self.options = options
        self.named = named or [(o, "") for o in options]


class InviteUnknown(DomainError):
    pass


class InviteUsed(DomainError):
    pass


class InviteExpired(DomainError):
    pass


class AlreadyRegistered(DomainError):
    """This chat account is registered already."""


class ChoiceUnknown(DomainError):
    pass


class ChoiceExpired(DomainError):
    pass


class ChoiceUsed(DomainError):
    pass


class ChoiceNotYours(DomainError):
    pass


class NotOwed(DomainError):
    """The agency does not owe this period."""


class AlreadySubmitted(DomainError):
    pass


class NothingToUndo(DomainError):
    pass


class UndoTooLate(DomainError):
    pass


class NoAdhocSeries(DomainError):
    """No imported plan has an ad-hoc report series."""


class AdminElsewhere(DomainError):
    """An admin code for an agency other than the one that receives and compiles the reports."""


class TooManyAttempts(DomainError):
    """Too many wrong registration codes from this chat account lately; the detail is the wait in minutes."""


class LinkSamePlatform(DomainError):
    """A link code (/lienket) redeemed on the platform the person already uses."""


class ConsoleAccountEnded(DomainError):
    """The operator's console account for that agency and role was deactivated on the dashboard: it is not
    brought back behind the admins' backs."""


class PersonUnknown(DomainError):
    """No person with this id."""


class ProvinceUnknown(DomainError):
    """None of the 34 provinces has that name."""


class LineageError(DomainError):
    """An agency change that cannot be applied (the detail says why, in Vietnamese and English)."""


class CalendarError(DomainError):
    """A calendar change that cannot be applied (the detail says why, in Vietnamese and English)."""


class LinkRefused(DomainError):
    """A dashboard sign-in link that is unknown, used already or expired."""


class SignInThrottled(DomainError):
    """Too many refused sign-in links from one address lately: links are not even looked at for a while."""


class NoticeRefused(DomainError):
    """A notice that may not be sent as it is: ``empty``, ``too_long`` (more than ``limit`` characters),
    ``unknown`` agency codes (``codes``), or ``no_audience``. Every problem is listed at once."""

    def __init__(self, empty: bool, too_long: bool, limit: int, unknown: tuple[str, ...], no_audience: bool) -> None:
        super().__init__(
            ", ".join(
                name
                for name, found in (
                    ("empty", empty),
                    ("too_long", too_long),
                    ("unknown", unknown),
                    ("no_audience", no_audience),
                )
                if found
            )
        )
        self.empty, self.too_long, self.limit, self.unknown, self.no_audience = (
            empty,
            too_long,
            limit,
            unknown,
            no_audience,
        )


class AdhocDeadlineRefused(DomainError):
    """An ad-hoc request's deadline that cannot be used: ``reason`` is "unreadable" (the phrase names no day),
    "past" (before today) or "too_far" (more than a year ahead)."""

    def __init__(self, reason: str, phrase: str = "") -> None:
        super().__init__(f"{reason}: {phrase}")
        self.reason, self.phrase = reason, phrase


class AdhocRefused(DomainError):
    """An ad-hoc request that may not be sent as it is; every problem at once (``deadline``: why its deadline
    cannot be used, if it cannot)."""

    def __init__(
        self,
        no_title: bool,
        title_too_long: bool,
        unknown: tuple[str, ...],
        no_audience: bool,
        deadline: AdhocDeadlineRefused | None,
    ) -> None:
        super().__init__("ad-hoc request refused")
        self.no_title, self.title_too_long, self.unknown = no_title, title_too_long, unknown
        self.no_audience, self.deadline = no_audience, deadline


class DraftUnknown(DomainError):
    """No plan draft, or plan, of that id."""


class DraftStale(DomainError):
    """The draft was saved by someone else since the form was opened; nothing was saved (issue 28, finding 14)."""


class DraftRefused(DomainError):
    """A draft that cannot be imported as it is; ``problems`` say why (the plan file's own words)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class FileRefused(DomainError):
    """A report file that is not kept: ``reason`` is "empty", "too_large" (``limit`` is the MB allowed), "kind" (not
    an accepted type by its content) or "too_many" (``limit`` is the files allowed). Raised before anything is
    stored."""

    def __init__(self, reason: str, limit: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.limit = limit


class FileUnknown(DomainError):
    """No such report file (or its content is gone from the files' directory)."""
