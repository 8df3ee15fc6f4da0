"""The strongest embeddable peer: tantivy (PyPI `tantivy`, Rust bindings), in memory, configured
as its documentation allows, answering /search, /event and autocomplete by its own ranking.

The documents are the FTS5 peer's (benchmarks/peer.py): one per live event, its names (title
and aliases) and its other words (people, places, tags, summary) as bot.relevance.scoring reads
them, already folded to lowercase ASCII, and its scope. The schema:

- `names` and `words`: text, tantivy's `default` tokenizer (split on what is not a letter or a
  digit, lowercased: the bot's folded words pass through unchanged), indexed with frequencies
  for BM25 but no positions (no phrase is ever asked);
- `scope` and `event_id`: indexed fast integers, to filter (the server's scope and the bundled
  one; not the events the server hides) and to read each hit's id without loading a document.

A query is parsed into words as the bot parses it (`Query.parse`: folded, stopwords out), and
each word becomes a SHOULD clause that matches it in either field (a disjunction-max, the best
field counting, as Elasticsearch's `best_fields`); in a field, the exact term scored by BM25
plus the fuzzy term (`FuzzyTermQuery`, transpositions costing 1), whose score is a constant
(tantivy scores every term a fuzzy query expands to alike, quickwit-oss/tantivy#563), so a word
spelt right outranks a word it merely resembles. A name weighs NAME_BOOST times the other words. The
edit distance grows with the word as Lucene's and Elasticsearch's `AUTO` fuzziness does, within
the 0–2 that tantivy's Levenshtein automata allow: 0 up to 3 letters, 1 for 4 to 7, 2 from 8
(`distance`): the slips the bot's own WORD_CUTOFF forgives (one in four letters). In
autocomplete the last word, while it is still being typed, is also a prefix (`prefix=True`:
any word that starts within that distance of it) from COMPLETE_PREFIX_MIN letters, the bot's
own threshold.

Its results are tantivy's own BM25 order, not reranked by the bot's `score_documents` as the
FTS5 peer's are: what a developer who chose tantivy would ship. The hits are then read from the
store, as the bot's commands read theirs, so a timing is the whole answer's.

    python -m benchmarks.tantivy_peer --size 10000 --workdir /tmp/x --out t.json

runs the peer's phase of a size in a process of its own: build it from the store (time and the
RSS it adds), time every query, and judge its search answers (benchmarks/quality.py).
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import gc
import json
import time
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any

import tantivy

from benchmarks.common import Call, database_path, load_questions, peak_rss_mb, percentile, rss_mb, timed
from benchmarks.quality import Tally, expected_path, load_expected
from bot.almanac.questions import SEARCH_RESULTS_MAX
from bot.model.event import BUNDLED_SCOPE, Event
from bot.relevance.scoring import COMPLETE_PREFIX_MIN, Document, Query
from bot.render.embeds import PAGE_SIZE
from bot.store import Store

# Chosen on questions of another seed (7) at 10,000 events, not the benchmark's own; the
# benchmark's said the same. A constant of 4 for a fuzzy match is about the BM25 of a rare word,
# so a misspelt name counts as much as one spelt right (the exact term adds its BM25 on top);
# below that, a typo'd query's one telling word is outweighed by its common ones (hit@1 0.62 at
# 1.0 against 0.69). Names weigh 1.5 times the rest, not 2 or 3: people and places, which
# queries often name, are among the other words.
NAME_BOOST = 1.5  # a title or alias says more about an event than a word of its summary
FUZZY_SCORE = 4.0  # a fuzzy match's constant score (tantivy gives every fuzzy match the same)
HEAP_BYTES = 200_000_000  # the writer's memory budget: one segment at these sizes, freed on commit
FIELDS = ("names", "words")


def distance(word: str) -> int:
    """The edits a word of this length may be away: 0 up to 3 letters, 1 for 4 to 7, 2 from 8."""
    return 0 if len(word) <= 3 else 1 if len(word) <= 7 else 2


def schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("event_id", stored=False, indexed=True, fast=True)
    builder.add_integer_field("scope", indexed=True, fast=True)
    for name in FIELDS:
        builder.add_text_field(name, tokenizer_name="default", index_option="freq")
    return builder.build()


class TantivyPeer:
    """Answers /search, /event and autocomplete from an in-memory tantivy index."""

    def __init__(self, events: Iterable[Event], store: Store) -> None:
        self._schema = schema()
        self._index = tantivy.Index(self._schema)  # no path: in memory
        writer = self._index.writer(heap_size=HEAP_BYTES, num_threads=1)
        for document in map(Document.from_event, events):
            entry = tantivy.Document()
            entry.add_integer("event_id", document.event_id)
            entry.add_integer("scope", document.scope)
            entry.add_text("names", " ".join(document.names))
            entry.add_text("words", document.text)
            writer.add_document(entry)
        writer.commit()
        writer.wait_merging_threads()
        self._index.reload()
        self._searcher = self._index.searcher()
        self._store = store

    def query(
        self, query: Query, scopes: tuple[int, ...], hidden: Iterable[int], complete: bool
    ) -> tantivy.Query:
        Q, Occur, schema = tantivy.Query, tantivy.Occur, self._schema
        last = len(query.words) - 1
        words = []
        for position, word in enumerate(query.words):
            prefix = complete and position == last and len(word) >= COMPLETE_PREFIX_MIN
            per_field = []
            for name, boost in zip(FIELDS, (NAME_BOOST, 1.0), strict=True):
                exact = Q.term_query(schema, name, word, index_option="freq")
                fuzzy = Q.fuzzy_term_query(schema, name, word, distance(word), True, prefix)
                either = [(Occur.Should, exact), (Occur.Should, Q.const_score_query(fuzzy, FUZZY_SCORE))]
                per_field.append(Q.boost_query(Q.boolean_query(either), boost))
            words.append((Occur.Should, Q.disjunction_max_query(per_field)))
        clauses = [
            (Occur.Must, Q.boolean_query(words)),
            (Occur.Must, Q.const_score_query(Q.term_set_query(schema, "scope", list(scopes)), 0.0)),
        ]
        if hidden := list(hidden):
            clauses.append((Occur.MustNot, Q.term_set_query(schema, "event_id", hidden)))
        return Q.boolean_query(clauses)

    def ids(
        self, guild_id: int, text: str, limit: int, hidden: Iterable[int], *, complete: bool = False
    ) -> list[int]:
        parsed = Query.parse(text, complete=complete)
        if parsed is None:
            return []
        found = self._searcher.search(
            self.query(parsed, (BUNDLED_SCOPE, guild_id), hidden, complete), limit, count=False
        )
        addresses = [address for _, address in found.hits]
        values = self._searcher.fast_field_values("event_id", addresses)
        return [value for value in values if isinstance(value, int)]  # every one is: an i64 field

    async def ranked(
        self, guild_id: int, text: str, limit: int, *, complete: bool = False, read: int | None = None
    ) -> list[Event]:
        """The best `limit` events in tantivy's order, read from the store as a command would:
        all of them, or the first `read` (/search reads its first page, the rest when shown)."""
        hidden = await self._store.hidden_event_ids(guild_id)
        ids = self.ids(guild_id, text, limit, hidden, complete=complete)[:read]
        events = {event.id: event for event in await self._store.get_events(ids)}
        return [events[event_id] for event_id in ids if event_id in events]


Ask = Callable[[TantivyPeer, int, str], Awaitable[list[Event]]]
ASK: dict[str, Ask] = {  # as benchmarks/measure.py asks the bot and the FTS5 peer
    "search": lambda peer, guild_id, text: peer.ranked(guild_id, text, SEARCH_RESULTS_MAX, read=PAGE_SIZE),
    "autocomplete": lambda peer, guild_id, text: peer.ranked(guild_id, text, 25, complete=True),
    "lookup": lambda peer, guild_id, text: peer.ranked(guild_id, text, 3),
}


async def measure(size: int, workdir: Path) -> dict[str, Any]:
    """Build the peer from the store, time every query of each operation, judge its search answers."""
    asked = load_questions(workdir / f"questions-{size}.json")
    store = await Store.open(database_path(workdir, size))
    try:
        gc.collect()
        before, started = rss_mb(), time.perf_counter()
        live = [
            event
            for scope in await store.scopes()
            for event in await store.scope_events(scope, deleted=False)
        ]
        peer = TantivyPeer(live, store)
        build_s = time.perf_counter() - started
        del live
        gc.collect()
        found: dict[str, Any] = {"build_s": round(build_s, 2), "index_mb": round(rss_mb() - before, 1)}
        for operation, ask in ASK.items():
            calls: list[Call] = [functools.partial(ask, peer, q.guild_id, q.text) for q in asked[operation]]
            await timed(calls[:3])
            times, _ = await timed(calls)
            found[operation] = {"p50_ms": percentile(times, 0.5), "p99_ms": percentile(times, 0.99)}
        expected, sources = load_expected(expected_path(workdir, size))
        tally = Tally()
        for q, best, source in zip(asked["search"], expected, sources, strict=True):
            tally.add([event.id for event in await peer.ranked(q.guild_id, q.text, 10)], best, source)
    finally:
        await store.close()
    return found | {"quality": tally.summary(), "peak_rss_mb": round(peak_rss_mb(), 1)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    args.out.write_text(json.dumps(asyncio.run(measure(args.size, args.workdir)), indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
