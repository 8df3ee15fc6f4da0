"""Small text helpers every layer shares: quoting what a user typed, clipping, plurals, and telling
whether a text shows anything at all."""

from __future__ import annotations

import unicodedata

QUOTED_MAX = 60
# Characters that draw nothing although Unicode calls them letters or marks: the Hangul fillers,
# the blank braille pattern, the combining grapheme joiner, Khmer's invisible vowels, the
# variation selectors. Format characters (zero-width spaces and joiners, U+FEFF, bidi controls),
# controls and separators are found by their category instead.
_BLANK = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f\u17b4\u17b5\u180e") | frozenset(
    map(chr, [*range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0)])
)
_UNSEEN = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})


def clip(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, an ellipsis marking the cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def quoted(text: str, limit: int = QUOTED_MAX) -> str:
    """User text quoted back inside a code span or quotation marks: short, on one line, and unable
    to close the code span early (a backtick would end it and let markdown through)."""
    return clip(" ".join(text.replace("`", "'").split()), limit)


def visible(text: str) -> bool:
    """Whether `text` shows at least one character: a title of zero-width spaces, U+3164 or U+2800
    alone looks empty, or like nothing at all, in every list it appears in."""
    return any(
        not char.isspace() and char not in _BLANK and unicodedata.category(char) not in _UNSEEN
        for char in text
    )


def plural(count: int, noun: str, many: str | None = None) -> str:
    """`1 event`, `3 events`, `2 days`; `many` for a noun that does not just add an s."""
    return f"{count:,} {noun if count == 1 else many or noun + 's'}"
