"""Reading what people type: Unicode normalisation, commands (aliases and phrases from the registry), numbers."""

from __future__ import annotations

import re
import unicodedata

from core.conversation.commands import ALIASES, BY_NAME, PHRASES

MAX_TEXT = 4000
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,32})(?:@[A-Za-z0-9_]{1,64})?(?:\s+(.*))?$", re.DOTALL)


def normalise(text: str) -> str:
    """NFC (phones send NFD Vietnamese too), no control or direction characters, trimmed."""
    return _CONTROL.sub("", unicodedata.normalize("NFC", text)).strip()


def parse_command(text: str) -> tuple[str, str] | None:
    """'/DaNop@bot 2023-04' → ('danop', '2023-04'); None when the text is not a command."""
    m = _COMMAND.match(text.strip())
    if not m:
        return None
    name = m.group(1).lower()
    return ALIASES.get(name, name), normalise(m.group(2) or "")


def parse_number(text: str) -> int | None:
    """'2' or ' 2. ' → 2 (a pick from a numbered list)."""
    m = re.fullmatch(r"\s*([0-9]{1,3})\s*[.)]?\s*", text)
    return int(m.group(1)) if m else None


DOC_NUMBER = re.compile(r"^[0-9]{1,6}[A-Za-zĐđ0-9/.\-_ ]{0,40}$")


def parse_document_number(text: str) -> str | None:
    """'125/BC-SNV' (số văn bản) or None if it does not look like one."""
    t = normalise(text)
    t = re.sub(r"^(?:số(?: văn bản)?|so(?: van ban)?)[:\s]+", "", t, flags=re.IGNORECASE)
    return t.upper() if DOC_NUMBER.match(t) else None


def fold(text: str) -> str:
    """'Đã  NỘP' → 'da nop': no diacritics, lower case, single spaces."""
    decomposed = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.lower().split())


def parse_plain_command(text: str) -> tuple[str, str] | None:
    """'đã nộp 2023-04' → ('danop', '2023-04'); 'danop' and '/danop' too. None when no command starts it."""
    words = normalise(text).lstrip("/").split()
    if not words:
        return None
    folded = fold(" ".join(words)).split()
    first = folded[0]
    if first in BY_NAME or first in ALIASES:
        return ALIASES.get(first, first), " ".join(words[1:])
    for size in (4, 3, 2, 1):
        phrase = " ".join(folded[:size])
        if len(folded) >= size and phrase in PHRASES:
            return PHRASES[phrase], " ".join(words[size:])
    return None
