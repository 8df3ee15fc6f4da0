"""Small text helpers every layer shares: quoting what a user typed, clipping, and plurals."""

from __future__ import annotations

QUOTED_MAX = 60


def clip(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, an ellipsis marking the cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def quoted(text: str, limit: int = QUOTED_MAX) -> str:
    """User text quoted back inside a code span or quotation marks: short, on one line, and unable
    to close the code span early (a backtick would end it and let markdown through)."""
    return clip(" ".join(text.replace("`", "'").split()), limit)


def plural(count: int, noun: str, many: str | None = None) -> str:
    """`1 event`, `3 events`, `2 days`; `many` for a noun that does not just add an s."""
    return f"{count:,} {noun if count == 1 else many or noun + 's'}"
