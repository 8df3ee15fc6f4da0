"""The languages Almanac ships, in one place: what the bundled chronology is translated into and
what replies can be given in. English is the original and the fallback for everything."""

from __future__ import annotations

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
