"""Text as a platform may deliver it, made safe to keep and to send: a message cut inside an emoji carries a lone
surrogate (half of a UTF-16 pair), which no UTF-8 encoder takes (issue 28, finding 4: a reply echoing it failed to
encode for ever, and the chat behind it waited)."""

from __future__ import annotations

import re
from typing import Any

LONE_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"  # what a decoder shows for what it cannot read: "�"


def clean(text: str) -> str:
    """``text`` with every lone surrogate replaced by U+FFFD."""
    return LONE_SURROGATE.sub(REPLACEMENT, text)


def cleaned(value: Any) -> Any:
    """A JSON value with every string (keys included) cleaned."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, list):
        return [cleaned(v) for v in value]
    if isinstance(value, dict):
        return {cleaned(k) if isinstance(k, str) else k: cleaned(v) for k, v in value.items()}
    return value
