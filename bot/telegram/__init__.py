"""The Telegram channel (python-telegram-bot 22): updates in, the core's replies out."""

import os

# Opt in to PTB's announced behaviour (durations as timedelta, e.g. RetryAfter.retry_after) rather than
# meet a deprecation warning on every rate limit. Set before any telegram import reads it.
os.environ.setdefault("PTB_TIMEDELTA", "1")
