"""Event files in and out: JSON and CSV imports, JSON, CSV and TimelineJS exports.

Pure functions on bytes and plain values: no database, no Discord. Reading keeps each row's line
number so that a rejected row can be named the way a spreadsheet or an editor shows it, and
`plan_import` decides, row by row, what an import adds, skips as a duplicate or rejects.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process

from bot.dates import PartialDate
from bot.errors import UserError
from bot.languages import TRANSLATED
from bot.model import SLUG_MAX, Event, EventFields, FieldErrors
from bot.search import normalize
from bot.text import quoted

MAX_BYTES = 1024 * 1024  # 1 MiB: a few thousand events with long summaries
MAX_ROWS = 5000
CSV_COLUMNS = (
    "id",
    "date",
    "title",
    "summary",
    "people",
    "places",
    "tags",
    "aliases",
    "source",
    "note",
    "russia",
)
# An event's title and summary in another language: `title_ca`, `summary_ca`, `title_es`, …
TRANSLATION_COLUMNS = tuple(f"{name}_{language}" for language in TRANSLATED for name in ("title", "summary"))
KNOWN_COLUMNS = (*CSV_COLUMNS, *TRANSLATION_COLUMNS)
LIST_SEPARATOR = ";"
FORMATS = ("json", "csv", "timelinejs")
JSON_FORMAT_NAME = "almanac-events"
DUPLICATE_RATIO = 90.0  # titles this close (rapidfuzz ratio, normalized) on one date are one event
# A row is compared fuzzily with at most this many titles of its date (the most recent ones with
# the same numbers in them): a file of thousands of rows on one date must not cost the square of
# its length. Exact repeats are found whatever the count, through a set.
FUZZY_WINDOW = 200
NUMBER_DIGITS_MAX = 30  # a longer number literal in a JSON import is refused, not parsed
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_DIGITS = re.compile(r"\d+")
_TRUE = frozenset({"true", "yes", "y", "1"})
_FALSE = frozenset({"false", "no", "n", "0", ""})


class TransferError(UserError):
    """The file as a whole cannot be read; nothing in it was looked at row by row."""


@dataclass(frozen=True)
class Row:
    line: int  # where the row starts in the file, counting from 1
    raw: Any  # field -> value, as the file gives it
    problem: str = ""  # set when the row could not even be split into fields


# -- reading ----------------------------------------------------------------------------------


def read_rows(filename: str, data: bytes, max_rows: int = MAX_ROWS) -> list[Row]:
    """The rows of a JSON or CSV import file; raises TransferError for a file-level problem."""
    if len(data) > MAX_BYTES:
        raise TransferError(
            f"The file is {len(data):,} bytes; the limit is {MAX_BYTES:,} (1 MiB). "
            "Split it into smaller files."
        )
    text = decode(data)
    kind = file_kind(filename, text)
    rows = _json_rows(text) if kind == "json" else _csv_rows(text)
    if not rows:
        raise TransferError("The file has no events in it.")
    if len(rows) > max_rows:
        raise TransferError(
            f"The file has {len(rows):,} events; the limit is {max_rows:,} a file. "
            "Split it into smaller files."
        )
    return rows


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")  # a spreadsheet's byte-order mark is fine
    except UnicodeDecodeError as error:
        raise TransferError(
            f"The file is not UTF-8 text (byte {error.start + 1} cannot be read). "
            "Save it as UTF-8 (in a spreadsheet: CSV UTF-8) and try again."
        ) from None


def file_kind(filename: str, text: str) -> str:
    name = filename.lower()
    if name.endswith(".json"):
        return "json"
    if name.endswith(".csv"):
        return "csv"
    if text.lstrip()[:1] in ("[", "{"):
        return "json"
    if text.lstrip().lower().startswith(("id,", "date,", "title,")):
        return "csv"
    raise TransferError("Send a .json or .csv file (see data/examples/ for the layout).")


def _json_rows(text: str) -> list[Row]:
    try:
        document = json.loads(text, parse_int=_number, parse_float=_number)
    except json.JSONDecodeError as error:
        raise TransferError(
            f"The file is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}."
        ) from None
    except RecursionError:
        raise TransferError("The JSON is nested too deeply to be a list of events.") from None
    if isinstance(document, dict) and isinstance(document.get("events"), list):
        start = _top_level_value(text, "events")
    elif isinstance(document, list):
        start = len(text) - len(text.lstrip())
    else:
        raise TransferError('A JSON import is a list of events, or an object with an "events" list.')
    return _array_items(text, start)


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def _top_level_value(text: str, wanted: str) -> int:
    """Where the value of the top-level key `wanted` starts (the last one, as json.loads keeps)."""
    decoder = json.JSONDecoder()
    position = _skip_space(text, _skip_space(text, 0) + 1)  # past the opening brace
    found = -1
    while text[position] != "}":
        key, position = decoder.raw_decode(text, position)
        position = _skip_space(text, _skip_space(text, position) + 1)  # past the colon
        if key == wanted:
            found = position
        _, position = decoder.raw_decode(text, position)
        position = _skip_space(text, position)
        if text[position] == ",":
            position = _skip_space(text, position + 1)
    return found


class TooLong(str):
    """A JSON number literal too long to be a value of any field; the row names it."""


def _number(literal: str) -> int | float | str:
    """Numbers as JSON gives them, but a literal of thousands of digits is kept as text (Python
    refuses to parse an integer of over 4,300 digits, and no field is a number anyway)."""
    if len(literal) > NUMBER_DIGITS_MAX:
        return TooLong(literal)
    return float(literal) if any(mark in literal for mark in ".eE") else int(literal)


def _array_items(text: str, start: int) -> list[Row]:
    """Each item of the (already validated) JSON array at `start`, with the line it starts on."""
    decoder = json.JSONDecoder(parse_int=_number, parse_float=_number)
    rows: list[Row] = []
    line, counted = 1, 0
    position = _skip_space(text, start + 1)
    while text[position] != "]":
        line += text.count("\n", counted, position)
        counted = position
        value, position = decoder.raw_decode(text, position)
        rows.append(Row(line, value))
        position = _skip_space(text, position)
        if text[position] == ",":
            position = _skip_space(text, position + 1)
    return rows


def _csv_rows(text: str) -> list[Row]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        columns = _csv_header(header or [])
        rows: list[Row] = []
        next_line = reader.line_num + 1
        for cells in reader:
            line, next_line = next_line, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue  # blank lines are allowed anywhere
            if len(cells) > len(columns):
                problem = f"has {len(cells)} cells; the header names {len(columns)} columns"
                rows.append(Row(line, None, problem))
                continue
            rows.append(Row(line, _csv_mapping(columns, cells)))
    except csv.Error as error:
        raise TransferError(f"The CSV cannot be read at line {reader.line_num}: {error}.") from None
    return rows


def _csv_header(header: list[str]) -> list[str]:
    """The header's columns, checked in one pass: a known name each, none twice."""
    known = ",".join(CSV_COLUMNS) + " (and title_ca, summary_ca and so on for translations)"
    if not any(cell.strip() for cell in header[: len(KNOWN_COLUMNS) + 1]):
        raise TransferError(f"The CSV has no header line; the first line names the columns: {known}.")
    columns: list[str] = []
    for cell in header:
        name = cell.strip().lower()
        if name not in KNOWN_COLUMNS:
            raise TransferError(
                f"The CSV column `{quoted(name, 40)}` is not one I know; the columns are {known}."
            )
        if name in columns:  # at most 17 names: each look is short, whatever the header's length
            raise TransferError(f"The CSV names the column `{name}` twice.")
        columns.append(name)
    missing = [name for name in ("date", "title") if name not in columns]
    if missing:
        raise TransferError(f"The CSV has no `{missing[0]}` column; every event needs a date and a title.")
    return columns


def _csv_mapping(columns: list[str], cells: list[str]) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    for name, cell in zip(columns, cells, strict=False):
        value = unneutralise_cell(cell)
        if name in TRANSLATION_COLUMNS:
            if value.strip():  # an empty cell: no translation into that language
                field_name, language = name.rsplit("_", 1)
                raw.setdefault("translations", {}).setdefault(language, {})[field_name] = value
        elif name == "russia":
            raw[name] = _truth(value)
        elif name in ("people", "places", "tags", "aliases"):
            raw[name] = [part for part in value.split(LIST_SEPARATOR) if part.strip()]
        else:
            raw[name] = value
    return raw


def _truth(text: str) -> bool | str:
    """true/false, yes/no, 1/0 or empty; anything else is passed on for validation to name."""
    word = text.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    return text


# -- deciding what an import adds ----------------------------------------------------------


@dataclass(frozen=True)
class RowNote:
    line: int
    text: str  # plain text; may quote the file's own words, so escape it before display


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
    title (`Strike 1` is never a twin of `Strike 2`) the most recent ones for fuzzy comparison."""

    exact: dict[str, str] = field(default_factory=dict)  # title key -> who has it
    recent: dict[tuple[str, ...], list[tuple[str, str]]] = field(default_factory=dict)

    def twin(self, key: str, planner: ImportPlanner) -> str:
        if (label := self.exact.get(key)) is not None:
            return label
        window = self.recent.get(tuple(_DIGITS.findall(key)), [])[-FUZZY_WINDOW:]
        planner.compared += len(window)
        keys = [other for other, _ in window]
        found = process.extractOne(key, keys, scorer=fuzz.ratio, score_cutoff=DUPLICATE_RATIO)
        return window[found[2]][1] if found is not None else ""

    def add(self, key: str, label: str) -> None:
        self.exact.setdefault(key, label)
        self.recent.setdefault(tuple(_DIGITS.findall(key)), []).append((key, label))


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
            self._same_date(event.date.edtf()).add(title_key(event.title), f"“{event.title}”")
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

    def _verdict(self, row: Row) -> tuple[str, EventFields | str]:
        if row.problem or not isinstance(row.raw, dict):
            return "rejected", row.problem or "is not an object of fields (id, date, title, …)"
        if problem := _unreadable(row.raw):
            return "rejected", problem
        raw = dict(row.raw)
        if not str(raw.get("id") or "").strip():
            title = raw.get("title")
            raw["id"] = slug_for(title if isinstance(title, str) else "", self.taken)
            self.taken.add(raw["id"])
        try:
            fields = EventFields.from_mapping(raw)
        except FieldErrors as error:
            return "rejected", str(error)
        if fields.slug in self.seen:
            return "duplicate", f"same id as line {self.seen[fields.slug]}"
        if (existing := self.by_id.get(fields.slug)) is not None:
            whose = "the bundled event " if existing.is_bundled else ""
            gone = " (removed; `/events restore` brings it back)" if existing.deleted else ""
            return "duplicate", f"same id as {whose}“{existing.title}”{gone}"
        same_date = self._same_date(fields.date.edtf())
        key = title_key(fields.title)
        if twin := same_date.twin(key, self):
            return "duplicate", f"same date and title as {twin}"
        self.seen[fields.slug] = row.line
        same_date.add(key, f"line {row.line}")
        return "added", fields


def _unreadable(raw: dict[str, Any]) -> str:
    """Why a JSON row's values cannot be stored as text, or "": a number literal thousands of
    digits long, or a lone surrogate escape (`\\ud800`), which is no character at all."""
    for name, value in raw.items():
        field_name = quoted(str(name), 40)
        # fields hold text or lists of text; anything nested deeper is refused by validation
        for text in value if isinstance(value, list) else [value]:
            if isinstance(text, TooLong):
                return f"{field_name}: a number {len(text):,} digits long is not a value I can store"
            if isinstance(text, str) and any("\ud800" <= char <= "\udfff" for char in text):
                return f"{field_name}: holds a lone surrogate escape (like \\ud800), which is no character"
    return ""


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


# -- writing ----------------------------------------------------------------------------------


def write_json(events: Sequence[EventFields]) -> bytes:
    """The import format itself: reading this back gives the same fields."""
    document = {
        "format": JSON_FORMAT_NAME,
        "version": 1,
        "events": [fields.as_mapping() for fields in events],
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def write_csv(events: Sequence[EventFields]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    # translation columns only for the languages some event is written in: most files have none
    languages = {t.language for fields in events for t in fields.translations}
    extra = [name for name in TRANSLATION_COLUMNS if name.rsplit("_", 1)[1] in languages]
    writer.writerow([*CSV_COLUMNS, *extra])
    for fields in events:
        row = fields.as_mapping()
        for translation in fields.translations:
            row[f"title_{translation.language}"] = translation.title
            row[f"summary_{translation.language}"] = translation.summary
        cells = []
        for name in (*CSV_COLUMNS, *extra):
            value = row.get(name, "")
            if isinstance(value, list):
                value = LIST_SEPARATOR.join(value)
            elif isinstance(value, bool):
                value = "true" if value else "false"
            cells.append(neutralise_cell(value))
        writer.writerow(cells)
    return out.getvalue().encode("utf-8")


def neutralise_cell(text: str) -> str:
    """A cell a spreadsheet would run as a formula gets a leading quote, which it shows as text.
    A cell that already starts with a quote gets one too, so that reading back is exact."""
    return "'" + text if text.startswith((*_FORMULA_STARTS, "'")) else text


def unneutralise_cell(text: str) -> str:
    """Undo `neutralise_cell`, so that an exported CSV imports as the same events."""
    escaped = text.startswith("'") and text[1:].startswith((*_FORMULA_STARTS, "'"))
    return text[1:] if escaped else text


def write_timelinejs(events: Sequence[EventFields], title: str) -> bytes:
    """Knight Lab TimelineJS3 JSON. Its text fields are HTML, so every value is escaped."""
    slides = []
    for fields in events:
        slide: dict[str, Any] = {
            "unique_id": fields.slug,
            "start_date": _timeline_date(fields.date.start),
            "display_date": fields.date.display(),
            "text": {"headline": html.escape(fields.title), "text": _timeline_text(fields)},
        }
        if fields.date.end is not None:
            slide["end_date"] = _timeline_date(fields.date.end)
        if fields.tags:
            slide["group"] = html.escape(fields.tags[0])
        slides.append(slide)
    document = {"title": {"text": {"headline": html.escape(title), "text": ""}}, "events": slides}
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _timeline_date(day: PartialDate) -> dict[str, str]:
    parts = {"year": str(day.year)}
    if day.month is not None:
        parts["month"] = str(day.month)
    if day.day is not None:
        parts["day"] = str(day.day)
    return parts


def _timeline_text(fields: EventFields) -> str:
    paragraphs = [f"<p>{html.escape(fields.summary)}</p>"] if fields.summary else []
    if fields.source:
        paragraphs.append(f"<p>Source: {html.escape(fields.source)}</p>")
    return "".join(paragraphs)


def export_filename(guild_id: int, kind: str) -> str:
    suffix = {"json": "events.json", "csv": "events.csv", "timelinejs": "timeline.json"}[kind]
    return f"almanac-{guild_id}-{suffix}"
