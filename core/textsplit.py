"""Split long messages cleanly for platforms with a size limit (Telegram 4,096, Zalo 2,000 characters)."""

from __future__ import annotations

from collections.abc import Callable


def split_text(text: str, limit: int, measure: Callable[[str], int] = len) -> list[str]:
    """Chunks whose ``measure`` is at most ``limit``: break at line ends, else at spaces, else anywhere."""
    if limit < 1:
        raise ValueError("limit must be positive")
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = line if not current else f"{current}\n{line}"
        if measure(candidate) <= limit:
            current = candidate
            continue
        if current:
            chunks.append(current)
        current = ""
        while measure(line) > limit:
            cut = _cut(line, limit, measure)
            chunks.append(line[:cut].rstrip())
            line = line[cut:].lstrip()
        current = line
    if current or not chunks:
        chunks.append(current)
    return chunks


def _cut(line: str, limit: int, measure: Callable[[str], int]) -> int:
    """The longest prefix that fits, preferring to end at a space."""
    lo, hi = 1, len(line)
    while lo < hi:  # binary search on the prefix length
        mid = (lo + hi + 1) // 2
        if measure(line[:mid]) <= limit:
            lo = mid
        else:
            hi = mid - 1
    space = line.rfind(" ", 0, lo)
    return space if space > lo // 2 else lo
