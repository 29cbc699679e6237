"""Translations (gettext catalogs in locales/, loaded with Babel) and Vietnamese date formatting.

Message ids are English; ``vi`` is the default language and ``en`` the fallback for accounts set to
English. A catalog whose compiled ``.mo`` is missing or older than its ``.po`` is compiled in memory,
so a stale build can never show an old text.
"""

from __future__ import annotations

import gettext
import io
import logging
import os
from datetime import date, datetime
from functools import cache
from pathlib import Path

from babel.dates import format_date as babel_format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from core.deadlines import to_vn

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
DOMAIN = "nhacviec"
log = logging.getLogger(__name__)


class CatalogMissing(RuntimeError):
    """The translations are not where the package expects them: a broken installation, not a user error."""


def locales_dir() -> Path:
    configured = os.environ.get("NHACVIEC_LOCALES_DIR")
    return Path(configured) if configured else Path(__file__).resolve().parent.parent / "locales"


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The catalog for ``lang`` (unknown languages get Vietnamese)."""
    if lang not in LANGUAGES:
        lang = DEFAULT_LANGUAGE
    base = locales_dir() / lang / "LC_MESSAGES"
    po, mo = base / f"{DOMAIN}.po", base / f"{DOMAIN}.mo"
    if not po.exists():
        if mo.exists():  # an installed package ships the compiled catalog only
            with mo.open("rb") as fh:
                return gettext.GNUTranslations(fh)
        raise CatalogMissing(
            f"the {lang} translations are missing: neither {mo} nor {po} exists; reinstall nhacviec "
            "or set NHACVIEC_LOCALES_DIR to the folder holding vi/ and en/"
        )
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        with mo.open("rb") as fh:
            return gettext.GNUTranslations(fh)
    log.warning("compiled catalog %s is missing or stale; compiling %s in memory", mo, po)
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


def check_catalogs() -> None:
    """Load every catalog now (at start-up), so a broken installation says so before anyone is answered."""
    for lang in LANGUAGES:
        translations(lang)


def N_(message: str) -> str:
    """Mark a message id for extraction where it is defined; it is translated where it is shown."""
    return message


def gettext_for(lang: str) -> gettext.NullTranslations:
    return translations(lang if lang in LANGUAGES else DEFAULT_LANGUAGE)


def format_day(day: date | datetime, lang: str = DEFAULT_LANGUAGE) -> str:
    """'thứ Sáu, 14/4/2023' (vi, the plans' own style) or 'Friday, 14/4/2023' (en); an instant in Vietnam time."""
    if isinstance(day, datetime):
        day = to_vn(day).date()
    locale = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
    text = babel_format_date(day, "EEEE, d/M/yyyy", locale=locale)
    if locale != "vi":
        return text
    # Babel writes "Thứ Sáu", "Chủ Nhật"; in running text an office writes "thứ Sáu", "Chủ nhật".
    return "Chủ nhật" + text[len("Chủ Nhật") :] if day.weekday() == 6 else "t" + text[1:]


def format_instant(instant: datetime, lang: str = DEFAULT_LANGUAGE) -> str:
    """'23:59 thứ Bảy, 15/04/2023' in Vietnam time."""
    local = to_vn(instant)
    return f"{local:%H:%M} {format_day(local.date(), lang)}"
