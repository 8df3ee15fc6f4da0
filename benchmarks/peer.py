"""The off-the-shelf way a developer would reach for first: SQLite FTS5 with its trigram tokenizer.

Beside the naive full scan, the benchmark measures this peer on the same database and queries:
an FTS5 table (one row per live event: its names and its other words, as bot.relevance.scoring reads
them, and its scope) finds candidates for the query's trigrams, best bm25 rank first; the
candidates are read back from the store and reranked by the same `score_documents` the bot and
the full scan use. Its recall against the full scan says what the shortcut costs in answers.

The table lives in the benchmark's own database file, built after the chronology (its build
time is reported); the bot never has it.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path

from bot.model.event import BUNDLED_SCOPE, Event
from bot.relevance import scoring
from bot.relevance.scoring import Document, Query, score_documents
from bot.store import Store

CANDIDATES = 200  # rows FTS5 hands to the reranker: 20 times a /search page
TABLE = "peer_fts"


def build(database: Path, events: Iterable[Event]) -> float:
    """Create and fill the peer's FTS5 table; the seconds it took."""
    started = time.perf_counter()
    with sqlite3.connect(database) as connection:
        connection.execute(f"DROP TABLE IF EXISTS {TABLE}")
        connection.execute(
            f"CREATE VIRTUAL TABLE {TABLE} USING fts5(names, words, scope UNINDEXED, tokenize='trigram')"
        )
        rows = ((d.event_id, " ".join(d.names), d.text, d.scope) for d in map(Document.from_event, events))
        connection.executemany(f"INSERT INTO {TABLE}(rowid, names, words, scope) VALUES (?, ?, ?, ?)", rows)
        connection.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES ('optimize')")
    return time.perf_counter() - started


def match_expression(query: Query) -> str | None:
    """Every trigram of the query's words, any of them: a slip in a word leaves most of its
    trigrams intact, so the event still matches (FTS5's own phrase match would need them all)."""
    grams = {word[i : i + 3] for word in query.words for i in range(len(word) - 2)}
    return " OR ".join(f'"{gram}"' for gram in sorted(grams)) or None


class Peer:
    """Answers /search, /event and autocomplete the FTS5 way, for one benchmark process."""

    def __init__(self, database: Path, store: Store) -> None:
        self._connection = sqlite3.connect(database)
        self._store = store

    def close(self) -> None:
        self._connection.close()

    async def ranked(self, guild_id: int, text: str, limit: int, *, complete: bool = False) -> list[Event]:
        query = Query.parse(text, complete=complete)
        expression = match_expression(query) if query else None
        if query is None or expression is None:
            return []
        rows = self._connection.execute(
            f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH ? AND scope IN (?, ?) ORDER BY rank LIMIT ?",
            (expression, BUNDLED_SCOPE, guild_id, CANDIDATES),
        ).fetchall()
        hidden = await self._store.hidden_event_ids(guild_id)
        found = await self._store.get_events([event_id for (event_id,) in rows if event_id not in hidden])
        events = {event.id: event for event in found}
        documents = {event_id: Document.from_event(event) for event_id, event in events.items()}
        scores = score_documents(query, documents.values())
        return [events[hit.event_id] for hit in scoring.ranked(scores, documents, limit)]
