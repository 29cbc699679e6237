"""The dashboard's browser session: a signed, HttpOnly, SameSite=Lax cookie holding the session token (the viewer
is read from the database on every request by ``web.guard``), and the language the pages are shown in."""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeSerializer
from starlette.requests import Request
from starlette.responses import Response

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


def language(request: Request, viewer: Viewer | None) -> str:
    """The English switch (a cookie) wins; else the person's chat language; else Vietnamese."""
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in ("vi", "en"):
        return chosen
    return viewer.account.language if viewer is not None else "vi"
