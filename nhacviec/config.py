"""Settings from the environment and `.env` (pydantic-settings). Secrets are SecretStr: never printed."""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

from models.db import DEFAULT_URL as DEFAULT_DB

MIN_WEB_SECRET = 32  # characters: the key signs every dashboard session
PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "your-token-here", "123456:ABC"}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    env: str = Field(default="development", description="development | production")
    database_url: str = DEFAULT_DB
    database_schema: str | None = None
    log_level: str = "INFO"

    # The service's one HTTP server: webhooks, /healthz, /readyz, /metrics. Port 0 picks a free port;
    # an empty HTTP_PORT runs without it (no webhooks then).
    http_host: str = "127.0.0.1"
    http_port: int | None = Field(default=8080, ge=0, le=65535)
    # The dashboard: the address people open (sign-in links point there) and the key that signs its cookies.
    # Every instance needs the same key; without one (development only) a random key is made at each start.
    web_base_url: str | None = None
    web_secret_key: SecretStr | None = None
    # Seconds between the instances' checks of who leads (PostgreSQL; failover within about twice this).
    leader_check_seconds: float = Field(default=5.0, gt=0, le=30)

    telegram_bot_token: SecretStr | None = None
    telegram_bot_username: str | None = None
    telegram_api_base_url: str | None = None
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: SecretStr | None = None

    zalo_bot_token: SecretStr | None = None
    zalo_api_base_url: str | None = None
    zalo_webhook_url: str | None = None
    zalo_webhook_secret: SecretStr | None = None
    zalo_monthly_quota: int = Field(default=3000, ge=1)

    # Outbox pacing: messages a second per bot, and sends in flight per platform (see bench/RESULTS.md).
    telegram_send_rate: float = Field(default=29.0, gt=0, le=30)
    zalo_send_rate: float = Field(default=5.0, gt=0)
    outbox_concurrency: int = Field(default=8, ge=1, le=64)

    reminder_send_time: time = time(8, 0)
    reminder_offsets_days: list[int] = Field(default_factory=lambda: [7, 3, 1, 0])
    working_hours_start: time = time(7, 30)
    working_hours_end: time = time(17, 0)
    overdue_every_working_days: int = 2
    overdue_max_reminders: int = 3
    escalate_after_working_days: int = 3
    # Off by default: at this time of the deadline day, an agency where nobody has seen a reminder nor sent
    # the report gets one message to its leaders.
    leader_unseen_time: time | None = None
    missed_grace_hours: float = 24.0
    calendar_file: Path | None = None
    # A deadline that falls on a weekend or a holiday: "next_working_day" (the law's rule, Bộ luật Dân sự 2015,
    # Điều 148 khoản 5: the time runs to the end of the next working day) or "as_written".
    deadline_on_day_off: Literal["next_working_day", "as_written"] = "next_working_day"

    invite_default_days: int = 7
    group_invite_days: int = Field(default=30, ge=1, le=366)  # a group's codes, sent with an official letter
    # The agency that receives and compiles the reports; admin codes are for its people only.
    admin_agency: str = Field(default="SNV", pattern=r"^[A-Z][A-Z0-9-]{1,31}$")
    # Personal data (Luật Bảo vệ dữ liệu cá nhân 2025): the body that processes it, as the registration notice
    # names it (unset: the admin agency's name, "Sở Nội vụ"); how long message texts and the audit log are kept.
    data_controller: str = Field(default="", max_length=200)
    message_text_retention_days: int = Field(default=180, ge=1, le=3650)
    # Report files (issue 32): the largest accepted, and where their content is kept (unset: in the database).
    report_file_max_mb: int = Field(default=20, ge=1, le=200)
    report_files_dir: Path | None = None
    audit_retention_years: int = Field(default=5, ge=1, le=50)
    # The reverse proxies whose X-Forwarded-For names the client (comma-separated addresses or networks; "" none).
    forwarded_allow_ips: str = Field(default="", max_length=1000)
    # Reading an uploaded plan document happens in a child process with these limits.
    reader_seconds: float = Field(default=30.0, ge=1, le=600)
    reader_memory_mb: int = Field(default=1024, ge=256, le=65536)

    @field_validator(
        "database_schema",
        "telegram_bot_token",
        "telegram_bot_username",
        "telegram_api_base_url",
        "telegram_webhook_url",
        "telegram_webhook_secret",
        "zalo_bot_token",
        "zalo_api_base_url",
        "zalo_webhook_url",
        "zalo_webhook_secret",
        "calendar_file",
        "report_files_dir",
        "leader_unseen_time",
        "http_port",
        "web_base_url",
        "web_secret_key",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, v: object) -> object:
        """`KEY=` in .env (as .env.example has it) means "not set", not an empty path or token."""
        return None if isinstance(v, str) and not v.strip() else v

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _telegram_secret(cls, v: SecretStr | None) -> SecretStr | None:
        """Telegram's secret_token: 1-256 characters of A-Z, a-z, 0-9, _ and - (Bot API, setWebhook)."""
        if v is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", v.get_secret_value()):
            raise ValueError("TELEGRAM_WEBHOOK_SECRET must be 1 to 256 characters of A-Z, a-z, 0-9, _ and -")
        return v

    @field_validator("zalo_webhook_secret")
    @classmethod
    def _zalo_secret(cls, v: SecretStr | None) -> SecretStr | None:
        """Zalo's secret_token: 8-256 characters (Zalo Bot API, setWebhook); shorter is also too easy to guess, and
        the log mask would star every occurrence of a one-letter secret."""
        if v is not None and not 8 <= len(v.get_secret_value()) <= 256:
            raise ValueError("ZALO_WEBHOOK_SECRET must be 8 to 256 characters")
        return v

    @field_validator("database_schema")
    @classmethod
    def _schema(cls, v: str | None) -> str | None:
        if v and not v.replace("_", "").isalnum():
            raise ValueError("DATABASE_SCHEMA must be letters, digits and '_'")
        return v or None

    @model_validator(mode="after")
    def _no_placeholder_in_production(self) -> Settings:
        if self.env == "production":
            if self.http_port is not None and self.web_secret_key is None:
                raise ValueError("WEB_SECRET_KEY is required in production (the dashboard signs its cookies with it)")
            for name in (
                "telegram_bot_token",
                "telegram_webhook_secret",
                "zalo_bot_token",
                "zalo_webhook_secret",
                "web_secret_key",
            ):
                value: SecretStr | None = getattr(self, name)
                if value is not None and value.get_secret_value().strip() in PLACEHOLDER_SECRETS:
                    raise ValueError(f"{name.upper()} holds a placeholder value; set the real secret")
            key = self.web_secret_key.get_secret_value() if self.web_secret_key else None
            if key is not None and len(key.strip()) < MIN_WEB_SECRET:
                raise ValueError(
                    f"WEB_SECRET_KEY must be at least {MIN_WEB_SECRET} characters in production "
                    "(for example: python3 -c 'import secrets; print(secrets.token_urlsafe(48))')"
                )
        return self

    @model_validator(mode="after")
    def _webhooks_need_the_server(self) -> Settings:
        for platform, url, secret in (
            ("TELEGRAM", self.telegram_webhook_url, self.telegram_webhook_secret),
            ("ZALO", self.zalo_webhook_url, self.zalo_webhook_secret),
        ):
            if url and secret is None:
                raise ValueError(f"{platform}_WEBHOOK_SECRET is required with {platform}_WEBHOOK_URL")
            if url and self.http_port is None:
                raise ValueError(f"{platform}_WEBHOOK_URL needs the HTTP server: set HTTP_PORT")
        return self

    def secrets(self) -> list[str]:
        """Every secret value, for masking in logs."""
        values = [
            v.get_secret_value()
            for v in (
                self.telegram_bot_token,
                self.telegram_webhook_secret,
                self.zalo_bot_token,
                self.zalo_webhook_secret,
                self.web_secret_key,
            )
            if v
        ]
        password = make_url(self.database_url).password if "://" in self.database_url else None
        return [v for v in (*values, password) if v]

    @property
    def dashboard_url(self) -> str:
        """Where people open the dashboard (WEB_BASE_URL, else this machine's HTTP server)."""
        if self.web_base_url:
            return self.web_base_url.rstrip("/")
        return f"http://{self.http_host}:{self.http_port or 8080}"

    @property
    def zalo_configured(self) -> bool:
        return self.zalo_bot_token is not None and bool(self.zalo_bot_token.get_secret_value().strip())

    @property
    def telegram_configured(self) -> bool:
        return self.telegram_bot_token is not None and bool(self.telegram_bot_token.get_secret_value().strip())


def load_settings() -> Settings:
    return Settings()
