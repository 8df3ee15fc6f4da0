"""The bundled chronology file and its validation (bot/chronology/reader.py, bot/model/event.py)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

import bot.chronology.reader
from bot.chronology.names import Gazetteer
from bot.chronology.reader import (
    DEFAULT_DATA_FILE,
    Chronology,
    ChronologyError,
    ChronologyReader,
    file_fingerprint,
    load_chronology,
    parse_toml,
    validate_entries,
)
from bot.i18n.languages import TRANSLATED
from bot.model.event import SUMMARY_MAX, TITLE_MAX, EventFields
from tests.support import BAD_CHRONOLOGY, FIXTURE_CHRONOLOGY, FIXTURE_EVENTS, GOOD_CHRONOLOGY, ROOT

SOURCE_TEXT = ROOT.parent / "shared" / "seed" / "000_3d63b80e7141dcdc.txt"
NAMES_NOT_QUOTES = {"Bloody Sunday"}  # a name in quotation marks, which the source does not use


@pytest.fixture(scope="module")
def bundled() -> Chronology:
    return load_chronology(DEFAULT_DATA_FILE)


def by_slug(chronology: Chronology) -> dict[str, EventFields]:
    return {event.slug: event for event in chronology.events}


def test_the_bundled_file_loads_with_every_event(bundled: Chronology) -> None:
    assert len(bundled.events) == 72
    assert len(by_slug(bundled)) == 72  # every id unique
    assert all(len(event.title) <= TITLE_MAX for event in bundled.events)
    assert all(len(event.summary) <= SUMMARY_MAX for event in bundled.events)
    assert len(bundled.fingerprint) == 64


def test_the_bundled_file_is_in_chronological_order(bundled: Chronology) -> None:
    starts = [event.date.first_day() for event in bundled.events]
    assert starts == sorted(starts)


def test_the_events_the_product_promises_are_there(bundled: Chronology) -> None:
    events = by_slug(bundled)
    assert events["putilov-works-assault"].date.first_day() == dt.date(1919, 3, 16)
    astrakhan = events["astrakhan-massacre"].date
    assert astrakhan.first_day() <= dt.date(1919, 3, 13) <= astrakhan.last_day()
    assert astrakhan.is_range
    assert events["kronstadt-rebellion"].date.display() == "28 February – 19 March 1921"
    brest = events["treaty-of-brest-litovsk"]
    assert (brest.date.first_day(), brest.date.last_day()) == (dt.date(1918, 3, 1), dt.date(1918, 3, 31))
    assert events["cheka-founded"].date.first_day().year == 1917
    assert any("Makhno" in event.title for event in bundled.events)


def test_russian_events_before_1918_get_old_style_dates(bundled: Chronology) -> None:
    rising = by_slug(bundled)["bolshevik-rising-in-petrograd"]
    assert rising.russian
    assert rising.date.old_style(russian=rising.russian) == "25 October 1917 O.S."


# -- bad files -----------------------------------------------------------------------------------


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "chronology.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_bad_file_lists_every_problem_with_its_event_and_field(tmp_path: Path) -> None:
    with pytest.raises(ChronologyError) as caught:
        load_chronology(write(tmp_path, BAD_CHRONOLOGY))
    problems = caught.value.problems
    assert len(problems) == 5
    expected = [
        ("(bad-date): date:", "1918-02-30"),
        ("(good): id:", "duplicates event 1"),
        ("(long-title): title:", "101 characters"),
        ("(no-title): title:", "missing"),
        ("(unquoted-date): date:", "quotes"),
    ]
    for (where, what), problem in zip(expected, problems, strict=True):
        assert where in problem and what in problem
    assert str(tmp_path / "chronology.toml") in str(caught.value)


def test_an_event_without_an_id_is_named_by_its_position(tmp_path: Path) -> None:
    with pytest.raises(ChronologyError) as caught:
        load_chronology(write(tmp_path, GOOD_CHRONOLOGY + '[[event]]\ndate = "1919"\ntitle = "Nameless"\n'))
    assert caught.value.problems == ["event 2: id: is missing"]


def test_two_events_with_one_name_are_refused(tmp_path: Path) -> None:
    text = (
        GOOD_CHRONOLOGY
        + '[[event]]\nid = "other"\ndate = "1920"\ntitle = "Other"\naliases = ["A good event"]\n'
    )
    with pytest.raises(ChronologyError) as caught:
        load_chronology(write(tmp_path, text))
    assert len(caught.value.problems) == 1
    assert "(other): aliases:" in caught.value.problems[0] and "good" in caught.value.problems[0]


def test_unknown_fields_and_wrong_types_are_named(tmp_path: Path) -> None:
    text = (
        GOOD_CHRONOLOGY + '[[event]]\nid = "x"\ndate = "1920"\ntitle = "X"\ntitel = "typo"\nrussia = "yes"\n'
    )
    with pytest.raises(ChronologyError) as caught:
        load_chronology(write(tmp_path, text))
    assert caught.value.problems == [
        "event 2 (x): titel: is not a known field",
        "event 2 (x): russia: must be true or false",
    ]


def test_invalid_toml_gives_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ChronologyError) as caught:
        load_chronology(write(tmp_path, GOOD_CHRONOLOGY + "[[event]\nid = \n"))
    assert len(caught.value.problems) == 1
    assert "not valid TOML" in caught.value.problems[0] and "line" in caught.value.problems[0]


def test_a_missing_file_gives_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ChronologyError) as caught:
        load_chronology(tmp_path / "nowhere.toml")
    assert len(caught.value.problems) == 1
    assert "cannot read" in str(caught.value) and "nowhere.toml" in str(caught.value)


@pytest.mark.parametrize("text", ["", "title = 'no events'\n", "event = 3\n"])
def test_a_file_without_events_is_refused(tmp_path: Path, text: str) -> None:
    with pytest.raises(ChronologyError, match=r"no \[\[event\]\] entries"):
        load_chronology(write(tmp_path, text))


def test_the_fingerprint_follows_the_bytes(tmp_path: Path) -> None:
    first = load_chronology(write(tmp_path, GOOD_CHRONOLOGY)).fingerprint
    assert load_chronology(write(tmp_path, GOOD_CHRONOLOGY)).fingerprint == first
    assert load_chronology(write(tmp_path, GOOD_CHRONOLOGY + "\n# a comment\n")).fingerprint != first


def test_fields_survive_the_data_file_form(bundled: Chronology) -> None:
    for event in bundled.events:
        assert EventFields.from_mapping(event.as_mapping()) == event


def test_a_language_the_file_ships_is_required_of_every_event(tmp_path: Path) -> None:
    text = (
        GOOD_CHRONOLOGY
        + '[event.translations.ca]\ntitle = "Un bon esdeveniment"\n'
        + '[[event]]\nid = "other"\ndate = "1920"\ntitle = "Another event"\n'
    )
    with pytest.raises(ChronologyError) as caught:
        load_chronology(write(tmp_path, text))
    assert "event 2 (other): translations: has no ca translation" in str(caught.value)


def test_a_translation_too_long_is_named_with_its_event_and_language(tmp_path: Path) -> None:
    text = GOOD_CHRONOLOGY + '[event.translations.ru]\ntitle = "' + "я" * 101 + '"\n'
    with pytest.raises(ChronologyError) as caught:
        load_chronology(write(tmp_path, text))
    assert "event 1 (good): translations.ru.title: is 101 characters long" in str(caught.value)


def test_old_ids_are_read_and_do_not_change_what_an_event_is(tmp_path: Path) -> None:
    text = GOOD_CHRONOLOGY.replace('id = "good"\n', 'id = "good"\nold_ids = ["fine", "fine"]\n')
    [event] = load_chronology(write(tmp_path, text)).events
    assert event.old_ids == ("fine",)
    assert event == load_chronology(write(tmp_path, GOOD_CHRONOLOGY)).events[0]


def test_an_old_id_still_in_use_or_not_an_id_is_refused_naming_the_event(tmp_path: Path) -> None:
    text = GOOD_CHRONOLOGY + (
        '\n[[event]]\nid = "renamed"\nold_ids = ["good", "Not An Id"]\ndate = "1920"\ntitle = "Renamed"\n'
        '\n[[event]]\nid = "list"\nold_ids = "good"\ndate = "1921"\ntitle = "Not a list"\n'
    )
    with pytest.raises(ChronologyError) as caught:
        load_chronology(write(tmp_path, text))
    assert caught.value.problems == [
        "event 2 (renamed): old_ids: `Not An Id` is not an id (lowercase letters, digits, hyphens)",
        'event 3 (list): old_ids: must be a list of ids in quotes, like ["previous-id"]',
        "event 2 (renamed): old_ids: `good` is still the id of event 1",
    ]


def test_every_bundled_event_is_translated_into_every_shipped_language(bundled: Chronology) -> None:
    """Title, summary, the names its readers know it by, and the note where there is one."""
    for fields in bundled.events:
        assert [t.language for t in fields.translations] == list(TRANSLATED), fields.slug
        for translation in fields.translations:
            where = (fields.slug, translation.language)
            assert translation.summary and translation.summary != fields.summary, where
            assert translation.aliases, where
            assert bool(translation.note) == bool(fields.note), where
            assert not fields.note or translation.note != fields.note, where


def test_every_bundled_event_has_other_names_and_none_is_shared(bundled: Chronology) -> None:
    owners: dict[str, str] = {}
    for event in bundled.events:
        assert event.aliases, f"{event.slug} has no other names to be found by"
        for name in (event.title, *event.aliases):
            key = name.casefold()
            assert owners.setdefault(key, event.slug) == event.slug, (
                f"{name!r}: {owners[key]} and {event.slug}"
            )


@pytest.mark.parametrize(
    ("alias", "slug"),
    [
        ("May Days", "barcelona-may-days"),  # the Barcelona fighting, not Negrín's appointment after it
        ("Fets de maig", "barcelona-may-days"),
        ("February Revolution of 1917", "february-revolution"),
        ("October Revolution of 1917", "bolshevik-rising-in-petrograd"),
        ("Makhnovshchina", "free-territory-founded"),
        ("Kronstadt uprising", "kronstadt-rebellion"),
    ],
)
def test_an_other_name_belongs_to_the_event_it_names(bundled: Chronology, alias: str, slug: str) -> None:
    owner = [event.slug for event in bundled.events if alias.casefold() in map(str.casefold, event.aliases)]
    assert owner == [slug]


def test_no_event_alone_claims_the_whole_revolution_of_1917(bundled: Chronology) -> None:
    # February and October were both the Russian Revolution of 1917: neither owns the name
    assert not [event.slug for event in bundled.events if "Russian Revolution of 1917" in event.aliases]


def test_events_dated_from_other_histories_say_so(bundled: Chronology) -> None:
    events = by_slug(bundled)
    zeven = events["zeven-provincien-mutiny"]
    assert (zeven.date.first_day(), zeven.date.last_day()) == (dt.date(1933, 2, 4), dt.date(1933, 2, 10))
    assert not zeven.russian and "standard histories" in zeven.note
    assert "standard histories" in events["barcelona-may-days"].note


@pytest.mark.skipif(not SOURCE_TEXT.exists(), reason="the source text sits beside the project checkout only")
def test_what_a_note_quotes_is_the_source_word_for_word(bundled: Chronology) -> None:
    source = " ".join(SOURCE_TEXT.read_text(encoding="utf-8").replace("’", "'").split())
    quotes = [
        (event.slug, quote)
        for event in bundled.events
        for quote in re.findall(r"(?<!\w)'([^']+?)'(?!\w)", event.note or "")  # not the 's of a word
        if quote not in NAMES_NOT_QUOTES
    ]
    assert len(quotes) > 10
    assert [(slug, quote) for slug, quote in quotes if " ".join(quote.split()) not in source] == []


# -- loading it into the store (bot/runtime.py) ----------------------------------------------------


async def test_a_data_file_is_loaded_once_then_known_by_its_size_and_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from bot import runtime
    from bot.runtime import load_bundled
    from bot.store import Store

    data_file = tmp_path / "chronology.toml"
    data_file.write_bytes(FIXTURE_CHRONOLOGY.read_bytes())
    store = await Store.open(tmp_path / "db.sqlite3")
    try:
        assert await load_bundled(store, data_file) == FIXTURE_EVENTS
        assert await load_bundled(store, data_file) is None  # untouched: not even read
        os.utime(data_file, ns=(1, 1))  # touched, the same bytes: read and hashed, nothing changed
        assert await load_bundled(store, data_file) is None
        with monkeypatch.context() as patched:  # ...and its new size and time remembered
            patched.setattr(runtime, "file_fingerprint", lambda path: pytest.fail(f"{path} was read"))
            assert await load_bundled(store, data_file) is None
        edited = data_file.read_text(encoding="utf-8").replace("storms the Putilov", "storms the Putilof")
        data_file.write_text(edited, encoding="utf-8")  # the same size: its new time tells it apart
        assert await load_bundled(store, data_file) == 1
        assert await load_bundled(store, data_file) is None
        assert "Putilof" in " ".join(event.title for event in await store.scope_events(0))
    finally:
        await store.close()


# -- read a chunk at a time ----------------------------------------------------------------------


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pieces of a few hundred bytes: the bundled file becomes a few hundred chunks."""
    monkeypatch.setattr(bot.chronology.reader, "CHUNK_BYTES", 512)


def whole_file_events(path: Path) -> list[EventFields]:
    entries = parse_toml(path.read_text(encoding="utf-8"))["event"]
    events, problems = validate_entries(entries, Gazetteer.beside(path))
    assert problems == []
    return events


def test_the_file_read_in_chunks_gives_what_it_gives_read_whole(small_chunks: None) -> None:
    reader = ChronologyReader(DEFAULT_DATA_FILE)
    chunks = list(reader.chunks())
    assert len(chunks) > 20
    assert [event for chunk in chunks for event in chunk] == whole_file_events(DEFAULT_DATA_FILE)
    assert reader.count == 72 and reader.fingerprint == file_fingerprint(DEFAULT_DATA_FILE)


def test_an_event_line_inside_a_multiline_string_is_read_as_part_of_it(
    tmp_path: Path, small_chunks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    filler = "".join(f'[[event]]\nid = "e{n}"\ndate = "19{n:02}"\ntitle = "Event {n}"\n\n' for n in range(30))
    inside = '\n[[event]]\nid = "not-an-event"\n' + "x" * 500  # the last event line in its piece
    trap = f'[[event]]\nid = "trap"\ndate = "1950"\ntitle = "Trap"\nnote = """{inside}"""\n\n'
    path = write(tmp_path, filler + trap + filler.replace('id = "e', 'id = "f').replace("Event", "Later"))
    read_whole = []
    whole = bot.chronology.reader._document_entries
    monkeypatch.setattr(
        bot.chronology.reader, "_document_entries", lambda *args: read_whole.append(1) or whole(*args)
    )

    events = [event for chunk in ChronologyReader(path).chunks() for event in chunk]

    assert read_whole == [1]  # the piece cut inside the string did not parse: the rest was read whole
    assert events == whole_file_events(path)
    assert len(events) == 61 and "[[event]]" in events[30].note


def test_a_table_besides_events_in_a_later_chunk_is_read_with_the_whole_file(
    tmp_path: Path, small_chunks: None
) -> None:
    events = "".join(f'[[event]]\nid = "e{n}"\ndate = "19{n:02}"\ntitle = "Event {n}"\n\n' for n in range(20))
    path = write(tmp_path, "[about]\nname = 'x'\n\n" + events + "[about]\nname = 'again'\n\n" + events)
    with pytest.raises(ChronologyError) as caught:
        list(ChronologyReader(path).chunks())
    assert len(caught.value.problems) == 1 and "not valid TOML" in caught.value.problems[0]


def test_a_bad_event_in_a_later_chunk_stops_the_chunks_and_every_problem_is_named(
    tmp_path: Path, small_chunks: None
) -> None:
    good = "".join(f'[[event]]\nid = "e{n}"\ndate = "19{n:02}"\ntitle = "Event {n}"\n\n' for n in range(40))
    bad = '[[event]]\nid = "bad"\ndate = "1918-02-30"\ntitle = "Bad"\n\n'
    later = '[[event]]\nid = "e3"\ndate = "1990"\ntitle = "Again"\n\n'
    path = write(tmp_path, good + bad + good.replace('id = "e', 'id = "g').replace("Event", "More") + later)

    given: list[list[EventFields]] = []
    with pytest.raises(ChronologyError) as caught:
        for chunk in ChronologyReader(path).chunks():
            given.append(chunk)

    assert 0 < sum(map(len, given)) <= 40  # only chunks wholly before the bad event
    problems = caught.value.problems
    assert len(problems) == 2
    assert problems[0].startswith("event 41 (bad): date:")
    assert problems[1] == "event 82 (e3): id: duplicates event 4"


def test_a_file_that_changes_while_it_is_read_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_CHRONOLOGY)
    with pytest.raises(ChronologyError, match="changed while it was being read"):
        list(ChronologyReader(path, expected="0" * 64).chunks())
