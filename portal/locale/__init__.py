"""The interface language: gettext catalogues (``<lang>/LC_MESSAGES/messages.po``) and Babel formatting.

The message ids are the English texts; Vietnamese is the portal's default language. The ``.po`` files
are the only source: they are compiled in memory the first time a language is used, so a fresh clone
needs no build step and a stale compiled file cannot exist.

Regenerate the template and merge it into the catalogues after changing a message::

    pybabel extract -F babel.cfg -k N_ -k NP_:1c,2 --no-wrap --sort-by-file -o portal/locale/messages.pot .
    pybabel update -i portal/locale/messages.pot -d portal/locale -N --no-wrap

then translate the new entries (tests/test_i18n_catalogue.py fails while one is empty or fuzzy).
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

LANGS = ("vi", "en")
DEFAULT_LANG = "vi"
LOCALES = {"vi": "vi_VN", "en": "en"}
DIRECTORY = Path(__file__).resolve().parent
DOMAIN = "messages"

# A message marked for translation where it is declared and translated where it is shown: the msgid
# alone, or (context, msgid) where one English text has two Vietnamese translations.
Msg = str | tuple[str, str]


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "translate later"
    return message


def NP_(context: str, message: str) -> tuple[str, str]:  # noqa: N802 - N_ with a msgctxt
    return (context, message)


def catalogue_path(lang: str) -> Path:
    return DIRECTORY / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(lang: str) -> Translations:
    """The compiled catalogue of ``lang`` (any other value: the default language's)."""
    lang = lang if lang in LANGS else DEFAULT_LANG
    with catalogue_path(lang).open("rb") as po:
        catalog = read_po(po, locale=LOCALES[lang], domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def translate(lang: str, message: Msg | None, **values: object) -> str:
    """A marked message (``N_``/``NP_``) in ``lang``; ``%(name)s`` placeholders filled from ``values``."""
    if message is None:
        return ""
    catalogue = translations(lang)
    text = str(catalogue.pgettext(*message) if isinstance(message, tuple) else catalogue.gettext(message))
    return text % values if values else text


def language_of(accept_language: str | None) -> str:
    """The first language of an ``Accept-Language`` header that the portal speaks; Vietnamese otherwise."""
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate((accept_language or "").split(",")):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGS and quality > 0:
            ranked.append((-quality, position, primary))
    return min(ranked)[2] if ranked else DEFAULT_LANG


def number(value: float | int, lang: str, pattern: str | None = None) -> str:
    """A number as the reader writes it: 1.234,5 in Vietnamese, 1,234.5 in English."""
    return format_decimal(value, format=pattern, locale=LOCALES.get(lang, LOCALES[DEFAULT_LANG]))


def day(value: date, lang: str = DEFAULT_LANG) -> str:
    """dd/mm/yyyy in both languages (the form fields are read that way too)."""
    return format_date(value, "dd/MM/yyyy", locale=LOCALES.get(lang, LOCALES[DEFAULT_LANG]))


def moment(value: datetime, lang: str = DEFAULT_LANG) -> str:
    """dd/mm/yyyy hh:mm (the caller converts to Vietnam's time first)."""
    return format_datetime(value, "dd/MM/yyyy HH:mm", locale=LOCALES.get(lang, LOCALES[DEFAULT_LANG]))
