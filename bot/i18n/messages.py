"""The gettext catalogs: the interface's words in each shipped language, kept in PO files.

`bot/i18n/locales/<language>.po` is the one place a translation lives; it is read with Babel and
compiled in memory at start, so there is no compiled `.mo` file to forget to rebuild. A message
is looked up by its context (`name`, `description`, `choice`: the same English word may be a
command's name and a choice) and its English text; an untranslated one stays English.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass
from importlib import resources
from typing import Protocol, runtime_checkable

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from bot.i18n.languages import SOURCE_LANGUAGE, TRANSLATED


@functools.cache
def catalog(language: str) -> Catalog:
    """The PO catalog of `language`, as written (for checks and tools)."""
    source = resources.files("bot.i18n.locales").joinpath(f"{language}.po")
    with source.open("rb") as file:
        return read_po(file, locale=language, domain="almanac")


@functools.cache
def translations(language: str) -> Translations:
    """The compiled catalog: English falls through to the message itself."""
    if language not in TRANSLATED:
        return Translations()
    compiled = io.BytesIO()
    write_mo(compiled, catalog(language))
    compiled.seek(0)
    return Translations(compiled, domain="almanac")


def translate(language: str, context: str, message: str) -> str:
    """`message` in `language` (`context` tells a command's name from a description or a choice)."""
    if language == SOURCE_LANGUAGE:
        return message
    return str(translations(language).pgettext(context, message))


# -- messages said in the reader's language -----------------------------------------------------

# The functions that mark a message for the catalogs, as Babel's extractor is told to find them
# (`said("…")`, `said_n("…", "…", count)`); `tests/bot/i18n/test_messages.py` extracts with the same keywords.
KEYWORDS = {"said": None, "said_n": (1, 2)}


@dataclass(frozen=True, slots=True)
class Text:
    """A message of the catalogs with its values, put into words only when it is shown, in the
    language of whoever reads it. `str()` gives the English (logs, the command line, JSON).

    A value may itself be said (a hint inside an error, a date, a month): it is put into words in
    the same language."""

    message: str
    values: tuple[tuple[str, object], ...] = ()
    plural: str | None = None
    count: int = 1

    def in_language(self, language: str) -> str:
        words = translations(language)
        template = (
            words.ngettext(self.message, self.plural, self.count)
            if self.plural is not None
            else words.gettext(self.message)
        )
        values = {name: shown(value, language) for name, value in self.values}
        return str(template).format(count=self.count, **values)

    def __str__(self) -> str:
        return self.in_language(SOURCE_LANGUAGE)


def said(message: str, **values: object) -> Text:
    """`message` (English, with `{name}` fields) for the catalogs, said later in any language."""
    return Text(message, tuple(values.items()))


def said_n(singular: str, plural: str, count: int, **values: object) -> Text:
    """A message whose wording follows `count` (`{count}` in it): one form per plural category of
    the language (Russian has three), from the catalog's `Plural-Forms`."""
    return Text(singular, tuple(values.items()), plural, count)


@runtime_checkable
class Sayable(Protocol):
    """Anything that can put itself into words in a language: a message, a date, a month."""

    def in_language(self, language: str) -> str: ...


def shown(value: object, language: str) -> str:
    """A message, or a value placed in one (a date, a month, a number), in `language`."""
    return value.in_language(language) if isinstance(value, Sayable) else str(value)
