"""The dashboard's browser session: a signed, HttpOnly, SameSite=Lax cookie holding the session token, the
viewer read from the database on every request (``core.usecases.web_access``), and the CSRF check of forms."""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeSerializer
from starlette.requests import Request
from starlette.responses import Response

from core.deadlines import utcnow
from core.repositories import UnitOfWorkFactory
from core.usecases import web_access
from core.usecases.web_access import SESSION_TTL, Viewer

COOKIE = "nhacviec_session"
LANG_COOKIE = "nhacviec_lang"


@dataclass(frozen=True)
class Cookies:
    """Signs and reads the session cookie (the key comes from WEB_SECRET_KEY)."""

    secret: str
    secure: bool = False  # set behind HTTPS: the cookie then never travels in clear

    @property
    def _signer(self) -> URLSafeSerializer:
        return URLSafeSerializer(self.secret, salt="nhacviec-session")

    def token(self, request: Request) -> str | None:
        raw = request.cookies.get(COOKIE)
        if not raw:
            return None
        try:
            value = self._signer.loads(raw)
        except BadSignature:
            return None
        return value if isinstance(value, str) else None

    def set(self, response: Response, session: str) -> None:
        response.set_cookie(
            COOKIE,
            self._signer.dumps(session),
            max_age=int(SESSION_TTL.total_seconds()),
            httponly=True,
            samesite="lax",
            secure=self.secure,
            path="/",
        )

    def clear(self, response: Response) -> None:
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax", secure=self.secure)


async def current_viewer(uows: UnitOfWorkFactory, cookies: Cookies, request: Request) -> Viewer | None:
    async with uows() as uow:
        return await web_access.viewer(uow, cookies.token(request), utcnow())


def language(request: Request, viewer: Viewer | None) -> str:
    """The English switch (a cookie) wins; else the person's chat language; else Vietnamese."""
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in ("vi", "en"):
        return chosen
    return viewer.account.language if viewer is not None else "vi"


async def form_fields(request: Request) -> dict[str, str]:
    """A posted form's text fields (a file posted where none is expected is dropped, and closed)."""
    async with request.form() as form:
        return {k: v for k, v in form.items() if isinstance(v, str)}
