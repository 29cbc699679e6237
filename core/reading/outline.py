"""The structure of a plan's body (Nghị định 30/2020/NĐ-CP, Phụ lục I: "Phần", "I.", "1.", "1.1.", "a)", then "-"
and "+"): sections, their numbered items, the items' lettered parts, and the paragraphs under each."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from core.reading.layout import Para

SECTION = re.compile(r"^([IVX]+)\.\s*(.*)$")
ITEM = re.compile(r"^(\d{1,2})\.\s*(.*)$")
SUBITEM = re.compile(r"^(\d{1,2})\.(\d{1,2})\.?\s+(.*)$")
LETTER = re.compile(r"^([a-zđ])\)\s*(.*)$")
PART = re.compile(r"^(?:PHẦN|Phần)\s+(?:thứ\s+)?\S+", re.IGNORECASE)
CLOSING = re.compile(r"^(?:Trên đây|Nơi nhận|(?:TM|KT|TL|TUQ)\.\s)")


@dataclass
class Part:
    """A numbered part of an item ("a)", "1.1."): its label and its paragraphs (the first is the numbered one,
    without its number)."""

    label: str
    paras: list[Para] = field(default_factory=list)
    lead_text: str = ""


@dataclass
class Item:
    """A numbered item ("1."): its number, its own words after the number (``head``), the paragraphs that follow
    it, and its lettered parts."""

    number: int
    head: Para
    head_text: str
    paras: list[Para] = field(default_factory=list)
    parts: list[Part] = field(default_factory=list)


@dataclass
class Section:
    numeral: str
    title: str
    head: Para
    opening: list[Para] = field(default_factory=list)  # the paragraphs before its first item
    items: list[Item] = field(default_factory=list)


@dataclass
class Outline:
    preamble: list[Para] = field(default_factory=list)  # "Căn cứ …" and the opening sentence
    sections: list[Section] = field(default_factory=list)
    end: int = 0  # index of the first paragraph after the body ("Trên đây…", "Nơi nhận")


def read_outline(paras: Sequence[Para], start: int) -> Outline:
    """The body from paragraph ``start`` to the closing."""
    out = Outline()
    section: Section | None = None
    item: Item | None = None
    part: Part | None = None
    i = start
    while i < len(paras):
        p = paras[i]
        t = p.text
        if CLOSING.match(t):
            break
        if PART.match(t) and len(t) < 150:
            i += 1
            continue
        if m := SECTION.match(t):
            section, item, part = Section(m.group(1), m.group(2).strip(), p), None, None
            out.sections.append(section)
        elif section is not None and (m := SUBITEM.match(t)) and item is not None and int(m.group(1)) == item.number:
            part = Part(f"{m.group(1)}.{m.group(2)}.", [Para(m.group(3), p.end - len(m.group(3)))])
            item.parts.append(part)
        elif section is not None and (m := ITEM.match(t)):
            words = m.group(2)
            item, part = Item(int(m.group(1)), p, words), None
            section.items.append(item)
        elif item is not None and (m := LETTER.match(t)):
            part = Part(f"{m.group(1)})", [Para(m.group(2), p.end - len(m.group(2)))])
            item.parts.append(part)
        elif part is not None:
            part.paras.append(p)
        elif item is not None:
            item.paras.append(p)
        elif section is not None:
            section.opening.append(p)
        else:
            out.preamble.append(p)
        i += 1
    out.end = i
    return out
