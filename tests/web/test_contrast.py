"""The dashboard's colours: every rule of the stylesheet that sets both a text colour and a fill passes WCAG AA
(a contrast of at least 4.5:1), and the statuses are never told by colour alone (their templates add a
symbol and a word; tests/web/test_browser.py reads them)."""

from __future__ import annotations

import re
from pathlib import Path

STYLE = Path(__file__).resolve().parents[2] / "web" / "static" / "style.css"
RULE = re.compile(r"([^{}]+)\{([^}]*)\}")


def _luminance(colour: str) -> float:
    h = colour.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    channels = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_every_coloured_rule_is_readable() -> None:
    checked = {}
    for selector, body in RULE.findall(STYLE.read_text(encoding="utf-8")):
        fill = re.search(r"background:\s*(#[0-9a-fA-F]{3,6})\b", body)
        ink = re.search(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{3,6})\b", body)
        if fill and ink:
            checked[selector.strip()] = contrast(ink.group(1), fill.group(1))
    assert {".on-time", ".late", ".missing", ".not-due"} <= set(checked), checked
    assert all(ratio >= 4.5 for ratio in checked.values()), checked


def test_the_contrast_formula() -> None:
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast("#777777", "#ffffff"), 2) == 4.48  # the classic grey that just fails AA
