"""Who may open which page, declared once per route: sign-in, role, the CSRF token of forms, the size of a body,
and the one unit of work of the request.

A route of the dashboard is a ``Page``: its method, path, handler and ``Access``. ``Guard.endpoint`` turns it
into a Starlette endpoint that, in this order and before the body is read,

1. opens the request's unit of work and reads the viewer from the session cookie (401 when a signed-in page is
   asked without a session),
2. refuses a signed-in viewer without the role (403),
3. for a POST, refuses a body larger than the route allows (413) and a form without the session's CSRF token
   (403), reading the form only then,

and calls the handler with a ``Seen`` holding the viewer, the unit of work, the form and gettext in the
viewer's language. The handler calls its use-cases on that unit of work and commits if they wrote.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from python_multipart.multipart import parse_options_header
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Message

from core.deadlines import utcnow
from core.i18n import gettext_for
from core.repositories import UnitOfWork, UnitOfWorkFactory
from core.types import Role
from core.usecases import web_access
from core.usecases.web_access import Viewer
from web.session import Cookies, language

MAX_FORM = 64 * 1024  # bytes of an ordinary form (a notice is at most a few thousand characters)


class Access(enum.Enum):
    ANYONE = "anyone"  # the sign-in link, the signed-out page
    SIGNED_IN = "signed_in"  # any registered person: their own agency's figures, or everyone's for an admin
    ADMIN = "admin"  # Sở Nội vụ admins


@dataclass(frozen=True)
class Seen:
    """What a page handler is given: the request, who asks (None on an ``ANYONE`` page without a session), the
    request's unit of work, the checked form of a POST, and gettext in the viewer's language."""

    request: Request
    viewer: Viewer | None
    uow: UnitOfWork
    lang: str
    form: dict[str, str] = field(default_factory=dict)
    files: dict[str, UploadFile] = field(default_factory=dict)

    def t(self, message: str) -> str:
        return gettext_for(self.lang).gettext(message)

    @property
    def me(self) -> Viewer:
        assert self.viewer is not None, "a signed-in page"
        return self.viewer

    @property
    def is_admin(self) -> bool:
        return self.viewer is not None and self.viewer.account.role is Role.ADMIN


Handler = Callable[[Seen], Awaitable[Response]]
Refuse = Callable[[Request, Viewer | None, int, str], HTMLResponse]


@dataclass(frozen=True)
class Page:
    method: str
    path: str
    handler: Handler
    access: Access
    max_body: int = MAX_FORM  # POST only
    max_fields: int = 50  # POST only: a plan draft's form has a few fields for each task and series


class TooLarge(MultiPartException):
    """The body is larger than the route allows. A ``MultiPartException``, so that Starlette's multipart parser
    closes the temporary files of the parts it had begun; it then hands it on as a 400 ``HTTPException`` with
    this message."""

    MESSAGE = "body larger than the route allows"

    def __init__(self) -> None:
        super().__init__(self.MESSAGE)


class Torn(MultiPartException):
    """A multipart body that ended before its closing boundary: the upload broke off. Refused as a whole (Starlette
    would otherwise hand on the parts before the break, and leave the broken part's temporary file open)."""

    MESSAGE = "the body ended before its closing boundary"

    def __init__(self) -> None:
        super().__init__(self.MESSAGE)


def _bounded(request: Request, limit: int) -> Request:
    """The request, its body cut off with ``TooLarge`` once more than ``limit`` bytes have arrived (whatever the
    Content-Length said), and a multipart body that ends without its closing boundary refused with ``Torn``."""
    seen = 0
    _, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary") if request.headers.get("content-type", "").startswith("multipart/") else None
    closing = b"--" + boundary + b"--" if boundary else b""
    tail = b""

    async def receive() -> Message:
        nonlocal seen, tail
        message = await request.receive()
        body = message.get("body", b"")
        seen += len(body)
        if seen > limit:
            raise TooLarge()
        if closing:
            tail = (tail + body)[-(len(closing) + 4) :]
            if message["type"] == "http.disconnect" or (
                message["type"] == "http.request" and not message.get("more_body") and closing not in tail
            ):
                raise Torn()
        return message

    return Request(request.scope, receive)


class Guard:
    """Builds each route's endpoint around its handler (see the module's docstring)."""

    def __init__(self, uows: UnitOfWorkFactory, cookies: Cookies, refuse: Refuse) -> None:
        self.uows, self.cookies, self.refuse = uows, cookies, refuse

    def endpoint(self, page: Page) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            async with self.uows() as uow:
                viewer = await web_access.viewer(uow, self.cookies.token(request), utcnow())
                lang = language(request, viewer)
                t = gettext_for(lang).gettext
                if viewer is None and page.access is not Access.ANYONE:
                    message = t("Please sign in: type /web to the bot for a sign-in link.")
                    return self.refuse(request, None, 401, message)
                if page.access is Access.ADMIN and (viewer is None or viewer.account.role is not Role.ADMIN):
                    return self.refuse(request, viewer, 403, t("This page is for Sở Nội vụ admins only."))
                if page.method != "POST":
                    return await page.handler(Seen(request, viewer, uow, lang))
                declared = request.headers.get("content-length", "")
                if declared and (not (declared.isascii() and declared.isdigit()) or int(declared) > page.max_body):
                    return self.refuse(request, viewer, 413, t("The file or form is too large."))
                try:
                    form = await _bounded(request, page.max_body).form(max_files=1, max_fields=page.max_fields)
                except TooLarge:
                    return self.refuse(request, viewer, 413, t("The file or form is too large."))
                except HTTPException as exc:  # how Starlette hands on a multipart refusal, ours included
                    if exc.detail == TooLarge.MESSAGE:
                        return self.refuse(request, viewer, 413, t("The file or form is too large."))
                    if exc.detail == Torn.MESSAGE:
                        message = t("No file was received (the upload may have broken off). Please send it again.")
                        return self.refuse(request, viewer, 400, message)
                    return self.refuse(request, viewer, 400, t("Refused."))
                except (MultiPartException, ValueError):  # python-multipart's parse errors are ValueErrors
                    return self.refuse(request, viewer, 400, t("Refused."))
                try:
                    if viewer is None or not viewer.csrf_ok(_text(form, "csrf")):
                        return self.refuse(request, viewer, 403, t("Refused."))
                    fields = {k: v for k, v in form.items() if isinstance(v, str)}
                    files = {k: v for k, v in form.items() if isinstance(v, UploadFile)}
                    return await page.handler(Seen(request, viewer, uow, lang, fields, files))
                finally:
                    await form.close()  # the uploaded files' temporary storage

        endpoint.__name__ = getattr(page.handler, "__name__", "page")
        return endpoint


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


_UNSAFE = re.compile(r"[\\\x00-\x20\x7f]")  # backslashes and controls: browsers read "/\x" and "/\tx" as "//x"


def same_site(target: str | None, default: str = "/") -> str:
    """``target`` when it is a path of this site ("/xu-huong?plan=…"); else ``default``. Never another host:
    "//evil.example", "/\\evil.example", "https://evil.example" and "javascript:…" all give ``default``."""
    if not target or _UNSAFE.search(target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return default
    return target


MAX_ID = 2_147_483_647  # the largest row id the databases hold (PostgreSQL's integer): a longer number is no row


def bounded(text: object, low: int = 1, high: int = MAX_ID) -> int | None:
    """A number typed into an address or a form, if it is one within [low, high]; else None (never a 500 from a
    number the database cannot hold: issue 24, finding 8)."""
    value = str(text or "").strip()
    # ASCII digits only: "²".isdigit() is true and int("²") raises; int("١٢") is 12 (issue 28, finding 8).
    if not (value.isascii() and value.isdigit()) or len(value) > len(str(high)):
        return None
    number = int(value)
    return number if low <= number <= high else None
