"""The closed sets of values that cross layers: audit actions, daily-post states and outcomes,
what a server wants posted on a quiet day, and how often its digest comes.

They are `StrEnum`s because their values are what the database stores and the JSON output shows:
a typo in a name fails at import time (and in mypy) instead of silently matching nothing.
"""

from __future__ import annotations

from enum import StrEnum


class AuditAction(StrEnum):
    """What one row of a server's audit log records."""

    ADD = "add"
    EDIT = "edit"
    REMOVE = "remove"
    RESTORE = "restore"
    HIDE = "hide"
    UNHIDE = "unhide"
    IMPORT = "import"
    CURATOR_ROLE = "curator-role"


class EmptyDay(StrEnum):
    """What a daily post holds on a day with no anniversary."""

    NOTHING = "nothing"  # no post at all
    MONTH = "month"  # the month's events whose day is unknown
    NEXT = "next"  # the next anniversary to come

    @property
    def description(self) -> str:
        return _EMPTY_DAY_DESCRIPTIONS[self]


_EMPTY_DAY_DESCRIPTIONS = {
    EmptyDay.NOTHING: "post nothing",
    EmptyDay.MONTH: "post the month's events",
    EmptyDay.NEXT: "post the next anniversary to come",
}


class Digest(StrEnum):
    """How often a server gets one post listing the anniversaries ahead."""

    OFF = "off"
    WEEKLY = "weekly"  # on the chosen weekday, the seven days from it
    MONTHLY = "monthly"  # on the 1st, the whole month


class PostState(StrEnum):
    """How a (server, local day) row of the daily posts stands, as stored."""

    CLAIMED = "claimed"  # about to send, or died while sending: read the channel back first
    SENT = "sent"
    SKIPPED = "skipped"  # nothing to post, and the server asked for nothing
    FAILED = "failed"  # the last attempt failed; `last_error` says why
    MISSED = "missed"  # the bot was offline for the whole posting day

    @property
    def final(self) -> bool:
        """Nothing more will happen for this day."""
        return self in (PostState.SENT, PostState.SKIPPED)


class PostOutcome(StrEnum):
    """How serving one due server in a scheduling pass ended: exactly one per server and pass."""

    SENT = "sent"  # posted now, or found already posted
    SKIPPED = "skipped"  # nothing to post that day
    RETRYING = "retrying"  # this attempt failed; another follows later the same local day
    FAILED = "failed"  # failed, and given up for the day
    WAITING = "waiting"  # a day lost to downtime was closed; today's post is not due yet


class Theme(StrEnum):
    """The background a timeline picture is drawn on, to match the asker's Discord theme."""

    LIGHT = "light"
    DARK = "dark"

    @property
    def description(self) -> str:
        return _THEME_DESCRIPTIONS[self]


_THEME_DESCRIPTIONS = {
    Theme.LIGHT: "a picture on a light background",
    Theme.DARK: "a picture on a dark background",
}
