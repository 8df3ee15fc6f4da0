"""Import and export files, without a database: reading rows with their lines, the import rules,
and the three export formats."""

from __future__ import annotations

import csv
import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.curation import formats
from bot.curation.formats import CSV_COLUMNS, Row, TransferError, _csv_header, read_rows
from bot.curation.import_plan import FUZZY_WINDOW, ImportPlanner, RowNote, plan_import, slug_for
from bot.model.event import Event, EventFields
from tests.support import ROOT

CLI_ROWS = 20_000  # what `almanac import` accepts in one file

EXAMPLES = ROOT / "data" / "examples"
HEADER = ",".join(formats.CSV_COLUMNS)


def fields(slug: str, date: str, title: str, **extra: object) -> EventFields:
    return EventFields.from_mapping({"id": slug, "date": date, "title": title} | extra)


def event(event_id: int, scope: int, slug: str, date: str, title: str, *, deleted: bool = False) -> Event:
    return Event(event_id, scope, fields(slug, date, title), deleted=deleted)


def plan(
    text: str,
    filename: str = "events.csv",
    own: list[Event] | None = None,
    visible: list[Event] | None = None,
) -> tuple[list[EventFields], list[RowNote], list[RowNote]]:
    return plan_import(read_rows(filename, text.encode()), own or [], visible or (own or []))


# -- reading CSV ------------------------------------------------------------------------------


def test_csv_rows_carry_the_line_they_start_on_across_quoted_newlines_and_blank_lines() -> None:
    text = f'{HEADER}\na,1921,One,"two\nlines",,,,,,,\n\nb,1922,Two,,,,,,,,\n'

    rows = read_rows("events.csv", text.encode())

    assert [row.line for row in rows] == [2, 5]
    assert rows[0].raw["summary"] == "two\nlines"


def test_csv_lists_split_on_semicolons_and_yes_no_reads_as_russia() -> None:
    text = "title,date,tags,aliases,russia\nStrike,1921,strike; navy ;,Big strike,yes\n"

    (row,) = read_rows("x.csv", text.encode())

    assert row.raw["tags"] == ["strike", " navy "]
    assert row.raw["russia"] is True
    (accepted,), _, _ = plan_import([row], [], [])
    assert accepted.tags == ("strike", "navy") and accepted.aliases == ("Big strike",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("id,date,title,colour\n", "The CSV column `colour` is not one I know"),
        ("id,date\n", "The CSV has no `title` column"),
        ("id,date,title,date\n", "names the column `date` twice"),
        ("\n\n", "no header line"),
        (f"{HEADER}\n", "The file has no events in it."),
    ],
)
def test_a_csv_the_importer_cannot_read_is_refused_whole_with_the_reason(text: str, message: str) -> None:
    with pytest.raises(TransferError, match=message):
        read_rows("events.csv", text.encode())


def test_a_row_with_more_cells_than_the_header_is_rejected_by_line() -> None:
    _, _, rejected = plan("date,title\n1921,Fine\n1922,Too,many\n")

    assert [(note.line, note.text) for note in rejected] == [(3, "has 3 cells; the header names 2 columns")]


def test_a_byte_order_mark_is_fine_but_other_encodings_are_refused_by_name() -> None:
    assert read_rows("e.csv", "\ufeffdate,title\n1921,Ok\n".encode())[0].raw == {
        "date": "1921",
        "title": "Ok",
    }

    with pytest.raises(TransferError, match=r"not UTF-8 text.*Save it as UTF-8"):
        read_rows("e.csv", "date,title\n1921,Kronstadt—Petrograd\n".encode("cp1252"))


def test_size_and_row_limits_are_enforced() -> None:
    with pytest.raises(TransferError, match=r"limit is 1,048,576 \(1 MiB\)"):
        read_rows("e.csv", b"date,title\n" + b"1921,x\n" * 150_000)
    rows = "".join(f"1921,Event {n}\n" for n in range(formats.MAX_ROWS + 1))
    with pytest.raises(TransferError, match="5,001 events; the limit is 5,000"):
        read_rows("e.csv", ("date,title\n" + rows).encode())
    assert len(read_rows("e.csv", ("date,title\n" + rows[rows.index("\n") + 1 :]).encode())) == 5000


# -- reading JSON -----------------------------------------------------------------------------


def test_json_rows_carry_their_line_in_a_list_and_in_the_export_wrapper() -> None:
    listed = '[\n  {"date": "1921", "title": "A"},\n\n  {"date": "1922",\n   "title": "B"}\n]'
    wrapped = '{"format": "almanac-events", "version": 1,\n "events": [\n {"date": "1921", "title": "A"}]}'

    assert [row.line for row in read_rows("x.json", listed.encode())] == [2, 4]
    assert [row.line for row in read_rows("x.json", wrapped.encode())] == [3]


def test_invalid_json_is_refused_with_where_it_breaks() -> None:
    with pytest.raises(TransferError, match=r"not valid JSON: .* at line 2, column"):
        read_rows("x.json", b'[\n{"date": 1921,,}]')
    with pytest.raises(TransferError, match="a list of events"):
        read_rows("x.json", b'{"rows": []}')
    with pytest.raises(TransferError, match="nested too deeply"):
        read_rows("x.json", b"[" * 100_000 + b"]" * 100_000)


def test_the_kind_of_file_is_taken_from_its_name_or_its_first_characters() -> None:
    assert read_rows("upload", b'[{"date": "1921", "title": "A"}]')[0].line == 1
    assert read_rows("upload.txt", b"date,title\n1921,A\n")[0].raw["title"] == "A"
    with pytest.raises(TransferError, match=r"Send a \.json or \.csv file"):
        read_rows("notes.txt", b"hello")


def test_the_example_files_import_cleanly_and_agree_with_each_other() -> None:
    from_json, _, bad_json = plan_import(
        read_rows("events.json", (EXAMPLES / "events.json").read_bytes()), [], []
    )
    from_csv, _, bad_csv = plan_import(
        read_rows("events.csv", (EXAMPLES / "events.csv").read_bytes()), [], []
    )

    assert bad_json == [] and bad_csv == []
    assert from_json == from_csv
    assert "tragic-week-in-barcelona" in {item.slug for item in from_json}


# -- the import rules -------------------------------------------------------------------------


def test_every_bad_row_is_named_with_its_line_and_field() -> None:
    accepted, _, rejected = plan(
        "id,date,title\nfine,1921,Fine\nBad Id,1921,Bad id\nno-date,,Missing date\nlong,"
        + "1921,"
        + "x" * 101
        + "\n"
    )

    assert [item.slug for item in accepted] == ["fine"]
    assert [(note.line, note.text.split(":")[0]) for note in rejected] == [
        (3, "id"),
        (4, "date"),
        (5, "title"),
    ]
    assert "is 101 characters long; the limit is 100" in rejected[2].text


def test_rows_without_an_id_get_one_from_the_title_that_avoids_every_other_id() -> None:
    accepted, _, _ = plan("id,date,title\n,1921,Big Strike\nbig-strike,1922,Another\n", own=[])

    assert [item.slug for item in accepted] == ["big-strike-2", "big-strike"]


def test_an_id_used_twice_in_one_file_skips_the_second_row_as_a_duplicate() -> None:
    accepted, duplicates, rejected = plan("id,date,title\nsame,1921,One\nsame,1922,Two\n")

    assert [fields.title for fields in accepted] == ["One"] and rejected == []
    assert [(note.line, note.text) for note in duplicates] == [(3, "same id as line 2")]


def test_a_bundled_id_is_a_duplicate_not_a_second_event() -> None:
    bundled = [event(1, 0, "kronstadt-rebellion", "1921-02-28/1921-03-19", "Kronstadt rebellion")]
    text = "id,date,title\nkronstadt-rebellion,1921-03-01,Our own Kronstadt\n"

    accepted, duplicates, _ = plan_import(read_rows("e.csv", text.encode()), [], bundled)

    assert accepted == []
    assert [note.text for note in duplicates] == ["same id as the bundled event “Kronstadt rebellion”"]


def test_hostile_json_values_are_refused_row_by_row_with_a_reason() -> None:
    text = (
        '[{"date": "1921", "title": "Fine"},\n'
        ' {"date": "1921", "title": ' + "9" * 5000 + "},\n"
        ' {"date": "1921", "title": "Broken \\ud800 text"}]'
    )

    accepted, _, rejected = plan_import(read_rows("e.json", text.encode()), [], [])

    assert [fields.title for fields in accepted] == ["Fine"]
    assert [(note.line, note.text) for note in rejected] == [
        (2, "title: a number 5,000 digits long is not a value I can store"),
        (3, "title: holds a lone surrogate escape (like \\ud800), which is no character"),
    ]


# -- the work an import does grows with the file, not with its square -------------------------------


def one_date_rows(count: int) -> list[Row]:
    """`count` rows on one date, each title far from every other (no two are near-identical)."""
    words = ["".join(chr(97 + (n >> shift) % 26) for shift in (0, 5, 10, 15)) for n in range(count)]
    text = "date,title\n" + "".join(f"1921,{word} {word[::-1]} x{word}q\n" for word in words)
    return read_rows("e.csv", text.encode(), max_rows=CLI_ROWS)


def compared(rows: list[Row]) -> int:
    planner = ImportPlanner([], [], rows)
    for row in rows:
        planner.judge(row)
    assert planner.rejected == [] and len(planner.accepted) + len(planner.duplicates) == len(rows)
    return planner.compared


def test_a_file_of_rows_on_one_date_costs_work_linear_in_its_length() -> None:
    small, large = compared(one_date_rows(2_000)), compared(one_date_rows(4_000))
    # pairwise checking made 2,001,000 and 8,002,000 comparisons: four times the work for twice the rows
    assert large <= 2.2 * small, (small, large)
    assert large <= FUZZY_WINDOW * 4_000


def test_a_maximum_size_file_of_20000_rows_on_one_date_is_planned_in_linear_work() -> None:
    assert compared(one_date_rows(CLI_ROWS)) <= FUZZY_WINDOW * CLI_ROWS


@pytest.mark.parametrize("columns", [20_000, 40_000])
def test_a_header_of_thousands_of_repeated_columns_is_refused_at_its_second(columns: int) -> None:
    text = "date," + ",".join(["title"] * columns) + "\n1921," + ",".join(["x"] * columns) + "\n"
    with pytest.raises(TransferError, match="names the column `title` twice"):
        read_rows("e.csv", text.encode())


def test_the_header_check_looks_at_no_more_columns_than_exist() -> None:
    """However long the header, the check stops within the 11 known names (no `list.count` per
    column): a header of 40,000 names is judged after looking at 12 of them."""
    looked: list[str] = []

    class Watched(str):
        def strip(self, chars: str | None = None) -> str:
            looked.append(str(self))
            return str.strip(self, chars)

    header = [Watched(name) for name in (*CSV_COLUMNS, *(["title"] * 40_000))]
    with pytest.raises(TransferError, match="twice"):
        _csv_header(header)
    assert len(looked) <= len(CSV_COLUMNS) + 2


def test_duplicates_of_existing_events_and_earlier_rows_are_reported_not_added() -> None:
    own = [
        event(1, 5, "kept", "1921-03-02", "Strike at the Putilov works"),
        event(2, 5, "gone", "1920", "Old news", deleted=True),
    ]
    bundled = event(3, 0, "kronstadt", "1921-02-28/1921-03-19", "Kronstadt rebellion")
    text = (
        "id,date,title\n"
        "kept,1930,Something else entirely\n"  # same id as a live event
        "gone,1920,Old news\n"  # same id as a removed one
        "x1,1921-03-02,Strike at the Putilov Works!\n"  # same date, near-identical title
        "x2,1921-02-28/1921-03-19,The Kronstadt rebellion\n"  # a bundled event
        "x3,1921-03-03,Strike at the Putilov works\n"  # another day: a different event
        "x4,1921-03-03,Strike at the Putilov works.\n"  # ... but this row repeats the one above
    )

    accepted, duplicates, rejected = plan(text, own=own, visible=[own[0], bundled])

    assert rejected == [] and [item.slug for item in accepted] == ["x3"]
    assert [(note.line, note.text) for note in duplicates] == [
        (2, "same id as “Strike at the Putilov works”"),
        (3, "same id as “Old news” (removed; `/events restore` brings it back)"),
        (4, "same date and title as “Strike at the Putilov works”"),
        (5, "same date and title as “Kronstadt rebellion”"),
        (7, "same date and title as line 6"),
    ]


def test_titles_that_differ_only_in_a_number_are_different_events() -> None:
    accepted, duplicates, _ = plan("date,title\n1920,Strike 1\n1920,Strike 2\n1920,Strike #2\n")

    assert [item.title for item in accepted] == ["Strike 1", "Strike 2"]
    assert [(note.line, note.text) for note in duplicates] == [(4, "same date and title as line 3")]


def test_titles_in_other_scripts_are_compared_by_their_own_letters() -> None:
    accepted, duplicates, _ = plan("date,title\n1921,Кронштадтское восстание\n1921,Тамбовское восстание\n")

    assert len(accepted) == 2 and duplicates == []


def test_json_rows_that_are_not_objects_are_rejected() -> None:
    _, _, rejected = plan('[\n"just text",\n{"date": "1921", "title": "Fine", "colour": "red"}\n]', "x.json")

    assert [(note.line, note.text) for note in rejected] == [
        (2, "is not an object of fields (id, date, title, …)"),
        (3, "colour: is not a known field"),
    ]


# -- writing ----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "'=x", "'", "''"])
def test_formula_cells_are_neutralised_and_read_back_as_written(text: str) -> None:
    cell = formats.neutralise_cell(text)

    assert cell.startswith("'")
    assert formats.unneutralise_cell(cell) == text


def test_csv_export_quotes_formula_cells_and_imports_back_unchanged() -> None:
    risky = fields(
        "risky",
        "1921",
        '=HYPERLINK("http://evil.example","click")',
        summary="-2+3",
        people=["@admin"],
        tags=["plain"],
    )

    data = formats.write_csv([risky])
    cells = next(iter(csv.DictReader(io.StringIO(data.decode(), newline=""))))

    assert (
        cells["title"].startswith("'=HYPERLINK")
        and cells["summary"] == "'-2+3"
        and cells["people"] == "'@admin"
    )
    assert cells["tags"] == "plain" and cells["date"] == "1921"
    (back,), _, _ = plan_import(read_rows("x.csv", data), [], [])
    assert back == risky


_awkward = st.sampled_from("=+-@'\t\r\n;,\"")  # formula starts, separators, quotes, line breaks
_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")) | _awkward, max_size=40)
_item = _text.filter(lambda item: ";" not in item)


@settings(max_examples=60, deadline=None)
@given(title=_text, summary=_text, source=_text, tags=st.lists(_item, max_size=3), russia=st.booleans())
def test_any_event_survives_a_csv_and_a_json_round_trip(
    title: str, summary: str, source: str, tags: list[str], russia: bool
) -> None:
    try:
        original = fields("x", "1921-03~", title, summary=summary, source=source, tags=tags, russia=russia)
    except ValueError:
        return  # an empty title is not an event
    for name, writer in (("x.csv", formats.write_csv), ("x.json", formats.write_json)):
        (back,), _, rejected = plan_import(read_rows(name, writer([original])), [], [])
        assert rejected == [] and back == original, name


def test_json_export_is_the_import_format_with_every_field() -> None:
    item = fields("a", "1921-03-02/1921-03-18", "Title", people=["P"], russia=True, note="n")

    document = json.loads(formats.write_json([item]))

    assert document["format"] == "almanac-events" and document["version"] == 1
    assert document["events"] == [item.as_mapping()]


def test_timelinejs_export_has_slides_with_dates_at_their_precision_and_escaped_html() -> None:
    items = [
        fields(
            "range",
            "1921-03-02/1921-03-18",
            "<script>alert(1)</script>",
            summary="a & b",
            tags=["navy"],
            source="<b>book</b>",
        ),
        fields("month", "1921-03", "Month only"),
    ]

    document = json.loads(formats.write_timelinejs(items, "Our <chronology>"))

    assert document["title"]["text"]["headline"] == "Our &lt;chronology&gt;"
    first, second = document["events"]
    assert first["start_date"] == {"year": "1921", "month": "3", "day": "2"}
    assert first["end_date"] == {"year": "1921", "month": "3", "day": "18"}
    assert first["text"]["headline"] == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert first["text"]["text"] == "<p>a &amp; b</p><p>Source: &lt;b&gt;book&lt;/b&gt;</p>"
    assert first["group"] == "navy" and first["unique_id"] == "range"
    assert second["start_date"] == {"year": "1921", "month": "3"} and "end_date" not in second


# -- any script ---------------------------------------------------------------------------------


def test_ids_made_from_titles_in_any_script_are_readable_and_distinct() -> None:
    taken: set[str] = set()
    made = [
        slug_for(title, taken) or taken.add(title)  # type: ignore[func-returns-value]
        for title in ("Кронштадтское восстание", "Απεργία", "北京", "Łódź")
    ]
    assert made == ["kronshtadtskoe-vosstanie", "apergia", "beijing", "lodz"]
    nameless = slug_for("???", set()), slug_for("!!!", set())
    assert all(slug.startswith("untitled-") for slug in nameless) and nameless[0] != nameless[1]
    assert not any(slug == "event" or slug.startswith("event-") for slug in (*made, *nameless))


def test_a_near_identical_cyrillic_title_on_the_same_date_is_a_duplicate() -> None:
    text = "date,title\n1921-03-18,Кронштадтское восстание\n1921-03-18,Кронштадское восстание\n"
    accepted, duplicates, _ = plan(text)

    assert [fields.slug for fields in accepted] == ["kronshtadtskoe-vosstanie"]
    assert [note.text for note in duplicates] == ["same date and title as line 2"]
