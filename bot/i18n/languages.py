"""The languages Almanac ships, in one place: what the bundled chronology is translated into and
what replies can be given in. English is the original and the fallback for everything."""

from __future__ import annotations

import functools
from dataclasses import dataclass

SOURCE_LANGUAGE = "en"
# every bundled event's title, summary and other names exist in these too
TRANSLATED = ("ca", "es", "ru", "uk", "de", "fr", "pl")
SHIPPED = (SOURCE_LANGUAGE, *TRANSLATED)
NAMES = {
    "en": "English",
    "ca": "Català",
    "es": "Español",
    "ru": "Русский",
    "uk": "Українська",
    "de": "Deutsch",
    "fr": "Français",
    "pl": "Polski",
}


def language_of(locale: str | None) -> str:
    """The shipped language for a Discord or POSIX locale (`es-ES`, `ca`, `ru_RU`), else English."""
    code = (locale or "").replace("_", "-").split("-")[0].lower()
    return code if code in SHIPPED else SOURCE_LANGUAGE


@dataclass(frozen=True)
class LanguageName:
    """A language named inside a sentence, in the reader's own language from CLDR (`In Catalan`,
    `на каталанском` reads as `каталанский`, `en catalán`); lists of choices name each language by
    its own name instead (NAMES), so that a reader finds their own whatever the page's language."""

    code: str

    def in_language(self, language: str) -> str:
        return _cldr_name(self.code, language) or NAMES.get(self.code, self.code)


@functools.cache
def _cldr_name(code: str, reader: str) -> str | None:
    from babel import Locale  # here: CLDR's tables are read only when a sentence needs one

    name = Locale.parse(reader).languages.get(code)
    return str(name) if name else None
