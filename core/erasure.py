"""Finding an erased person's name in text: as a whole name, in any case, Unicode form or spacing, and only when
the name can be told apart from the registry's own words.

A person may be registered under any nickname ("Minh Xuân", "Ủy ban nhân dân", "Sở Tư pháp"). Replacing such a
name wherever it is written would rename agencies and plans; so a name that is part of an agency's name (of any
time), a plan, a task or a series, or that another person also bears, is erased from the person's own rows only
and never searched for in others' text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from core.vietnamese import folded


def _words(text: str) -> str:
    return f" {folded(text)} "


def searchable(name: str, protected: Iterable[str]) -> bool:
    """Whether ``name`` may be looked for in others' text: a name of two words or more, at least six letters,
    that is not (as whole words) a part of any ``protected`` phrase (agency names, plan titles, other people's
    names). A single word ("An") or a registry phrase ("Sở Tư pháp", "Minh Xuân" of phường Minh Xuân) would also
    match what is not the person."""
    wanted = folded(name)
    if len(wanted.split()) < 2 or len(wanted.replace(" ", "")) < 6:
        return False
    needle = f" {wanted} "
    return not any(needle in _words(phrase) for phrase in protected)


def pattern(name: str) -> re.Pattern[str]:
    """The name as whole words (not inside a longer word: "Nguyễn Văn An" is not in "Nguyễn Văn Anh"), any case,
    any spacing between its words; applied to NFC text."""
    words = [re.escape(w) for w in unicodedata.normalize("NFC", name).split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


def replaced_text(text: str, name: re.Pattern[str], placeholder: str) -> str | None:
    """``text`` with every occurrence of the name replaced, or None when it holds none (the row is left as it
    is). A text that holds the name in another Unicode form is written back in NFC."""
    if not text:
        return None
    composed = unicodedata.normalize("NFC", text)
    result, count = name.subn(placeholder, composed)
    return result if count else None


def replaced_value(value: Any, name: re.Pattern[str], placeholder: str) -> Any | None:
    """A JSON value (strings, lists, objects, in any depth) with the name replaced in every string, keys included;
    None when nothing held it."""
    if isinstance(value, str):
        return replaced_text(value, name, placeholder)
    if isinstance(value, list):
        items = [replaced_value(v, name, placeholder) for v in value]
        if all(i is None for i in items):
            return None
        return [v if i is None else i for v, i in zip(value, items, strict=True)]
    if isinstance(value, dict):
        changed = False
        out: dict[Any, Any] = {}
        for k, v in value.items():
            nk = replaced_text(k, name, placeholder) if isinstance(k, str) else None
            nv = replaced_value(v, name, placeholder)
            changed = changed or nk is not None or nv is not None
            out[k if nk is None else nk] = v if nv is None else nv
        return out if changed else None
    return None
