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


# What a terminal acts on instead of showing: C0 controls but tab and newline (CR rewrites the
# line, BS erases, BEL rings), DEL, the C1 controls, ESC above all (CSI colours and cursor moves,
# OSC title changes, OSC 52 clipboard writes, OSC 8 links), and the bidi controls that reorder
# what follows them on screen.
_TERMINAL_UNSAFE = (
    *range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0),
    0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A),
)  # fmt: skip
_TERMINAL_ESCAPES = {code: f"\\u{code:04x}" for code in _TERMINAL_UNSAFE}


def terminal_safe(text: str) -> str:
    """`text` as a terminal may print it: each character it would act on written as a visible
    escape (`\\u001b`), which inside a JSON string is the same character still."""
    return text.translate(_TERMINAL_ESCAPES)
