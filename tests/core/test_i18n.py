"""Catalogs: every message in the code has a Vietnamese and an English translation; dates read right."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from core.deadlines import VN_TZ
from core.i18n import format_day, format_instant, gettext_for, locales_dir

ROOT = Path(__file__).resolve().parents[2]


def source_messages() -> set[str | tuple[str, ...]]:
    found: set[str | tuple[str, ...]] = set()
    for package in ("core", "scheduler", "bot", "nhacviec"):
        keywords = {**DEFAULT_KEYWORDS, "t": None, "tn": (1, 2)}
        for _file, _line, message, _comments, _ctx in extract_from_dir(str(ROOT / package), keywords=keywords):
            found.add(message if isinstance(message, str) else tuple(message))
    return found


def catalog(lang: str) -> Catalog:
    with (locales_dir() / lang / "LC_MESSAGES" / "nhacviec.po").open("rb") as fh:
        return read_po(fh, locale=lang)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_message_is_translated(lang: str) -> None:
    cat = catalog(lang)
    messages = source_messages()
    assert messages, "no message found in the code"
    for msg in messages:
        key = msg if isinstance(msg, str) else msg[0]
        entry = cat.get(key)
        assert entry is not None, f"{lang}: {key!r} is missing from the catalog (run make extract)"
        assert not entry.fuzzy, f"{lang}: {key!r} is fuzzy"
        strings = [entry.string] if isinstance(entry.string, str) else list(entry.string or ())
        assert all(s.strip() for s in strings), f"{lang}: {key!r} has no translation"


def test_vietnamese_is_really_vietnamese() -> None:
    cat = catalog("vi")
    for entry in cat:
        msgid = entry.id if isinstance(entry.id, str) else entry.id[0]
        if msgid and msgid.isascii():  # ids already in Vietnamese ("/ngonngu — Tiếng Việt / English") may stay
            text = entry.string if isinstance(entry.string, str) else (entry.string or ("",))[0]
            assert text != msgid, msgid


def test_placeholders_match() -> None:
    import re

    for lang in ("vi", "en"):
        for entry in catalog(lang):
            if not entry.id:
                continue
            ids = [entry.id] if isinstance(entry.id, str) else list(entry.id)
            strings = [entry.string] if isinstance(entry.string, str) else list(entry.string or ())
            want = set(re.findall(r"%\((\w+)\)", ids[0]))
            for s in strings:
                assert set(re.findall(r"%\((\w+)\)", s)) <= want | {"n"}, (lang, entry.id)


def test_stale_compiled_catalog_is_never_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    base = tmp_path / "vi" / "LC_MESSAGES"
    base.mkdir(parents=True)
    (base / "nhacviec.po").write_bytes((locales_dir() / "vi" / "LC_MESSAGES" / "nhacviec.po").read_bytes())
    (base / "nhacviec.mo").write_bytes(b"not a catalog")
    os.utime(base / "nhacviec.mo", (0, 0))  # older than the .po
    monkeypatch.setenv("NHACVIEC_LOCALES_DIR", str(tmp_path))
    from core import i18n

    i18n.translations.cache_clear()
    try:
        assert i18n.translations("vi").gettext("today is the deadline") == "hôm nay là hạn chót"
    finally:
        i18n.translations.cache_clear()


def test_unknown_language_falls_back_to_vietnamese() -> None:
    assert gettext_for("fr").gettext("today is the deadline") == "hôm nay là hạn chót"


@pytest.mark.parametrize(
    ("day", "lang", "text"),
    [
        (date(2023, 4, 14), "vi", "thứ Sáu, 14/4/2023"),
        (date(2023, 4, 15), "vi", "thứ Bảy, 15/4/2023"),
        (date(2023, 10, 15), "vi", "Chủ nhật, 15/10/2023"),
        (date(2023, 4, 10), "vi", "thứ Hai, 10/4/2023"),
        (date(2023, 4, 14), "en", "Friday, 14/4/2023"),
    ],
)
def test_dates(day: date, lang: str, text: str) -> None:
    assert format_day(day, lang) == text


def test_instants_are_shown_in_vietnam_time() -> None:
    assert format_instant(datetime(2023, 4, 15, 16, 59, 59, tzinfo=VN_TZ)) == "16:59 thứ Bảy, 15/4/2023"
    assert format_instant(datetime(2023, 4, 15, 16, 59, 59, tzinfo=UTC)) == "23:59 thứ Bảy, 15/4/2023"
