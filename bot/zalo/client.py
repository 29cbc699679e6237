"""A small typed client of the Zalo Bot API on httpx: one attempt per call.

Written here rather than taking python-zalo-bot: the API is six JSON calls, and we need control over
what errors say — the token sits in the URL path, so no exception or log line may carry the URL.
It does not retry: whoever called retries once, in one layer (the outbox for messages it sends, the poller
for updates, the bot for a direct reply), so failures never multiply.
"""

from __future__ import annotations

from typing import Any

import httpx

DEFAULT_BASE_URL = "https://bot-api.zaloplatforms.com"


class ZaloError(Exception):
    """The API said no (``code`` 400, 401, 403, 404, 429…) or could not be reached (``code`` 0)."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(f"Zalo Bot API error {code}: {description}")
        self.code = code
        self.description = description


class ZaloClient:
    def __init__(self, token: str, base_url: str | None = None, http: httpx.AsyncClient | None = None) -> None:
        self._token = token
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self._http = http or httpx.AsyncClient(timeout=httpx.Timeout(10.0, read=45.0))

    def __repr__(self) -> str:  # never show the token
        return f"ZaloClient(base_url={self.base_url!r})"

    async def close(self) -> None:
        await self._http.aclose()

    async def call(self, method: str, payload: dict[str, Any] | None = None) -> Any:
        """POST one method once; returns ``result``.

        Raises:
            ZaloError: the API said no (its code: 400, 401, 403, 404, 429…), a server error (5xx), no answer
                (``code`` 0), or an idle long poll (408).
        """
        try:
            resp = await self._http.post(f"{self.base_url}/bot{self._token}/{method}", json=payload or {})
        except httpx.TimeoutException as exc:
            if method == "getUpdates":
                raise ZaloError(408, "poll timed out") from None
            raise ZaloError(0, f"timeout ({type(exc).__name__})") from None
        except httpx.TransportError as exc:
            raise ZaloError(0, f"network error ({type(exc).__name__})") from None
        if resp.status_code >= 500:
            raise ZaloError(resp.status_code, "server error")
        try:
            data = resp.json()
        except ValueError:
            raise ZaloError(resp.status_code, "the answer was not JSON") from None
        if resp.status_code == 408 or (isinstance(data, dict) and data.get("error_code") == 408):
            raise ZaloError(408, "no update (idle poll)")
        if not isinstance(data, dict) or not data.get("ok"):
            code = int(data.get("error_code") or resp.status_code) if isinstance(data, dict) else resp.status_code
            description = str(data.get("description", "")) if isinstance(data, dict) else ""
            raise ZaloError(code, description.replace(self._token, "***"))
        return data.get("result")

    async def get_update(self, timeout: int = 30) -> dict[str, Any] | None:
        """One update, or None after an idle long poll (HTTP 408)."""
        try:
            result = await self.call("getUpdates", {"timeout": str(timeout)})
        except ZaloError as exc:
            if exc.code == 408:
                return None
            raise
        return dict(result) if result else None

    async def send_message(self, chat_id: str, text: str) -> str:
        result = await self.call("sendMessage", {"chat_id": chat_id, "text": text})
        return str((result or {}).get("message_id", ""))

    async def set_webhook(self, url: str, secret_token: str) -> None:
        await self.call("setWebhook", {"url": url, "secret_token": secret_token})

    async def delete_webhook(self) -> None:
        await self.call("deleteWebhook")
