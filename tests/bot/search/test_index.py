"""The search index: what a person searching notices (ranking, typos, scoping, autocomplete), that
edits show at once, and that the index answers exactly as scoring every event would."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from benchmarks.generate import Writer
from benchmarks.queries import misspell
from bot.chronology.reader import DEFAULT_DATA_FILE, load_chronology
from bot.model.event import BUNDLED_SCOPE, Event, EventFields
from bot.search import pruning
from bot.search.index import TAIL_EVENTS, SearchIndex
from bot.search.pruning import COUNT_FROM
from tests.support import FIXTURE_CHRONOLOGY

SERVER = 111
OTHER = 222

# How the index may hold its events: all in the tail (small indexes), all in a base rebuilt at
# every question, or a base with the later edits in a tail beside it.
LAYOUTS = [
    pytest.param(TAIL_EVENTS, id="tail"),
    pytest.param(0, id="rebuilt"),
    pytest.param(50, id="base-and-tail"),
]


def event(event_id: int, title: str, scope: int = SERVER, **extra: Any) -> Event:
    fields = EventFields.from_mapping(
        {"id": f"event-{event_id}", "date": "1921-03-01", "title": title} | extra
    )
    return Event(id=event_id, scope=scope, fields=fields)


def titles(hits: list[Any]) -> list[str]:
    return [hit.title for hit in hits]


def index_of(path: Path) -> SearchIndex:
    """A chronology file's events, indexed as the bundled scope."""
    index = SearchIndex()
    chronology = load_chronology(path)
    index.add_all(Event(id=n, scope=BUNDLED_SCOPE, fields=f) for n, f in enumerate(chronology.events, 1))
    return index


@pytest.fixture(scope="module")
def bundled() -> SearchIndex:
    return index_of(FIXTURE_CHRONOLOGY)


@pytest.mark.parametrize(
    ("typed", "first", "about"),
    [
        ("kronstat", "Kronstadt rebellion", "kronstadt"),
        ("chekha", "Cheka founded", "cheka"),
        ("makno", None, "makhno"),
        ("tambof", None, "tambov"),
    ],
)
def test_typos_in_the_bundled_chronology_find_what_was_meant(
    bundled: SearchIndex, typed: str, first: str | None, about: str
) -> None:
    hits = bundled.search(typed, (BUNDLED_SCOPE,))

    assert all(about in title.lower() for title in titles(hits)[:2]), titles(hits)
    if first:
        assert hits[0].title == first


def test_an_exact_alias_beats_a_passing_mention() -> None:
    index = SearchIndex()
    index.add(event(1, "Sailors' revolt", aliases=["Kronstadt"]))
    index.add(event(2, "Kronstadt garrison reinforced", summary="Troops sent to Kronstadt."))
    index.add(event(3, "Strike in Petrograd", summary="The strikers asked Kronstadt for help."))

    assert titles(index.search("kronstadt", (SERVER,))) == [
        "Sailors' revolt",  # exactly an alias
        "Kronstadt garrison reinforced",  # in the title
        "Strike in Petrograd",  # a passing mention
    ]


def test_a_name_the_query_covers_whole_ranks_first() -> None:
    index = SearchIndex()
    index.add(event(1, "Famine in the Altai", summary="The Volga was spared."))
    index.add(event(2, "Famine in the Volga"))

    assert titles(index.search("volga famnie", (SERVER,)))[0] == "Famine in the Volga"


def test_a_word_few_events_share_outweighs_one_many_share() -> None:
    index = SearchIndex()
    index.add(event(1, "Putilov works walkout"))
    for n, town in enumerate(("Obukhov", "Vyborg", "Narva", "Kolpino", "Tver", "Tula"), start=2):
        index.add(event(n, f"{town} strike"))

    # each of the first two matches one word of the two, fully, in its title: `putilov` is the
    # word that says which event is meant, so it counts for more than the `strike` of six
    assert titles(index.search("putilov strike", (SERVER,)))[0] == "Putilov works walkout"
    assert titles(index.search("strike putilov", (SERVER,)))[0] == "Putilov works walkout"


def test_words_weigh_by_the_asked_events_only() -> None:
    """Another server's events change nothing about this server's answers, scores included."""
    index = SearchIndex()
    index.add(event(1, "Putilov works walkout"))
    index.add(event(2, "Obukhov strike"))
    index.add(event(3, "Kronstadt strike", scope=BUNDLED_SCOPE))
    before = index.search("putilov strike", (BUNDLED_SCOPE, SERVER))

    for n in range(10, 60):
        index.add(event(n, f"Putilov strike number {n}", scope=OTHER))

    assert index.search("putilov strike", (BUNDLED_SCOPE, SERVER)) == before
    assert index.complete("putilov stri", (BUNDLED_SCOPE, SERVER)) == index.full_scan(
        "putilov stri", (BUNDLED_SCOPE, SERVER), limit=25, complete=True
    )


CROWDED_NAMES = [f"Rising number {n} of Tambov" for n in range(19)] + ["Antonovshchina"]  # > tags


def crowded_index(tail_events: int) -> SearchIndex:
    """Forty events and one with more names than the tags tell apart."""
    index = SearchIndex(tail_events=tail_events)
    index.add_all(synthetic_events(40, (SERVER,)))
    index.add(event(1, "Tambov rebellion", aliases=CROWDED_NAMES))
    return index


@pytest.mark.parametrize("tail_events", LAYOUTS)
def test_an_event_with_more_names_than_tags_is_found_by_every_one(tail_events: int) -> None:
    index = crowded_index(tail_events)
    for query in ("antonovshchina", "antonovschina", "rising number 18 of tambov", "tambov rebelion"):
        hits = index.search(query, (SERVER,))
        assert hits[0].title == "Tambov rebellion", query
        assert hits == index.full_scan(query, (SERVER,)), query
    assert index.search("antonovshchina", (SERVER,))[0].score > 100  # the last alias, exactly


@pytest.mark.parametrize("tail_events", LAYOUTS)
def test_an_event_with_more_names_than_tags_can_be_deleted_and_named_again(tail_events: int) -> None:
    index, aliases = crowded_index(tail_events), CROWDED_NAMES
    index.ready()
    index.add(event(2, "Tambov uprising", aliases=aliases))
    index.remove(1)
    index.ready()
    assert titles(index.search("antonovshchina", (SERVER,))) == ["Tambov uprising"]
    index.add(event(3, "Tambov revolt", aliases=aliases))
    index.remove(3)  # gone before the index got ready for it
    index.remove(2)
    index.ready()
    assert index.search("antonovshchina", (SERVER,)) == []
    index.add(event(1, "Tambov rebellion", aliases=aliases))
    assert titles(index.search("antonovshchina", (SERVER,))) == ["Tambov rebellion"]


def test_a_word_nothing_matches_does_not_drown_the_rest(bundled: SearchIndex) -> None:
    assert titles(bundled.search("kronstadt xyzzyq", (BUNDLED_SCOPE,)))[:1] == ["Kronstadt rebellion"]


def test_nothing_close_finds_nothing(bundled: SearchIndex) -> None:
    assert bundled.search("zzqqxxv", (BUNDLED_SCOPE,)) == []


def test_a_server_sees_its_own_events_and_the_bundled_ones_only() -> None:
    index = SearchIndex()
    index.add(event(1, "Obukhov works strike", scope=SERVER))
    index.add(event(2, "Obukhov works lockout", scope=OTHER))
    index.add(event(3, "Obukhov defence works", scope=BUNDLED_SCOPE))

    assert titles(index.search("obukhov", (BUNDLED_SCOPE, SERVER))) == [
        "Obukhov defence works",
        "Obukhov works strike",
    ]
    assert titles(index.complete("obukh", (BUNDLED_SCOPE, SERVER))) == [
        "Obukhov defence works",
        "Obukhov works strike",
    ]
    assert titles(index.search("obukhov", (OTHER,))) == ["Obukhov works lockout"]


def test_hidden_events_are_left_out() -> None:
    index = SearchIndex()
    index.add(event(1, "Obukhov works strike", scope=BUNDLED_SCOPE))
    index.add(event(2, "Obukhov works lockout", scope=BUNDLED_SCOPE))

    assert titles(index.search("obukhov", (BUNDLED_SCOPE, SERVER), hidden={1})) == ["Obukhov works lockout"]


def test_autocomplete_takes_the_last_word_as_unfinished(bundled: SearchIndex) -> None:
    assert titles(bundled.complete("kron", (BUNDLED_SCOPE,)))[0] == "Kronstadt rebellion"
    assert titles(bundled.complete("kronstadt reb", (BUNDLED_SCOPE,)))[0] == "Kronstadt rebellion"
    assert all("Kronstadt" in title for title in titles(bundled.complete("Kronst", (BUNDLED_SCOPE,)))[:4])


@pytest.mark.parametrize("tail_events", LAYOUTS)
def test_edits_show_at_once_without_a_rebuild(tail_events: int) -> None:
    index = SearchIndex(tail_events=tail_events)
    index.add_all(synthetic_events(200, (OTHER,)))
    index.ready()
    index.add(event(1, "Arrest of Zhelyabov"))
    index.add(event(2, "Trial of the Zhelyabov circle"))
    assert len(index) == 202

    index.add(event(1, "Arrest of Perovskaya"))  # an edit: the same event, retitled
    assert titles(index.search("zhelyabov", (SERVER,))) == ["Trial of the Zhelyabov circle"]
    assert titles(index.search("perovskya", (SERVER,))) == ["Arrest of Perovskaya"]

    index.remove(2)
    index.remove(2)  # removing twice is harmless
    assert index.search("zhelyabov", (SERVER,)) == []
    assert index.complete("zhely", (SERVER,)) == []
    assert len(index) == 201

    index.add(event(2, "Trial of the Zhelyabov circle"))  # restored
    assert titles(index.complete("zhely", (SERVER,))) == ["Trial of the Zhelyabov circle"]


def synthetic_events(count: int, scopes: tuple[int, ...], first: int = 1001) -> list[Event]:
    writer = Writer(random.Random(5))
    return [
        Event(id=n, scope=scopes[n % len(scopes)], fields=writer.event(n, 1905))
        for n in range(first, first + count)
    ]


@pytest.mark.parametrize("tail_events", LAYOUTS)
def test_bulk_and_one_by_one_indexing_agree_in_any_order(tail_events: int) -> None:
    events = synthetic_events(300, (BUNDLED_SCOPE, SERVER, OTHER))
    one_by_one, bulk = SearchIndex(tail_events=tail_events), SearchIndex()
    for item in events:
        one_by_one.add(item)
    bulk.add_all(reversed(events[150:]))
    bulk.add_all(events[:150])  # earlier ids and scopes after later ones

    for query in ("strike", "arrest of ivan", "odesa uprising", "trial"):
        for scopes in ((BUNDLED_SCOPE, SERVER), (OTHER,)):
            assert one_by_one.search(query, scopes) == bulk.search(query, scopes)


@pytest.mark.parametrize("count_from", [pytest.param(COUNT_FROM, id="whole"), pytest.param(0, id="pruned")])
@pytest.mark.parametrize("tail_events", LAYOUTS)
def test_the_index_answers_as_scoring_every_event_would(
    tail_events: int, count_from: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    left_out: list[int] = []  # how many words each query left out of its candidates
    decide = pruning.left_out

    def deciding(*given: Any) -> Any:
        decided = decide(*given)
        left_out.append(int(decided.sum()))
        return decided

    monkeypatch.setattr(pruning, "left_out", deciding)
    events = synthetic_events(600, (BUNDLED_SCOPE, SERVER, OTHER))
    index = SearchIndex(tail_events=tail_events, count_from=count_from)
    index.add_all(events)
    index.ready()
    for gone in events[::7]:
        index.remove(gone.id)  # deletions leave no trace
    rewritten = synthetic_events(30, (BUNDLED_SCOPE, SERVER, OTHER), first=5000)
    for item, fields in zip(events[1::20], rewritten, strict=True):  # edits: other words, other scopes
        index.add(Event(id=item.id, scope=fields.scope, fields=fields.fields))
    rng = random.Random(8)
    asked = [
        misspell(rng.choice((item.title, *item.fields.people, *item.fields.places)), rng)
        for item in events[:60]
    ]

    # hidden bundled and server events, one gone and one never indexed
    hidden = {item.id for item in events[::11]} | {99_999, 3}

    for query in asked:
        for scopes in ((BUNDLED_SCOPE, SERVER), (OTHER,)):
            assert index.search(query, scopes) == index.full_scan(query, scopes), query
            assert index.search(query, scopes, hidden) == index.full_scan(query, scopes, hidden), query
            prefix = query[: len(query) * 2 // 3]
            assert index.complete(prefix, scopes) == index.full_scan(
                prefix, scopes, limit=25, complete=True
            ), prefix
    if count_from == 0:  # the answers above were made without the common words' candidates
        assert sum(left_out) > 50


# -- any script ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "first"),
    [
        ("Дзержинский", "Cheka founded"),  # through its people: Felix Dzerzhinsky
        ("Кронштадт", "Kronstadt rebellion"),
        ("Брест-Литовск", "Treaty of Brest-Litovsk signed with Germany"),
    ],
)
def test_a_word_typed_in_cyrillic_finds_the_event_written_in_latin(
    bundled: SearchIndex, typed: str, first: str
) -> None:
    assert titles(bundled.search(typed, (BUNDLED_SCOPE,)))[:1] == [first]


@pytest.mark.parametrize(
    ("title", "queries"),
    [
        ("Кронштадтское восстание", ["кронштадтское", "Kronshtadtskoe vosstanie", "восстание"]),
        ("Απεργία στον Πειραιά", ["απεργία", "Apergia Peiraia"]),
        ("Vaga general a Barcelona, l'estiu de 1917", ["vaga general", "Barcelóna"]),
        ("Strajk łódzki", ["łódzki", "lodzki"]),
    ],
)
def test_a_title_in_any_script_is_found_by_its_own_letters_and_their_transliteration(
    title: str, queries: list[str]
) -> None:
    index = SearchIndex()
    index.add(event(1, title, scope=SERVER))
    index.add(event(2, "Obukhov works strike", scope=SERVER))

    for query in queries:
        assert titles(index.search(query, (SERVER,)))[:1] == [title], query
        assert titles(index.complete(query[:6], (SERVER,)))[:1] == [title], query


@pytest.fixture(scope="module")
def shipped() -> SearchIndex:
    """The chronology Almanac ships, as a newcomer searches it."""
    return index_of(DEFAULT_DATA_FILE)


@pytest.mark.parametrize(
    ("asked", "first"),
    [
        ("when was the constituent assembly dissolved", "Dissolution of the Constituent Assembly"),
        ("when did the kronstadt rebellion happen", "Kronstadt rebellion"),
        ("makno campaign", "Bolsheviks turn on Makhno's Insurgent Army"),
        ("hamburg revolt", "Hamburg Uprising"),
        ("May Days", "Barcelona May Days: anarchists and POUM defeated in street fighting"),
        ("zeven provincien", "Mutiny on the Dutch warship De Zeven Provinciën"),
    ],
)
def test_a_question_as_people_type_it_puts_its_event_first(
    shipped: SearchIndex, asked: str, first: str
) -> None:
    assert titles(shipped.search(asked, (BUNDLED_SCOPE,)))[:1] == [first]


@pytest.mark.parametrize(
    ("asked", "first"),
    [
        ("Кронштадтский мятеж", "Kronstadt rebellion"),
        ("Кронштадтське повстання", "Kronstadt rebellion"),
        ("révolte de Cronstadt", "Kronstadt rebellion"),
        ("Октябрьская революция", "Bolshevik seizure of power begins in Petrograd"),
        ("revolución de octubre", "Bolshevik seizure of power begins in Petrograd"),
        ("Revolució d'Octubre", "Bolshevik seizure of power begins in Petrograd"),
        ("Oktoberrevolution", "Bolshevik seizure of power begins in Petrograd"),
        ("rewolucja październikowa", "Bolshevik seizure of power begins in Petrograd"),
        ("Neue Ökonomische Politik", "New Economic Policy adopted"),
        ("pokój brzeski", "Treaty of Brest-Litovsk signed with Germany"),
        ("Брестский мир", "Treaty of Brest-Litovsk signed with Germany"),
        ("Антоновщина", "Tambov peasant rebellion begins"),
        ("Гуляйполе", "Free Territory established in southern Ukraine"),
    ],
)
def test_the_name_each_language_uses_puts_its_event_first(
    shipped: SearchIndex, asked: str, first: str
) -> None:
    assert titles(shipped.search(asked, (BUNDLED_SCOPE,)))[:1] == [first]


@pytest.mark.parametrize("tail_events", LAYOUTS)
def test_prefixes_that_many_words_share_complete_as_the_full_scan_does(tail_events: int) -> None:
    """`st` or `tr` stands for hundreds of words at once: every one of their postings is read."""
    index = SearchIndex(tail_events=tail_events)
    index.add_all(synthetic_events(400, (BUNDLED_SCOPE, SERVER, OTHER)))
    for query in ("st", "arrest of iv", "odesa upr", "tr", "kaz"):
        found = index.complete(query, (BUNDLED_SCOPE, SERVER))
        assert found, query
        assert found == index.full_scan(query, (BUNDLED_SCOPE, SERVER), limit=25, complete=True), query


def test_a_query_that_fails_halfway_leaves_no_trace_in_the_next(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each segment keeps a scratch array of the candidates' places by row between queries
    (filled and emptied by bot/search/gathering.py); a query that stopped with an error must not
    leave its candidates there for the next query to find."""
    index = SearchIndex()
    index.add_all(synthetic_events(200, (BUNDLED_SCOPE, SERVER, OTHER)))
    expected = index.search("strike", (SERVER,))

    def broken(*args: object) -> None:
        raise MemoryError

    monkeypatch.setattr("bot.search.index.names_covered", broken)
    with pytest.raises(MemoryError):
        index.search("trial", (BUNDLED_SCOPE, OTHER))
    monkeypatch.undo()
    assert all((segment.places() == -1).all() for segment in (index._base, index._tail) if segment)
    assert index.search("strike", (SERVER,)) == expected == index.full_scan("strike", (SERVER,))
