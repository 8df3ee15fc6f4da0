"""The base rebuilt by merging: the same postings as a base built from every event's words, and
the text words kept in the base's keys only."""

from __future__ import annotations

import pytest

from bot.model.event import BUNDLED_SCOPE, Event
from bot.postings.segments import TAG_BITS, TAG_MASK, Segment, decode
from bot.search.index import _BASE, SearchIndex
from tests.bot.search.test_index import OTHER, SERVER, synthetic_events

SCOPES = (BUNDLED_SCOPE, SERVER, OTHER)


def postings(index: SearchIndex, segment: Segment) -> dict[int, list[tuple[str, int]]]:
    """Each event's (word, tag) pairs in a segment, by the words themselves (the two indexes
    number their words differently)."""
    found: dict[int, list[tuple[str, int]]] = {}
    words = index._vocabulary.words
    for word in range(segment.words):
        for key in segment.keys[segment.offsets[word] : segment.offsets[word + 1]].tolist():
            event_id = int(segment.events[key >> TAG_BITS])
            found.setdefault(event_id, []).append((words[word], key & TAG_MASK))
    return {event_id: sorted(pairs) for event_id, pairs in found.items()}


@pytest.mark.parametrize("tail_events", [0, 5])
def test_a_merged_base_holds_what_a_base_built_afresh_holds(tail_events: int) -> None:
    events = synthetic_events(500, SCOPES)
    merged = SearchIndex(tail_events=tail_events)
    merged.add_all(events[:300])
    merged.ready()
    for item in events[300:]:  # one at a time, each a question later: many merges
        merged.add(item)
        merged.search("strike", SCOPES)
    for gone in events[::9]:
        merged.remove(gone.id)
    edited = synthetic_events(20, SCOPES, first=9000)
    for item, other in zip(events[3::25], edited, strict=True):
        merged.add(Event(id=item.id, scope=other.scope, fields=other.fields))
    merged._base_stale = True  # one more merge, of everything since
    merged.ready()
    live = {item.id: item for item in events if item.id % 9 != events[0].id % 9}
    live |= {
        item.id: Event(id=item.id, scope=other.scope, fields=other.fields)
        for item, other in zip(events[3::25], edited, strict=True)
    }
    fresh = SearchIndex()
    fresh.add_all(sorted(live.values(), key=lambda item: item.id))
    fresh._base_stale = True  # built from every event's words at once
    fresh.ready()

    assert merged._base is not None and fresh._base is not None
    assert sorted(merged._base.events.tolist()) == sorted(fresh._base.events.tolist())
    assert postings(merged, merged._base) == postings(fresh, fresh._base)
    for query in ("strike", "arrest of ivan", "odesa uprising", "trial"):
        assert merged.search(query, (BUNDLED_SCOPE, SERVER)) == fresh.search(query, (BUNDLED_SCOPE, SERVER))
        assert merged.search(query, (OTHER,)) == merged.full_scan(query, (OTHER,))


def test_the_base_events_keep_only_their_names_beside_the_keys() -> None:
    index = SearchIndex()
    index.add_all(synthetic_events(100, SCOPES))
    index._base_stale = True  # a base now, not at 4,096 events
    index.ready()
    index.add(synthetic_events(1, SCOPES, first=5000)[0])  # in the tail: all its words
    index.ready()
    for event_id in range(1001, 1101):
        assert index._held_by[event_id] == _BASE
        assert not decode(index._words[event_id] or b"").text_words
    assert decode(index._words[5000] or b"").text_words
    document = index._document(1001)
    assert document.text and document.names  # read back from the base's keys for a full scan
