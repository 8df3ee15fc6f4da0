"""Deciding what an import adds: each row judged against what the server already has and the
rows before it, as added, a duplicate (skipped) or rejected (with its reason).

Pure: the rules, without the database. The work grows with the file's length, not its square.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process

from bot.curation.formats import Number, Row, TooLong
from bot.i18n.languages import SOURCE_LANGUAGE
from bot.i18n.messages import Sayable, Text, said, said_n
from bot.i18n.text import quoted
from bot.model.event import SLUG_MAX, Event, EventFields, FieldErrors
from bot.relevance.words import normalize

DUPLICATE_RATIO = 90.0  # titles this close (rapidfuzz ratio, normalized) on one date are one event
# A row is compared fuzzily with at most this many titles of its date (the most recent ones with
# the same numbers in them): a file of thousands of rows on one date must not cost the square of
# its length. Exact repeats are found whatever the count, through a set.
FUZZY_WINDOW = 200
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class RowNote:
    line: int
    reason: Sayable  # said in the reader's language; may quote the file's own words, so escape it

    @property
    def text(self) -> str:
        """The reason in English, as plain text (the command line, the tests)."""
        return self.reason.in_language(SOURCE_LANGUAGE)

    def in_language(self, language: str) -> str:
        return self.reason.in_language(language)


def plan_import(
    rows: Sequence[Row], own: Sequence[Event], visible: Sequence[Event]
) -> tuple[list[EventFields], list[RowNote], list[RowNote]]:
    """(events to add, duplicate rows, rejected rows). Pure: the rules, without the database.

    Duplicates (the same id as one of this server's events, a bundled event or an earlier row, or
    the same date and a near-identical title as any event the server sees or an earlier row) are
    skipped; invalid rows are rejected. The work grows with the file's length, not its square."""
    planner = ImportPlanner(own, visible, rows)
    for row in rows:
        planner.judge(row)
    return planner.accepted, planner.duplicates, planner.rejected


@dataclass
class _SameDate:
    """The titles already on one date: a set for exact repeats, and per run of numbers in the
    title (`Strike 1` is never a twin of `Strike 2`) the most recent ones for fuzzy comparison.
    Each title is kept with the reason a row repeating it is skipped (who has it)."""

    exact: dict[str, Text] = field(default_factory=dict)  # title key -> why a twin is a duplicate
    recent: dict[tuple[str, ...], list[tuple[str, Text]]] = field(default_factory=dict)

    def twin(self, key: str, planner: ImportPlanner) -> Text | None:
        if (reason := self.exact.get(key)) is not None:
            return reason
        window = self.recent.get(tuple(_DIGITS.findall(key)), [])[-FUZZY_WINDOW:]
        planner.compared += len(window)
        keys = [other for other, _ in window]
        found = process.extractOne(key, keys, scorer=fuzz.ratio, score_cutoff=DUPLICATE_RATIO)
        return window[found[2]][1] if found is not None else None

    def add(self, key: str, reason: Text) -> None:
        self.exact.setdefault(key, reason)
        self.recent.setdefault(tuple(_DIGITS.findall(key)), []).append((key, reason))


class ImportPlanner:
    """Judges an import's rows one by one against what the server already has and earlier rows.
    `compared` counts the fuzzy title comparisons made, so tests can check the work stays linear."""

    def __init__(self, own: Sequence[Event], visible: Sequence[Event], rows: Sequence[Row] = ()) -> None:
        explicit = {
            str(row.raw["id"]).strip() for row in rows if isinstance(row.raw, dict) and row.raw.get("id")
        }
        self.taken = {event.slug for event in visible} | {e.slug for e in own} | explicit
        self.by_id = {event.slug: event for event in visible if event.is_bundled} | {e.slug: e for e in own}
        self.by_date: dict[str, _SameDate] = {}
        for event in visible:
            twin = said("same date and title as “{title}”", title=event.title)
            self._same_date(event.date.edtf()).add(title_key(event.title), twin)
        self.seen: dict[str, int] = {}  # id -> line, for the rows accepted so far
        self.compared = 0
        self.accepted: list[EventFields] = []
        self.duplicates: list[RowNote] = []
        self.rejected: list[RowNote] = []

    def _same_date(self, edtf: str) -> _SameDate:
        return self.by_date.setdefault(edtf, _SameDate())

    def judge(self, row: Row) -> None:
        verdict, result = self._verdict(row)
        if isinstance(result, EventFields):
            self.accepted.append(result)
        else:
            (self.duplicates if verdict == "duplicate" else self.rejected).append(RowNote(row.line, result))

    def _verdict(self, row: Row) -> tuple[str, EventFields | Sayable]:
        if row.problem is not None:
            return "rejected", row.problem
        if not isinstance(row.raw, dict):
            return "rejected", said("is not an object of fields (id, date, title, …)")
        if (problem := _unreadable(row.raw)) is not None:
            return "rejected", problem
        raw = dict(row.raw)
        if not str(raw.get("id") or "").strip():
            title = raw.get("title")
            raw["id"] = slug_for(title if isinstance(title, str) else "", self.taken)
            self.taken.add(raw["id"])
        try:
            fields = EventFields.from_mapping(raw)
        except FieldErrors as error:
            # a fresh copy, never raised: it holds the problems but not the frames of a traceback
            return "rejected", FieldErrors(error.messages)
        if fields.slug in self.seen:
            return "duplicate", said("same id as line {line}", line=self.seen[fields.slug])
        if (existing := self.by_id.get(fields.slug)) is not None:
            return "duplicate", _same_id(existing)
        same_date = self._same_date(fields.date.edtf())
        key = title_key(fields.title)
        if (twin := same_date.twin(key, self)) is not None:
            return "duplicate", twin
        self.seen[fields.slug] = row.line
        same_date.add(key, said("same date and title as line {line}", line=row.line))
        return "added", fields


def _same_id(existing: Event) -> Text:
    """Why a row with the id of an event the server already has is skipped."""
    if existing.is_bundled:  # a bundled event the server sees is never a removed one
        return said("same id as the bundled event “{title}”", title=existing.title)
    if existing.deleted:
        return said("same id as “{title}” (removed; `/events restore` brings it back)", title=existing.title)
    return said("same id as “{title}”", title=existing.title)


def _unreadable(raw: dict[str, Any]) -> Text | None:
    """Why a JSON row's values cannot be stored as text, or None: a number literal thousands of
    digits long, or a lone surrogate escape (`\\ud800`), which is no character at all."""
    for name, value in raw.items():
        field_name = quoted(str(name), 40)
        # fields hold text or lists of text; anything nested deeper is refused by validation
        for text in value if isinstance(value, list) else [value]:
            if isinstance(text, TooLong):
                return said_n(
                    "{field}: a number {number} digit long is not a value I can store",
                    "{field}: a number {number} digits long is not a value I can store",
                    len(text),
                    field=field_name,
                    number=Number(len(text)),
                )
            if isinstance(text, str) and any("\ud800" <= char <= "\udfff" for char in text):
                return said(
                    "{field}: holds a lone surrogate escape (like \\ud800), which is no character",
                    field=field_name,
                )
    return None


def slug_for(title: str, taken: set[str]) -> str:
    """A new id from the title, unique among `taken`: `kronstadt-rebellion`, then `-2`, `-3`…"""
    # any script is transliterated, so a title yields a readable id; one with no letter or digit
    # at all (`???`) is named by a digest of itself, so two such titles still get different ids
    words = "-".join(normalize(title).split())[: SLUG_MAX - 6].strip("-")
    base = words or "untitled-" + hashlib.blake2b(title.encode("utf-8", "replace"), digest_size=4).hexdigest()
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


def same_title(key: str, other: str) -> bool:
    """Near-identical titles, except that `Strike 1` and `Strike 2` differ whatever their ratio."""
    return fuzz.ratio(key, other) >= DUPLICATE_RATIO and _DIGITS.findall(key) == _DIGITS.findall(other)


def title_key(title: str) -> str:
    """Titles compared for duplicates; non-Latin titles (which `normalize` empties) keep their letters."""
    return normalize(title) or " ".join(title.casefold().split())
