"""Fuzzing every way text gets into the bot: command arguments, the add/edit modal, import files,
daily-post settings and the data file.

The properties, for any input:
* the only exception is a UserError, a short sentence for people (FieldErrors for the modal,
  which names the boxes);
* a refused change writes nothing: the database digest is the same before and after;
* whatever is drawn fits Discord's limits and carries no mention that could ping and no masked
  link;
* a CSV export never starts a cell with a spreadsheet formula, and reads back as the same events.

Each test builds the application once and hypothesis runs all its examples against that one
database, so a property must also hold after the earlier examples' changes. Examples are
derandomized, so the suite is deterministic; `ALMANAC_FUZZ_EXAMPLES=2000 pytest tests/system/test_fuzz.py`
searches longer, with fresh random examples.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import hashlib
import io
import itertools
import json
import os
import re
import sqlite3
from collections.abc import Awaitable
from pathlib import Path
from typing import Any, TypeVar

import discord
import pytest
import simcord
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from bot.chronology.reader import ChronologyError, load_chronology, validate_entries
from bot.curation import formats
from bot.curation.forms import EventForm
from bot.daily.embeds import post_content, post_embed, post_mentions, settings_embed
from bot.i18n.errors import UserError
from bot.model.event import EventFields, FieldErrors
from bot.render import embeds
from bot.render.text import to_text
from bot.runtime import Services
from bot.shell import ShellContext, ask
from cogs.errors import error_message
from cogs.event_modal import problems_message
from cogs.references import event_choices
from tests.support import AddEvent, World, live_links

T = TypeVar("T")

GUILD = 811_111_111_111_111_111  # the server the fuzzed commands run in
OTHER = 822_222_222_222_222_222  # another server with its own hostile events
ACTOR = 833_333_333_333_333_333
USER_ID = 844_444_444_444_444_444  # ids user text tries to mention
ROLE_ID = 855_555_555_555_555_555
TODAY = dt.date(2026, 3, 1)

_DEEP = int(os.environ.get("ALMANAC_FUZZ_EXAMPLES", "0"))


def fuzz(examples: int) -> Any:
    return settings(
        max_examples=_DEEP or examples,
        derandomize=not _DEEP,
        database=None,
        deadline=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
        ],
    )


# -- what hostile text looks like --------------------------------------------------------------

MENTIONS = ["@everyone", "@here", f"<@{USER_ID}>", f"<@!{USER_ID}>", f"<@&{ROLE_ID}>"]
MARKDOWN = [
    "**",
    "__",
    "~~",
    "||",
    "`",
    "```",
    "> ",
    "# ",
    "- ",
    "[x](https://example.com)",
    "[a](https://ok)[b](https://evil)",  # discord.py's escape_markdown defused only the first
    "\\",
    "*",
    "_",
]
ODD = [
    "\u202e",
    "\u200f",
    "\u200b",
    "\ufeff",
    "\x00",
    "\x07",
    "\x1b[31m",
    "\r\n",
    "\n",
    "\t",
    " ",
    "'",
    '"',
    "🎉",
    "ﬃ",
    "ß",
    "İ",
    "Ω",
    "Петроград",
    "ا",
    "Ǆ",
    "²",
    "٣",
    "…",
]
FORMULAS = ["=cmd()", '=HYPERLINK("http://x")', "+1", "-1", "@SUM(A1:A2)", "'=1", "\t=1", "\r=1"]
INJECTION = [
    "'; DROP TABLE events; --",
    "%s",
    "{0}",
    "#",
    "#1",
    "#²",
    "#٣",
    "#" + "9" * 25,
    "--1",
    ":",
    ";",
    ",",
]
DATEISH = [
    "16",
    "March",
    "1921",
    "1921-03-02",
    "03-16",
    "16/3",
    "29 February",
    "tomorrow",
    "yesterday",
    "today",
    " to ",
    "-",
    "/",
    "~",
    "?",
    "%",
    "X",
    "0",
    "0000",
    "9999",
    "12-31",
    "1918/1921",
    "..",
    "–",
    "March 1921",
    "Feb",
    "31",
    "-0044",
    "1921-03~",
    "1920-02-30",
]
NASTY = MENTIONS + MARKDOWN + ODD + FORMULAS + INJECTION


def mostly(valid: st.SearchStrategy[T], other: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """`valid` three times in four, so that enough inputs get past validation to test what follows."""
    return st.integers(0, 3).flatmap(lambda n: other if n == 0 else valid)


def hostile(*extra: str, huge: int = 4000) -> st.SearchStrategy[str]:
    """Arbitrary unicode, fragments of mentions/markdown/formulas/control characters, or one of
    them repeated up to `huge` characters."""
    words = st.sampled_from([*NASTY, *extra])
    fragments = st.lists(st.one_of(words, st.text(max_size=12)), max_size=12).map("".join)
    repeated = st.tuples(st.sampled_from([*NASTY, *extra, "a", "é "]), st.integers(1, huge)).map(
        lambda pair: (pair[0] * pair[1])[:huge]
    )
    return st.one_of(st.text(max_size=60), fragments, repeated)


DATES = hostile(*DATEISH, *DATEISH, huge=200)
VALID_DATES = [
    "1921-03-02",
    "2 March 1921",
    "March 1921",
    "1921",
    "1918/1921",
    "1921-03~",
    "1917-11-07?",
    "29 February 1920",
    "1920-01-01/1920-02-15",
    "0005-05-05",
]

# -- the checks ---------------------------------------------------------------------------------

# What Discord would turn into a ping (`escape_mentions` defuses exactly these).
PINGABLE = re.compile(r"@(?:everyone|here)|<@[!&]?\d{17,20}>")


def assert_inert(text: str | None, allowed: tuple[str, ...] = ()) -> None:
    for match in PINGABLE.finditer(text or ""):
        assert match.group() in allowed, f"a live mention {match.group()!r} in {text!r}"
    assert live_links(text) == [], f"a live masked link in {text!r}"  # its label could say anything


def assert_fits(embed: discord.Embed, allowed: tuple[str, ...] = ()) -> None:
    """Within every limit Discord enforces on an embed (its numbers, not render's), with no field
    empty and no live mention."""
    assert len(embed) <= 6000
    assert len(embed.title or "") <= 256
    assert len(embed.description or "") <= 4096
    assert len(embed.footer.text or "") <= 2048
    assert len(embed.fields) <= 25
    for field in embed.fields:
        assert (field.name or "").strip() and len(field.name or "") <= 256
        assert (field.value or "").strip() and len(field.value or "") <= 1024
        assert_inert(field.name, allowed)
        assert_inert(field.value, allowed)
    for text in (embed.title, embed.description, embed.footer.text):
        assert_inert(text, allowed)


def assert_sentence(error: BaseException) -> None:
    """A refusal people can read: short, one line, no traceback, and inert once sent to Discord."""
    assert isinstance(error, UserError), repr(error)
    text = str(error)
    assert 0 < len(text) < 300 and "\n" not in text and "Traceback" not in text, text
    shown = error_message(error)
    assert shown is not None
    assert_inert(shown)


async def attempt(work: Awaitable[T]) -> T | None:
    """The answer, or None after checking that the refusal is a proper sentence."""
    try:
        return await work
    except UserError as error:
        assert_sentence(error)
        return None


def digest(database: Path) -> str:
    """Every row of every table, hashed: equal digests mean nothing was written."""
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        return hashlib.sha256("\n".join(db.iterdump()).encode()).hexdigest()


# -- a server full of hostile events ------------------------------------------------------------


@pytest.fixture
async def hostile_events(add_event: AddEvent) -> None:
    """Events at every length limit, made of mentions, markdown and odd characters, in two servers:
    many on one day (today in most tests), some spread over the coming weeks."""
    full = {
        "summary": ("@everyone **bold** " * 40)[:600],
        "people": [(f"<@{USER_ID}> __x__ " * 10)[:98] + str(n) for n in range(20)],
        "places": [("*_" * 49) + str(n) for n in range(20)],
        "tags": [("@here|| " * 15)[:98] + str(n) for n in range(20)],
        # with the tags, just under the 4,000 characters the edit form's box holds
        "aliases": [(f"<@&{ROLE_ID}>`" * 5)[:87] + f" alias {n}" for n in range(20)],
        "source": ("[x](https://example.com) " * 20)[:300],
        "note": ("> quote\n" * 80)[:600],
    }
    for guild in (GUILD, OTHER):
        await add_event(guild, "1921-03-01", ("@everyone " * 12)[:100], **full)
        for n in range(30):
            title = f"{MENTIONS[n % len(MENTIONS)]} {MARKDOWN[n % len(MARKDOWN)]} event {n} {guild}"
            await add_event(guild, f"19{10 + n:02d}-03-01", title, summary=("_*~ " * 150)[:600])
        for n in range(40):
            await add_event(
                guild,
                f"1920-{3 + n // 28:02d}-{1 + n % 28:02d}",
                f"Spread <@{USER_ID}> {n}",
                summary="@here " * 100,
                russia=True,
            )
        await add_event(guild, "1921-03-01/1921-04-20", f"A long @everyone siege {guild}", summary="x" * 600)


# -- /onthisday, /event, /search, /timeline, /upcoming, autocomplete ---------------------------


@fuzz(100)
@given(
    text=DATES, guild=st.sampled_from([0, GUILD]), today=st.dates(dt.date(1900, 1, 1), dt.date(2200, 12, 31))
)
@example(text="@everyone", guild=GUILD, today=TODAY)  # quoted back in the refusal: escaped
@example(text="0\n0", guild=GUILD, today=TODAY)  # quoted back on one line
async def test_onthisday_answers_any_day_within_limits(
    services: Services, database_path: Path, hostile_events: None, text: str, guild: int, today: dt.date
) -> None:
    before = digest(database_path)
    answer = await attempt(services.almanac.on_this_day(guild, text, today))
    if answer is not None:
        assert_fits(embeds.day_embed(answer))
        to_text(answer)
    assert digest(database_path) == before


@fuzz(100)
@given(name=hostile(huge=300), guild=st.sampled_from([0, GUILD]))
@example(name="#²", guild=GUILD)  # a digit to str.isdigit, not to int()
@example(name="#" + "9" * 25, guild=GUILD)  # too big for SQLite
async def test_event_answers_any_name_within_limits(
    services: Services, database_path: Path, hostile_events: None, name: str, guild: int
) -> None:
    before = digest(database_path)
    answer = await attempt(services.almanac.lookup(guild, name))
    if answer is not None and answer.event is not None:
        assert answer.event.scope in (0, guild)
        assert_fits(embeds.event_embed(answer.event))
    elif answer is not None:
        message = embeds.not_found_message(answer)
        assert len(message) <= 2000
        assert_inert(message)
    assert digest(database_path) == before


@fuzz(80)
@given(query=hostile(huge=300), guild=st.sampled_from([0, GUILD]))
async def test_search_answers_any_query_on_every_page_within_limits(
    services: Services, database_path: Path, hostile_events: None, query: str, guild: int
) -> None:
    before = digest(database_path)
    answer = await attempt(services.almanac.search(guild, query))
    if answer is not None:
        assert all(event.scope in (0, guild) for event in answer.events)
        for page in range(embeds.page_count(answer)):
            assert_fits(embeds.list_page_embed(answer, page))
    assert digest(database_path) == before


@fuzz(80)
@given(start=st.one_of(st.none(), DATES), end=st.one_of(st.none(), DATES))
async def test_timeline_answers_any_span_on_every_page_within_limits(
    services: Services, database_path: Path, hostile_events: None, start: str | None, end: str | None
) -> None:
    before = digest(database_path)
    answer = await attempt(services.almanac.timeline(GUILD, start, end))
    if answer is not None:
        for page in range(embeds.page_count(answer)):
            assert_fits(embeds.list_page_embed(answer, page))
    assert digest(database_path) == before


@fuzz(40)
@given(
    days=st.one_of(st.none(), st.integers(-(2**70), 2**70), st.integers(0, 32)),
    today=st.dates(dt.date(1900, 1, 1), dt.date(2200, 12, 31)),
)
async def test_upcoming_answers_any_count_within_limits(
    services: Services, hostile_events: None, days: int | None, today: dt.date
) -> None:
    answer = await attempt(services.almanac.upcoming(GUILD, days, today))
    if answer is not None:
        for page in embeds.upcoming_pages(answer):
            assert_fits(page)


@fuzz(100)
@given(text=hostile(huge=500), guild=st.sampled_from([0, GUILD]), own_only=st.booleans())
async def test_every_autocomplete_choice_is_valid_and_opens_its_event(
    services: Services, hostile_events: None, text: str, guild: int, own_only: bool
) -> None:
    hits = await services.almanac.complete(guild, text, own_only=own_only)

    assert len(hits) <= 25
    for hit in hits:
        (choice,) = event_choices([hit])
        assert 1 <= len(choice.name) <= 100 and 1 <= len(choice.value) <= 100
    if hits:
        opened = await services.almanac.event(guild, hits[0].event_id)
        assert opened.event is not None and opened.event.id == hits[0].event_id


@fuzz(100)
@given(
    command=st.sampled_from(
        [
            "onthisday",
            "event",
            "search",
            "timeline",
            "upcoming",
            "anniversaries",
            "anniversaries preview",
            "nosuch",
            "",
        ]
    ),
    args=hostile(*DATEISH, huge=300),
    as_json=st.booleans(),
)
@example(command="upcoming", args="²", as_json=False)  # str.isdigit says yes, int() says no
@example(command="upcoming", args="--1", as_json=True)
async def test_the_shell_answers_any_line(
    services: Services, hostile_events: None, command: str, args: str, as_json: bool
) -> None:
    context = ShellContext(services.almanac, services.anniversaries, GUILD, TODAY)

    output, status = await ask(context, f"/{command} {args}", as_json=as_json)

    assert status in (0, 2)
    if as_json:
        assert set(json.loads(output)) == {"command", "events", "related", "message", "error"}


# -- the add/edit modal ------------------------------------------------------------------------


forms = st.builds(
    EventForm,
    title=mostly(st.text(min_size=1, max_size=100), hostile(huge=4000)),
    date=mostly(st.sampled_from(VALID_DATES), DATES),
    summary=mostly(hostile(huge=600), hostile(huge=4000)),
    source=mostly(hostile(huge=300), hostile(huge=4000)),
    labels=mostly(hostile("tags: ", "also: ", "\n", ";", huge=300), hostile("other names:", huge=4000)),
)


async def changed_or_refused(database: Path, work: Awaitable[T]) -> T | None:
    """Run a change: either it is made, or it is refused with readable reasons and writes nothing."""
    before = digest(database)
    try:
        done = await work
        event("made")
        return done
    except FieldErrors as error:
        event("refused: FieldErrors")
        message = problems_message(error)
        assert message.startswith("Not saved yet:") and len(message) <= 2000
        assert_inert(message)
    except UserError as error:
        event(f"refused: {type(error).__name__}")
        assert_sentence(error)
    assert digest(database) == before
    return None


@fuzz(100)
@given(first=forms, second=forms)
async def test_the_modal_saves_valid_boxes_and_refuses_the_rest_without_writing(
    services: Services, database_path: Path, first: EventForm, second: EventForm
) -> None:
    counts = await services.store.counts()
    added = await changed_or_refused(database_path, services.curation.add(GUILD, ACTOR, first))
    if added is None:
        return
    after = await services.store.counts()
    assert after["server_events"] == counts["server_events"] + 1
    assert after["audit_entries"] == counts["audit_entries"] + 1
    assert_fits(embeds.event_embed(added))

    edited = await changed_or_refused(database_path, services.curation.edit(GUILD, ACTOR, added, second))
    if edited is not None:
        assert_fits(embeds.event_embed(edited))
    history = await services.curation.history(GUILD, added.id)
    for page in range(embeds.history_page_count(history)):
        assert_fits(embeds.history_embed(history, page), allowed=(f"<@{ACTOR}>",))


# -- import files ------------------------------------------------------------------------------

FIELD_NAMES = [*formats.CSV_COLUMNS, "junk", "", " Title ", "DATE"]
EDTF = [
    "1921-03-02",
    "1921",
    "1921-03",
    "1918/1921",
    "1921-03~",
    "1917-11-07?",
    "1920-01-01/1920-02-15",
    "0005-05-05",
    "1920-02-29",
]
values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False),
        hostile(huge=700),
        st.sampled_from(EDTF),
    ),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
short_text = st.text(min_size=1, max_size=100)
good_row = st.fixed_dictionaries(
    {"date": st.sampled_from(EDTF), "title": short_text},
    optional={
        "summary": hostile(huge=700),
        "russia": st.booleans(),
        "tags": st.lists(mostly(short_text, hostile(huge=120)), max_size=3),
        "id": mostly(st.from_regex(r"[a-z0-9]{1,10}", fullmatch=True), values),
    },
)
bad_row = st.dictionaries(st.sampled_from(FIELD_NAMES), values, max_size=8) | values
json_rows = st.lists(mostly(good_row, bad_row), min_size=1, max_size=5)
json_documents = mostly(
    json_rows | st.builds(lambda rows, fmt: {"format": fmt, "events": rows}, json_rows, values), values
).map(lambda document: json.dumps(document, ensure_ascii=False))
cells = hostile(*FORMULAS, *EDTF, huge=1200)
csv_documents = st.builds(
    lambda header, rows, ending: "".join(
        ending.join(",".join(_csv_cell(cell) for cell in row) for row in [header, *rows]) + ending
    ),
    mostly(st.just(["date", "title", "summary", "tags"]), st.lists(st.sampled_from(FIELD_NAMES), max_size=8)),
    st.lists(
        st.tuples(mostly(st.sampled_from(EDTF), cells), mostly(short_text, cells), cells, cells).map(list)
        | st.lists(cells, max_size=9),
        min_size=1,
        max_size=6,
    ),
    st.sampled_from(["\n", "\r\n", "\r"]),
)
ENCODINGS = ["utf-8-sig", "utf-16", "utf-16-be", "utf-32", "latin-1", "cp1252"]
BOMS = [b"", codecs.BOM_UTF8, codecs.BOM_UTF8 * 2, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE]


def _csv_cell(text: str) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow([text])
    return out.getvalue()


ODD_NAMES = ["events.txt", "events", ".json", "EVENTS.CSV", "@everyone **x**.csv", "a" * 300 + ".json"]
documents = st.one_of(
    json_documents.map(lambda text: ("events.json", text)),
    csv_documents.map(lambda text: ("events.csv", text)),
)
mangled = st.builds(
    lambda text, encoding, bom, cut: (bom + text.encode(encoding, errors="replace"))[:cut],
    documents.map(lambda named: named[1]),
    st.sampled_from(ENCODINGS),
    st.sampled_from(BOMS),
    st.one_of(st.none(), st.integers(0, 3000)),
)
files = st.tuples(
    mostly(
        documents.map(lambda named: (named[0], named[1].encode())),
        st.tuples(st.sampled_from(["events.json", "events.csv"]), mangled | st.binary(max_size=3000)),
    ),
    mostly(st.none(), st.sampled_from(ODD_NAMES)),
).map(lambda pair: (pair[1] or pair[0][0], pair[0][1]))


@fuzz(150)
@given(file=files)
async def test_an_import_adds_every_row_or_writes_nothing(
    services: Services, database_path: Path, file: tuple[str, bytes]
) -> None:
    filename, data = file
    before, counts = digest(database_path), await services.store.counts()

    report = await attempt(services.curation.import_file(GUILD, ACTOR, filename, data))

    event("unreadable" if report is None else "applied" if report.applied and report.added else "not applied")
    if report is None or not report.applied or not report.added:
        assert digest(database_path) == before
    after = await services.store.counts()
    added = len(report.added) if report is not None else 0
    assert after["server_events"] == counts["server_events"] + added
    assert after["audit_entries"] == counts["audit_entries"] + added
    if report is not None:
        named = len(report.added) + len(report.duplicates) + len(report.rejected)
        assert report.rows == named if report.applied else report.rows >= named
        assert len(report.headline()) < 300
        assert_fits(embeds.import_embed(report, filename, attached=True))


def test_huge_rows_and_too_many_rows_are_refused_whole() -> None:
    wide = b"date,title,summary\n1921," + b"x" * formats.MAX_BYTES + b"\n"
    many = b"date,title\n" + b"1921,t\n" * (formats.MAX_ROWS + 1)
    deep = b"[" * 100_000 + b"]" * 100_000

    for name, data in (("wide.csv", wide), ("many.csv", many), ("deep.json", deep[: formats.MAX_BYTES])):
        with pytest.raises(formats.TransferError) as refused:
            formats.read_rows(name, data)
        assert_sentence(refused.value)


# -- exports -----------------------------------------------------------------------------------

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
spreadsheet_text = st.tuples(
    st.sampled_from(["", "", *FORMULAS, "=", "+", "-", "@", "'", "''", "'@"]), st.text(max_size=40)
).map("".join)
export_rows = st.lists(
    st.fixed_dictionaries(
        {
            "date": st.sampled_from(["1921-03-02", "1918/1921", "1917-11-07?", "1921-03~", "0005-05-05"]),
            "title": spreadsheet_text,
            "summary": spreadsheet_text,
            "source": spreadsheet_text,
            "note": spreadsheet_text,
            "people": st.lists(spreadsheet_text, max_size=3),
            "tags": st.lists(spreadsheet_text, max_size=3),
            "russia": st.booleans(),
        }
    ),
    min_size=1,
    max_size=5,
)
_servers = itertools.count(900_000_000_000_000_000)


def _valid(raw: dict[str, Any], number: int) -> EventFields | None:
    raw = raw | {"id": f"row-{number}", "title": f"{raw['title'][:90]} {number}"}
    try:
        return EventFields.from_mapping(raw)
    except FieldErrors:
        return None


@fuzz(60)
@given(rows=export_rows)
@example(
    rows=[
        {
            "date": "1921-03-02",
            "title": "=1+1",
            "summary": "-1",
            "source": "@SUM(A1)",
            "note": "'",
            "people": ["a;b"],
            "tags": [";"],
            "russia": False,
        }
    ]
)  # `;` is the CSV list separator
async def test_exports_neutralise_formulas_and_import_back_as_the_same_events(
    services: Services, rows: list[dict[str, Any]]
) -> None:
    source, csv_copy, json_copy = next(_servers), next(_servers), next(_servers)
    fields = [valid for number, raw in enumerate(rows) if (valid := _valid(raw, number))]
    if not fields:
        return
    for item in fields:
        await services.store.add_event(source, item, ACTOR)
    stored = [event.fields for event in await services.store.scope_events(source)]

    exported = await services.curation.export(source, "csv")
    table = list(csv.reader(io.StringIO(exported.data.decode("utf-8"), newline="")))
    for row in table[1:]:
        for cell in row:
            assert not cell.startswith(FORMULA_START), cell
    for copy, kind in ((csv_copy, "csv"), (json_copy, "json")):
        file = await services.curation.export(source, kind)
        report = await services.curation.import_file(copy, ACTOR, file.filename, file.data)
        assert report.applied and not report.duplicates
        assert [event.fields for event in await services.store.scope_events(copy)] == stored
    timeline = json.loads((await services.curation.export(source, "timelinejs")).data)
    for slide in timeline["events"]:
        shown = slide["text"]["headline"] + slide["text"]["text"].replace("<p>", "").replace("</p>", "")
        assert "<" not in shown and ">" not in shown


# -- daily-post settings -----------------------------------------------------------------------


TIMES = ["09:00", "9:00", "23:59", "00:00", "24:00", "9.30", "9h30", "09:60", "٠٩:٣٠", "9", "noon", ":"]
ZONES = [
    "UTC",
    "Europe/Moscow",
    "europe/moscow",
    "America/St_Johns",
    "Asia/Kathmandu",
    "Etc/GMT+12",
    "Pacific/Kiritimati",
    "Australia/Lord_Howe",
    "../../etc/passwd",
    "Europe/Nowhere",
    "local",
    "utc ",
]
snowflakes = st.integers(1, 2**63 - 1)


@fuzz(100)
@given(
    time=mostly(st.sampled_from(TIMES), hostile(*TIMES, huge=100)),
    zone=mostly(st.sampled_from(ZONES), hostile(*ZONES, huge=100)),
    empty_day=mostly(st.sampled_from(["nothing", "month", "next"]), hostile(huge=50)),
    role=st.one_of(st.none(), snowflakes),
    channel=snowflakes,
    preview=DATES,
    disable=st.booleans(),
    now=st.datetimes(dt.datetime(1971, 1, 1), dt.datetime(2100, 1, 1), timezones=st.just(dt.UTC)),
)
@example(
    time="٠٩:٣٠",
    zone="0\n0",
    empty_day="next",
    role=None,
    channel=1,
    preview="",
    disable=False,
    now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
)
@example(
    time="٠٩:٣٠",
    zone="UTC",
    empty_day="next",
    role=ROLE_ID,
    channel=1,
    preview="@everyone",
    disable=True,
    now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
)
async def test_daily_post_settings_are_saved_whole_or_not_at_all(
    services: Services,
    database_path: Path,
    hostile_events: None,
    time: str,
    zone: str,
    empty_day: str,
    role: int | None,
    channel: int,
    preview: str,
    disable: bool,
    now: dt.datetime,
) -> None:
    service = services.anniversaries
    setup = service.setup(
        GUILD,
        channel_id=channel,
        post_time=time,
        timezone=zone,
        mention_role_id=role,
        empty_day=empty_day,
        actor=ACTOR,
        now=now,
    )
    report = await changed_or_refused(database_path, setup)
    if report is not None:
        assert report.settings.post_time is not None
        assert re.fullmatch(r"[0-9]{2}:[0-9]{2}", report.settings.post_time)
        assert report.next_post is not None and report.next_post > now
        assert_fits(settings_embed(report), allowed=(f"<@&{role}>",))
    saved = await services.store.post_settings(GUILD)  # this example's, or an earlier one's
    role = saved.mention_role_id if saved is not None else None
    post = await attempt(service.preview(GUILD, preview, now))
    if post is not None:
        assert_fits(post_embed(post))
        assert post_content(post) == (f"<@&{role}>" if role else None)
        allowed = post_mentions(post).to_dict()
        assert allowed["parse"] == [] and "users" not in allowed
        assert allowed.get("roles", []) == ([role] if role else [])
    if disable:
        await changed_or_refused(database_path, service.disable(GUILD, ACTOR))


# -- the data file -----------------------------------------------------------------------------


@fuzz(100)
@given(
    entries=st.lists(
        st.dictionaries(st.sampled_from([*FIELD_NAMES, "russia", "id"]), values, max_size=9) | values,
        max_size=8,
    )
)
@example(entries=[{"id": None, "date": None, "title": None}])  # once skipped without a word
def test_the_data_file_validator_names_every_bad_entry(entries: list[Any]) -> None:
    events, problems = validate_entries(entries)

    assert all(isinstance(problem, str) and problem.startswith("event ") for problem in problems)
    named = {int(problem.split()[1].rstrip(":")) for problem in problems}
    assert len(events) + len(named) >= len(entries)  # every entry is either loaded or named
    if not problems:
        assert len(events) == len(entries)


TOML_BITS = ("[[event]]\n", 'id = "a"\n', "date = ", "title = ", '"1921"\n', "=", "[", "]\n")


@fuzz(60)
@given(data=st.one_of(st.binary(max_size=500), hostile(*TOML_BITS, huge=500).map(str.encode)))
def test_a_broken_data_file_is_one_clear_error(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "chronology.toml"
    path.write_bytes(data)
    try:
        load_chronology(path)
    except ChronologyError as error:
        assert str(error).startswith(str(path)) and error.problems


# -- every message the bot sends, in (simulated) Discord ---------------------------------------


def stored_messages(env: simcord.Env) -> list[Any]:
    """Every message in every channel as Discord stores it, ephemeral ones too (simcord's backend)."""
    return [message for channel in env.backend.messages.values() for message in channel.values()]


def message_bodies(env: simcord.Env) -> list[tuple[str, str, dict[str, Any]]]:
    """(method, path, body) of each request that creates or edits a message."""
    bodies = []
    for request in env.http_requests:
        body = request.json if isinstance(request.json, dict) else {}
        if request.path.endswith("/callback"):
            if body.get("type") not in (4, 7):  # a message, or a component's message updated
                continue
            body = body.get("data") or {}
        elif "/messages" not in request.path and "/webhooks/" not in request.path:
            continue
        if request.method in ("POST", "PATCH") and ({"content", "embeds", "components"} & set(body)):
            bodies.append((request.method, request.path, body))
    return bodies


async def test_no_reply_pings_anyone_whatever_members_type(world: World) -> None:
    """Mentions typed into every command, option, modal box and file; only the daily post's own
    role line may ping, and only that role."""
    env, guild, channel, alice, bob = world.env, world.guild, world.channel, world.alice, world.bob
    managers = guild.create_role("Managers", permissions=discord.Permissions(manage_guild=True))
    morning = guild.create_role("Morning", mentionable=True)
    other = guild.create_role("Other", mentionable=True)
    mod = guild.add_member(env.create_user("mod"), roles=[managers])
    text = f"@everyone @here <@{bob.id}> <@!{bob.id}> <@&{other.id}>"
    assert len(text) <= 100

    for command, options in [
        ("onthisday", {"date": text}),
        ("event", {"name": text}),
        ("search", {"query": text}),
        ("timeline", {"start": text, "end": text}),
        ("upcoming", {"days": 3}),
    ]:
        await alice.slash(channel, command, **options)
    await alice.autocomplete(channel, "event", "name", text)

    boxes = {
        "event:title": text,
        "event:date": "1926-01-01",
        "event:summary": f"{text} **x**",
        "event:source": text,
        "event:labels": f"tags: {text}\nalso: {text} again",
    }
    shown = await mod.slash(channel, "events add")
    refused = await mod.submit_modal(shown, boxes | {"event:date": text[:40]})
    await mod.submit_modal(await mod.click(refused.response, label="Fix and resubmit"), boxes)
    await alice.slash(channel, "event", name=text)
    edit = await mod.slash(channel, "events edit", event=text)
    await mod.submit_modal(edit, boxes | {"event:summary": text * 3})
    removed = await mod.slash(channel, "events remove", event=text)
    await mod.click(removed.response, label="Undo")
    for command in ("events restore", "events hide", "events unhide", "events history", "events edit"):
        await mod.slash(channel, command, event=text)
    await mod.slash(channel, "events history")
    rows = f"date,title,summary\n1927-01-01,{text},{text}\n1927-13-01,{text},=cmd()\n".encode()
    await mod.slash(channel, "events import", file=(f"{text}.csv", rows))
    await mod.slash(channel, "events import", file=("ok.csv", rows.replace(b"1927-13-01", b"1928-01-01")))
    await mod.slash(channel, "events export", format="csv")
    await mod.slash(channel, "events curator-role", role=other)
    await mod.slash(channel, "anniversaries setup", channel=channel, time=text[:10], timezone=text[:64])
    await mod.slash(
        channel, "anniversaries setup", channel=channel, time="00:30", timezone="UTC", role=morning
    )
    await mod.slash(channel, "anniversaries show")
    await mod.slash(channel, "anniversaries preview", date=text)
    await mod.slash(channel, "anniversaries preview")
    await mod.slash(channel, "almanac status")
    await mod.slash(channel, "almanac sync", guild=text[:25])
    await env.advance_time(31 * 60)  # the daily post: the one message allowed to ping, `morning` only
    await mod.slash(channel, "anniversaries disable")

    bodies = message_bodies(env)
    assert len(bodies) >= 30
    for method, path, body in bodies:
        allowed = body.get("allowed_mentions")
        if method == "PATCH" and allowed is None:
            continue  # an edit without a policy keeps the message's own, checked below
        assert allowed is not None and allowed["parse"] == [], (path, body)
        assert allowed.get("users", []) == [] and allowed.get("roles", []) in ([], [morning.id]), body
    # the preview shows the same role line, but only the post itself (no interaction) may ping
    daily = [
        message
        for message in stored_messages(env)
        if message.content == f"<@&{morning.id}>" and message.interaction_metadata is None
    ]
    assert len(daily) == 1 and daily[0].ping_role_ids == [morning.id]
    for message in stored_messages(env):
        assert message.mention_everyone is False and message.ping_user_ids == []
        assert message.ping_role_ids == ([morning.id] if message in daily else []), message.content
    assert all(
        isinstance(getattr(error, "original", error), UserError | discord.app_commands.CheckFailure)
        for error in env.errors
    )
