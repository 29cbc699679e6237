"""Logging set-up that never lets a secret through: secrets are masked in every record."""

from __future__ import annotations

import logging

MASK = "***"


def secret_parts(secrets: list[str]) -> list[str]:
    """What to hide: each secret and, for a bot token, its secret half; longest first."""
    parts = set()
    for s in secrets:
        if s:
            parts.add(s)
            if ":" in s and len(s.split(":", 1)[1]) >= 8:
                parts.add(s.split(":", 1)[1])  # "123:ABC" tokens: the part after the colon is the secret
    return sorted(parts, key=len, reverse=True)


def mask(text: str, secrets: list[str]) -> str:
    """``text`` with every secret replaced by ***."""
    for s in secret_parts(secrets):
        text = text.replace(s, MASK)
    return text


class SecretMaskingFilter(logging.Filter):
    """Replaces each secret (and, for a bot token, its secret half) with *** in the formatted message."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = secret_parts(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        message = record.getMessage()
        masked = message
        for s in self.secrets:
            masked = masked.replace(s, MASK)
        if record.exc_info and record.exc_info[1] is not None:
            text = logging.Formatter().formatException(record.exc_info)
            for s in self.secrets:
                text = text.replace(s, MASK)
            record.exc_text = text
            record.exc_info = None
        if masked != message:
            record.msg, record.args = masked, None
        return True


def configure_logging(level: str, secrets: list[str]) -> None:
    """Root logging to stderr, secrets masked; httpx's per-request lines (URLs carry bot tokens) kept quiet."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(SecretMaskingFilter(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("httpx", "httpcore", "apscheduler.executors.default"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
