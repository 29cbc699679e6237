"""The one command registry: names, aliases, plain-word phrases, who may use it, help line, menu.

The parser (aliases, phrases typed as words on Zalo), the help text, the dispatcher and the Telegram
menus (per language and role scope) are all derived from ``COMMANDS``; nothing lists commands again.
Each command's handler is attached to a feature's ``Router`` (``core.conversation.router``); building the
registry from the routers refuses a command without one.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.i18n import N_

if TYPE_CHECKING:
    pass


class Access(enum.Enum):
    ANYONE = 0  # even unregistered
    MEMBER = 1  # any registered person
    SUBMITTER = 2  # focal person, leader or admin of the agency
    ADMIN = 3  # Sở Nội vụ admin


class Menu(enum.Enum):
    NONE = "none"  # typed, never listed in a menu
    EVERYONE = "everyone"  # every chat's menu (and the admins')
    ADMIN = "admin"  # admins' chats only


@dataclass(frozen=True, slots=True)
class CommandSpec:
    name: str  # the Vietnamese command, without the slash
    access: Access
    help: str  # the help line (a message id), "" for none
    menu: Menu = Menu.NONE
    menu_text: str = ""  # the short menu description (a message id)
    aliases: tuple[str, ...] = ()  # English and other spellings (lower case, no slash)
    phrases: tuple[str, ...] = ()  # plain words, folded (no diacritics, lower case)


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "nhiemvu",
        Access.MEMBER,
        N_("/nhiemvu — the tasks the plan assigns to your agency"),
        Menu.EVERYONE,
        N_("Tasks the plan assigns to my agency"),
        ("tasks",),
        ("nhiem vu",),
    ),
    CommandSpec(
        "hanbaocao",
        Access.MEMBER,
        N_("/hanbaocao — report deadlines and what your agency has sent"),
        Menu.EVERYONE,
        N_("Report deadlines and status"),
        ("deadlines",),
        ("han bao cao", "han nop"),
    ),
    CommandSpec(
        "tuannay",
        Access.MEMBER,
        N_("/tuannay — what your agency must send this week, and what is overdue"),
        Menu.EVERYONE,
        N_("This week's reports"),
        ("week",),
        ("tuan nay",),
    ),
    CommandSpec(
        "danop",
        Access.SUBMITTER,
        N_("/danop — confirm that a report has been sent"),
        Menu.EVERYONE,
        N_("Confirm a report has been sent"),
        ("submit",),
        ("da nop", "nop bao cao"),
    ),
    CommandSpec(
        "huynop",
        Access.SUBMITTER,
        N_("/huynop — undo a confirmation (within 24 hours)"),
        Menu.EVERYONE,
        N_("Undo a confirmation (24 hours)"),
        ("undo",),
        ("huy nop",),
    ),
    CommandSpec(
        "trangthai",
        Access.MEMBER,
        N_("/trangthai — your agency's reporting history"),
        Menu.EVERYONE,
        N_("My agency's reporting history"),
        ("status",),
        ("trang thai",),
    ),
    CommandSpec(
        "ngonngu",
        Access.MEMBER,
        N_("/ngonngu — Tiếng Việt / English"),
        Menu.EVERYONE,
        N_("Language"),
        ("language",),
        ("ngon ngu",),
    ),
    CommandSpec(
        "kenh",
        Access.MEMBER,
        N_("/kenh — Telegram or Zalo for reminders"),
        Menu.EVERYONE,
        N_("Telegram or Zalo for reminders"),
        ("channel",),
        ("kenh",),
    ),
    CommandSpec(
        "lienket",
        Access.MEMBER,
        N_("/lienket — add the other app (Telegram or Zalo)"),
        Menu.EVERYONE,
        N_("Add the other app (Telegram or Zalo)"),
        ("link",),
        ("lien ket",),
    ),
    CommandSpec(
        "web",
        Access.MEMBER,
        N_("/web — a sign-in link to the web dashboard (valid 10 minutes)"),
        Menu.EVERYONE,
        N_("Sign in to the web dashboard"),
        ("dashboard",),
        ("trang web", "dang nhap web"),
    ),
    CommandSpec(
        "dulieu",
        Access.MEMBER,
        N_("/dulieu — see the personal data held about you"),
        Menu.EVERYONE,
        N_("My personal data"),
        ("mydata",),
        ("du lieu", "du lieu ca nhan"),
    ),
    CommandSpec(
        "xoadulieu",
        Access.MEMBER,
        N_("/xoadulieu — erase your personal data (you will stop receiving reminders)"),
        Menu.NONE,
        aliases=("erasemydata",),
        phrases=("xoa du lieu",),
    ),
    CommandSpec("huy", Access.MEMBER, N_("/huy — cancel what you are doing"), aliases=("cancel",), phrases=("huy",)),
    CommandSpec(
        "huongdan",
        Access.ANYONE,
        "",
        Menu.EVERYONE,
        N_("Help"),
        ("help",),
        ("huong dan", "tro giup"),
    ),
    CommandSpec("dangky", Access.ANYONE, "", aliases=("register",), phrases=("dang ky",)),
    CommandSpec("start", Access.ANYONE, "", phrases=("start",)),
    CommandSpec(
        "tonghop",
        Access.ADMIN,
        N_("/tonghop [period] — who has and has not reported"),
        Menu.ADMIN,
        N_("Who has and has not reported"),
        ("overview",),
        ("tong hop",),
    ),
    CommandSpec(
        "nhacnho",
        Access.ADMIN,
        N_("/nhacnho [period] — remind the agencies that have not reported, now"),
        Menu.ADMIN,
        N_("Remind the agencies that have not reported"),
        ("nudge",),
        ("nhac nho",),
    ),
    CommandSpec(
        "thongbao",
        Access.ADMIN,
        N_("/thongbao — send a notice"),
        Menu.ADMIN,
        N_("Send a notice"),
        ("broadcast",),
        ("thong bao",),
    ),
    CommandSpec(
        "thongbao_ds",
        Access.ADMIN,
        N_("/thongbao_ds — notices and who received them"),
        Menu.ADMIN,
        N_("Notices and who received them"),
        ("notices",),
        ("thong bao ds", "danh sach thong bao"),
    ),
    CommandSpec(
        "dotxuat",
        Access.ADMIN,
        N_("/dotxuat — request an ad-hoc report"),
        Menu.ADMIN,
        N_("Request an ad-hoc report"),
        ("adhoc",),
        ("dot xuat", "bao cao dot xuat"),
    ),
    CommandSpec(
        "xuat",
        Access.ADMIN,
        N_("/xuat [period] — Excel workbook of compliance"),
        Menu.ADMIN,
        N_("Excel workbook of compliance"),
        ("export",),
        ("xuat excel", "xuat"),
    ),
    CommandSpec(
        "moi",
        Access.ADMIN,
        N_("/moi CODE [ROLE] [Full name, position] — create a registration code for a person"),
        Menu.ADMIN,
        N_("Create a registration code"),
        ("invite",),
        ("moi",),
    ),
)

BY_NAME: dict[str, CommandSpec] = {c.name: c for c in COMMANDS}
ALIASES: dict[str, str] = {alias: c.name for c in COMMANDS for alias in c.aliases}
# Longest phrase first, so "thong bao ds" wins over "thong bao".
PHRASES: dict[str, str] = dict(
    sorted(((p, c.name) for c in COMMANDS for p in c.phrases), key=lambda kv: -len(kv[0].split()))
)


def menu_commands(admin: bool) -> list[CommandSpec]:
    """The commands a menu lists: everyone's, plus the admins' in an admin's chat."""
    scopes = (Menu.EVERYONE, Menu.ADMIN) if admin else (Menu.EVERYONE,)
    return [c for c in COMMANDS if c.menu in scopes]
