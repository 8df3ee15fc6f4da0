"""Event files in and out: JSON and CSV imports, JSON, CSV and TimelineJS exports.

Pure functions on bytes and plain values: no database, no Discord. Reading keeps each row's line
number so that a rejected row can be named the way a spreadsheet or an editor shows it;
`bot/curation/import_plan.py` then decides, row by row, what an import adds, skips or rejects.
"""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from babel.numbers import format_decimal

from bot.dates.partial import PartialDate
from bot.i18n.errors import UserError
from bot.i18n.languages import SOURCE_LANGUAGE, TRANSLATED
from bot.i18n.messages import Text, said, said_n
from bot.i18n.text import quoted
from bot.model.event import EventFields

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
FORMATS = ("json", "csv", "timelinejs", "ics")
JSON_FORMAT_NAME = "almanac-events"
NUMBER_DIGITS_MAX = 30  # a longer number literal in a JSON import is refused, not parsed
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_TRUE = frozenset({"true", "yes", "y", "1"})
_FALSE = frozenset({"false", "no", "n", "0", ""})


class TransferError(UserError):
    """The file as a whole cannot be read; nothing in it was looked at row by row."""


@dataclass(frozen=True, slots=True)
class Number:
    """A count or a size as a value in a message, grouped as the reader's language writes it:
    `1,048,576` in English, `1.048.576` in Catalan and Spanish, `1 048 576` in Russian."""

    value: int

    def in_language(self, language: str) -> str:
        return str(format_decimal(self.value, locale=language))

    def __str__(self) -> str:
        return self.in_language(SOURCE_LANGUAGE)


@dataclass(frozen=True)
class Row:
    line: int  # where the row starts in the file, counting from 1
    raw: Any  # field -> value, as the file gives it
    problem: Text | None = None  # set when the row could not even be split into fields


# -- reading ----------------------------------------------------------------------------------


def read_rows(filename: str, data: bytes, max_rows: int = MAX_ROWS) -> list[Row]:
    """The rows of a JSON or CSV import file; raises TransferError for a file-level problem."""
    if len(data) > MAX_BYTES:
        raise TransferError(
            said(
                "The file is {size} bytes; the limit is {limit} (1 MiB). Split it into smaller files.",
                size=Number(len(data)),
                limit=Number(MAX_BYTES),
            )
        )
    text = decode(data)
    kind = file_kind(filename, text)
    rows = _json_rows(text) if kind == "json" else _csv_rows(text)
    if not rows:
        raise TransferError(said("The file has no events in it."))
    if len(rows) > max_rows:
        raise TransferError(
            said_n(
                "The file has {number} event; the limit is {limit} a file. Split it into smaller files.",
                "The file has {number} events; the limit is {limit} a file. Split it into smaller files.",
                len(rows),
                number=Number(len(rows)),
                limit=Number(max_rows),
            )
        )
    return rows


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")  # a spreadsheet's byte-order mark is fine
    except UnicodeDecodeError as error:
        raise TransferError(
            said(
                "The file is not UTF-8 text (byte {byte} cannot be read). "
                "Save it as UTF-8 (in a spreadsheet: CSV UTF-8) and try again.",
                byte=error.start + 1,
            )
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
    raise TransferError(said("Send a .json or .csv file (see data/examples/ for the layout)."))


def _json_rows(text: str) -> list[Row]:
    try:
        document = json.loads(text, parse_int=_number, parse_float=_number)
    except json.JSONDecodeError as error:
        raise TransferError(
            said(
                "The file is not valid JSON: {reason} at line {line}, column {column}.",
                reason=error.msg,
                line=error.lineno,
                column=error.colno,
            )
        ) from None
    except RecursionError:
        raise TransferError(said("The JSON is nested too deeply to be a list of events.")) from None
    if isinstance(document, dict) and isinstance(document.get("events"), list):
        start = _top_level_value(text, "events")
    elif isinstance(document, list):
        start = len(text) - len(text.lstrip())
    else:
        raise TransferError(said('A JSON import is a list of events, or an object with an "events" list.'))
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
                named = said_n("{count} column", "{count} columns", len(columns))
                problem = said_n(
                    "has {count} cell; the header names {columns}",
                    "has {count} cells; the header names {columns}",
                    len(cells),
                    columns=named,
                )
                rows.append(Row(line, None, problem))
                continue
            rows.append(Row(line, _csv_mapping(columns, cells)))
    except csv.Error as error:
        raise TransferError(
            said("The CSV cannot be read at line {line}: {reason}.", line=reader.line_num, reason=str(error))
        ) from None
    return rows


def _csv_header(header: list[str]) -> list[str]:
    """The header's columns, checked in one pass: a known name each, none twice."""
    known = said(
        "{columns} (and title_ca, summary_ca and so on for translations)", columns=",".join(CSV_COLUMNS)
    )
    if not any(cell.strip() for cell in header[: len(KNOWN_COLUMNS) + 1]):
        raise TransferError(
            said("The CSV has no header line; the first line names the columns: {known}.", known=known)
        )
    columns: list[str] = []
    for cell in header:
        name = cell.strip().lower()
        if name not in KNOWN_COLUMNS:
            raise TransferError(
                said(
                    "The CSV column `{name}` is not one I know; the columns are {known}.",
                    name=quoted(name, 40),
                    known=known,
                )
            )
        if name in columns:  # at most 17 names: each look is short, whatever the header's length
            raise TransferError(said("The CSV names the column `{name}` twice.", name=name))
        columns.append(name)
    missing = [name for name in ("date", "title") if name not in columns]
    if missing:
        raise TransferError(
            said("The CSV has no `{name}` column; every event needs a date and a title.", name=missing[0])
        )
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


# -- writing ----------------------------------------------------------------------------------


def write_json(events: Sequence[EventFields]) -> bytes:
    """The import format itself: reading this back gives the same fields."""
    document = {
        "format": JSON_FORMAT_NAME,
        "version": 1,
        "events": [fields.as_mapping() for fields in events],
    }
    return _json_bytes(document)


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
    return _json_bytes(document)


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
    suffix = {
        "json": "events.json",
        "csv": "events.csv",
        "timelinejs": "timeline.json",
        "ics": "calendar.ics",
    }[kind]
    return f"almanac-{guild_id}-{suffix}"


def _json_bytes(document: object) -> bytes:
    """`document` as indented JSON, written piece by piece: `json.dumps` would join millions of
    pieces of a big export in one call, holding the interpreter (and every other reply) for it."""
    out = io.StringIO()
    json.dump(document, out, ensure_ascii=False, indent=2)
    out.write("\n")
    return out.getvalue().encode("utf-8")
