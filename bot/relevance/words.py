"""The words an event is found by, in any script: text folded to lowercase ASCII words (accents
dropped, other scripts transliterated), stopwords left out, and the search words the store keeps
beside each event so the index is built without reading whole events."""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Iterable

from anyascii import anyascii

from bot.model.event import EventFields

# Every ASCII character but a lowercase letter or digit becomes a space: one pass of
# str.translate, a third of the time the regular expression `[^0-9a-z]+` took (a load computes
# the words of a million events).
_WORD_CHARACTERS = frozenset(string.ascii_lowercase + string.digits)
_TO_SPACE = str.maketrans({chr(code): " " for code in range(128) if chr(code) not in _WORD_CHARACTERS})
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_STOPWORDS = frozenset(
    (
        "a",
        "an",
        "and",
        "as",
        "at",
        "by",
        "did",
        "do",
        "does",
        "for",
        "from",
        "how",
        "in",
        "into",
        "is",
        "of",
        "on",
        "or",
        "the",
        "to",
        "was",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "with",
    )
)


def normalize(text: str) -> str:
    """Lowercase ASCII words in any script: accents dropped, other scripts transliterated,
    punctuation gone (`Brest-Litovsk` -> `brest litovsk`, `Дзержинский` -> `dzerzhinskiy`).

    Every comparison of text goes through here (search, autocomplete, duplicates, generated ids),
    so a word typed in Cyrillic meets the same word stored in Cyrillic, and its Latin spelling."""
    if not text.isascii():
        text = _NON_ASCII.sub(_latin, text)  # ASCII from here on
    return " ".join(text.lower().translate(_TO_SPACE).split())


def _latin(run: re.Match[str]) -> str:
    """A run of non-ASCII characters in Latin letters: accents dropped (`í` -> `i`, as always),
    and anything else (Cyrillic, Greek, ß, ł, CJK…) through anyascii's tables, from the original
    letters, so that `й` stays `y` instead of losing its breve and becoming `и`."""
    decomposed = unicodedata.normalize("NFKD", run[0])
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return stripped if stripped.isascii() else anyascii(run[0])


def content_words(words: Iterable[str]) -> list[str]:
    """The words that say what a text is about: every one but the stopwords."""
    return [word for word in words if word not in _STOPWORDS]


def search_words(fields: EventFields) -> str:
    """What search looks at in an event, normalized: its names (the title and aliases, in every
    language it is written in), tab-separated, then a newline and its other content words
    (people, places, tags, summaries), each once. The store keeps this beside each event, so
    the index is built without reading or normalizing whole events; normalized text holds
    neither tabs nor newlines. A change to `normalize` must recompute the stored words."""
    # the title and other names in every language it is written in are names of the event
    translations = fields.translations
    titles = (
        fields.title,
        *fields.aliases,
        *(t.title for t in translations),
        *(alias for t in translations for alias in t.aliases),
    )
    names = [name for name in dict.fromkeys(normalize(n) for n in titles) if name]
    in_names = {word for name in names for word in name.split()}
    summaries = (fields.summary, *(t.summary for t in translations))
    labels = (*fields.people, *fields.places, *fields.tags)
    spelled = (label for t in translations for label in (*t.people, *t.places, *t.tags))
    text = normalize(" ".join((*labels, *spelled, *summaries)))
    others = dict.fromkeys(word for word in content_words(text.split()) if word not in in_names)
    return "\t".join(names) + "\n" + " ".join(others)
