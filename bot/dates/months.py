"""Month names as people type them in every shipped language, from CLDR (through Babel).

`12 марта`, `28 de febrer`, `1 d'abril`, `19 de agosto`, `16 mars`, `5. Dezember` and `March 16`
all name a month by a word; which words mean which month comes from CLDR's wide and abbreviated
names in both their contexts (the genitive `марта` of a date and the nominative `март` of a
calendar heading), never from lists written here.
"""

from __future__ import annotations

import datetime as dt
import functools
import unicodedata
from dataclasses import dataclass

from babel import Locale
from babel.dates import format_skeleton, get_month_names

# English first: where two languages' words collide, the one listed first keeps the word.
DATE_LANGUAGES = ("en", "ru", "uk", "ca", "es", "fr", "de", "pl")
# What some languages put before a month's name in a date: `de febrer`, `d'abril`, `de agosto`.
_LINKS = ("de ", "d'", "del ")


def month_key(word: str) -> str:
    """A typed month word as the table holds it: lowercase, straight apostrophes, no link word,
    no abbreviation dot (`d’Abr.` -> `abr`)."""
    key = word.casefold().replace("’", "'").strip().rstrip(".")
    for link in _LINKS:
        if key.startswith(link):
            key = key[len(link) :]
    return key.strip()


def _without_accents(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@functools.cache
def _month_words(language: str) -> dict[str, int]:
    """One language's month words -> its month (1–12); where two months share a word (an
    abbreviation), the first month listed keeps it."""
    words: dict[str, int] = {}
    for width in ("wide", "abbreviated"):
        for context in ("format", "stand-alone"):
            for number, name in get_month_names(width, context, language).items():
                words.setdefault(month_key(name), int(number))
    return words


@functools.cache
def month_numbers() -> dict[str, int]:
    """Every month word of every shipped language -> its month (1–12)."""
    table: dict[str, int] = {}
    for language in DATE_LANGUAGES:
        for key, number in _month_words(language).items():
            table.setdefault(key, number)
    # Typed without its accent (`fevrier`, `marz`), a Latin word still names its month, unless
    # that spelling is another month's word already.
    for key, number in list(table.items()):
        if key.isascii():
            continue
        plain = _without_accents(key)
        if plain.isascii():
            table.setdefault(plain, number)
    table.setdefault("sept", 9)  # `Sept. 1918`, as English writers abbreviate it
    return table


def month_number(word: str) -> int | None:
    """The month a typed word names in any shipped language, or None."""
    key = month_key(word)
    # English is first in DATE_LANGUAGES, so its words mean what the whole table says; looked up
    # alone first, `16 March` loads one language's CLDR data, not seven (a one-shot command's start)
    english = _month_words(DATE_LANGUAGES[0])
    if key in english:
        return english[key]
    return month_numbers().get(key)


@functools.cache
def relative_days() -> dict[str, int]:
    """`today`, `mañana`, `вчера`, `demà passat`… -> how many days from today, in every shipped
    language, from CLDR's relative day names (Babel keeps them in its locale data)."""
    table: dict[str, int] = {}
    for language in DATE_LANGUAGES:
        named = Locale.parse(language)._data["date_fields"]["day"]["relative"]
        for offset, word in named.items():
            key = " ".join(word.casefold().replace("’", "'").split())
            table.setdefault(key, int(offset))
            if not key.isascii() and (plain := _without_accents(key)).isascii():
                table.setdefault(plain, int(offset))  # `manana`, `dema`, typed without accents
    return table


def load_date_words() -> None:
    """Read every language's month and relative day names now. A long-running process (the bot,
    the shell) does it as it starts, so no question waits for them; a one-shot command reads only
    what its own text needs."""
    month_numbers()
    relative_days()


@dataclass(frozen=True, slots=True)
class MonthName:
    """A month (of a year) as a value in a message: `March 1919`, `marzo de 1919`, `март 1919 г.`,
    named in the reader's language when the message is shown."""

    month: int
    year: int | None = None

    def in_language(self, language: str) -> str:
        if self.year is not None:
            return str(format_skeleton("yMMMM", dt.date(self.year, self.month, 1), locale=language))
        return str(get_month_names("wide", "stand-alone", language)[self.month])
