"""Phases two and three of a size, each in a process of its own so that its peak RSS is its own.

`serve` is the bot: it opens the database built by benchmarks.build as the bot starts (bundled
chronology checked, search index built from every live event: a cold start, without a snapshot
of the index beside the database, which it then saves), then times each command on the
questions. `warm` starts again in a fresh process, from that snapshot. `naive` builds the index
again, first (its time and the RSS it adds), times the naive way and the FTS5 peer on the same
database and questions, checks that the naive way gives the same answers, and judges the search
answers of the index, the full scan and the FTS5 peer (benchmarks/quality.py);
benchmarks.tantivy_peer then judges tantivy's in a process of its own.

    python -m benchmarks.measure --phase serve --size 10000 --workdir /tmp/x --out x.json
    python -m benchmarks.measure --phase warm --size 10000 --workdir /tmp/x --out w.json
    python -m benchmarks.measure --phase naive --size 10000 --baseline-queries 60 --workdir /tmp/x \
        --out y.json
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import gc
import json
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from benchmarks import naive
from benchmarks.common import (
    TODAY,
    Call,
    database_path,
    load_questions,
    peak_rss_mb,
    percentile,
    rss_mb,
    timed,
)
from benchmarks.peer import Peer
from benchmarks.quality import Tally, expected_path, save_expected
from benchmarks.queries import Asked
from bot.almanac.freshness import fill_index, snapshot_path
from bot.almanac.questions import SEARCH_RESULTS_MAX, Almanac
from bot.chronology.reader import DEFAULT_DATA_FILE
from bot.model.event import BUNDLED_SCOPE
from bot.render.embeds import PAGE_SIZE
from bot.runtime import Services, open_services, wire
from bot.search.index import SearchIndex
from bot.store import Store

Ask = Callable[[Almanac, int, str], Awaitable[object]]
REAL: dict[str, Ask] = {
    # as /search answers in Discord: the first page read whole, the rest listed by id
    "search": lambda almanac, guild_id, text: almanac.search(guild_id, text, read_first=PAGE_SIZE),
    "autocomplete": lambda almanac, guild_id, text: almanac.complete(guild_id, text),
    "lookup": lambda almanac, guild_id, text: almanac.lookup(guild_id, text),
    "onthisday": lambda almanac, guild_id, text: almanac.on_this_day(guild_id, text, TODAY),
    # as /timeline answers in Discord: the first page read whole, the rest listed by id
    "timeline": lambda almanac, guild_id, text: almanac.timeline(guild_id, text, None, read_first=PAGE_SIZE),
}
AskNaive = Callable[[Store, int, str], Awaitable[Any]]
NAIVE: dict[str, AskNaive] = {
    "search": lambda store, guild_id, text: naive.ranked(store, guild_id, text, SEARCH_RESULTS_MAX),
    "autocomplete": lambda store, guild_id, text: naive.ranked(store, guild_id, text, 25, complete=True),
    "lookup": lambda store, guild_id, text: naive.ranked(store, guild_id, text, 3),
    "onthisday": lambda store, guild_id, text: naive.on_this_day(store, guild_id, text, TODAY),
    "timeline": lambda store, guild_id, text: naive.timeline(store, guild_id, text),
}

PEER_QUERIES = 100  # the peer is timed on at least these (all, where the full scan is too)
PeerAsk = Callable[[Peer, int, str], Awaitable[Any]]
PEER: dict[str, PeerAsk] = {
    "search": lambda peer, guild_id, text: peer.ranked(guild_id, text, SEARCH_RESULTS_MAX),
    "autocomplete": lambda peer, guild_id, text: peer.ranked(guild_id, text, 25, complete=True),
    "lookup": lambda peer, guild_id, text: peer.ranked(guild_id, text, 3),
}


def answer_ids(operation: str, answer: Any) -> list[int] | None:
    """The events an answer lists, in order, for the operations the naive way can be checked on."""
    if operation in ("search", "timeline"):
        return [event.id for event in answer.events] + list(answer.unread)
    if operation == "autocomplete":
        return [hit.event_id for hit in answer]
    return None


async def judge(services: Services, peer: Peer, asked: Sequence[Asked], out: Path) -> dict[str, Any]:
    """Recall@10 against the full scan and source hit@1 and hit@10 (benchmarks/quality.py) of the
    index, the full scan itself and the FTS5 peer; the full scan's answers are kept in `out` for
    the tantivy peer's phase."""
    tallies = {system: Tally() for system in ("index", "full_scan", "fts5")}
    index, expected, sources = services.index, [], []
    for q in asked:
        scopes, hidden = (BUNDLED_SCOPE, q.guild_id), await services.hidden.ids(q.guild_id)
        best = [hit.event_id for hit in index.full_scan(q.text, scopes, hidden, limit=10)]
        source = None if q.source is None or q.source in hidden else q.source
        answers = {
            "index": [hit.event_id for hit in index.search(q.text, scopes, hidden, limit=10)],
            "full_scan": best,
            "fts5": [event.id for event in await peer.ranked(q.guild_id, q.text, 10)],
        }
        for system, found in answers.items():
            tallies[system].add(found, best, source)
        expected.append(best)
        sources.append(source)
    save_expected(out, expected, sources)
    return {system: tally.summary() for system, tally in tallies.items()}


async def serve(size: int, workdir: Path, server: str | None = None) -> dict[str, Any]:
    asked = load_questions(workdir / f"questions-{size}.json")
    database = server or database_path(workdir, size)
    saved = snapshot_path(database)
    if saved is not None:  # a cold start: the index built from every event, then saved
        saved.unlink(missing_ok=True)
    started = time.perf_counter()
    # the bot's own start, so that whatever it does before the first question is timed here too
    async with open_services(database, DEFAULT_DATA_FILE) as services:
        almanac = services.almanac
        found: dict[str, Any] = {
            "events": len(services.index),
            "start_s": round(time.perf_counter() - started, 2),
        }
        first = asked["search"][0]
        await REAL["search"](almanac, first.guild_id, first.text)
        found["first_answer_s"] = round(time.perf_counter() - started, 2)
        if services.snapshots is not None:  # saved in a thread: the questions are timed without it
            await services.snapshots.saved()
        answers = {}
        for operation, questions in asked.items():
            calls: list[Call] = [
                functools.partial(REAL[operation], almanac, q.guild_id, q.text) for q in questions
            ]
            await timed(calls[:3])  # warm up: caches filled, the word list sorted once
            times, answers[operation] = await timed(calls, functools.partial(answer_ids, operation))
            found[operation] = {"p50_ms": percentile(times, 0.5), "p99_ms": percentile(times, 0.99)}
    (workdir / f"answers-{size}.json").write_text(json.dumps(answers), encoding="utf-8")
    if saved is not None and saved.exists():
        found["snapshot_mb"] = round(saved.stat().st_size / 1e6, 1)
    return found | {"peak_rss_mb": peak_rss_mb()}


async def warm(size: int, workdir: Path) -> dict[str, Any]:
    """The bot's start again, in a fresh process, from the index `serve` saved beside the
    database: start-up and the first answer timed, and the search answers checked against the
    cold start's (the same events, in the same order)."""
    asked = load_questions(workdir / f"questions-{size}.json")
    cold = json.loads((workdir / f"answers-{size}.json").read_text(encoding="utf-8"))
    started = time.perf_counter()
    async with open_services(database_path(workdir, size), DEFAULT_DATA_FILE) as services:
        found: dict[str, Any] = {"start_s": round(time.perf_counter() - started, 2)}
        first = asked["search"][0]
        await REAL["search"](services.almanac, first.guild_id, first.text)
        found["first_answer_s"] = round(time.perf_counter() - started, 2)
        same = []
        for operation in ("search", "autocomplete"):
            for q, expected in zip(asked[operation], cold[operation], strict=True):
                reply = await REAL[operation](services.almanac, q.guild_id, q.text)
                same.append(answer_ids(operation, reply) == expected)
        found["agreement_with_cold"] = sum(same) / len(same) if same else None
        found["loaded"] = services.snapshots is not None and services.snapshots.position is not None
    return found | {"peak_rss_mb": peak_rss_mb()}


async def baseline(size: int, workdir: Path, count: int) -> dict[str, Any]:
    asked = load_questions(workdir / f"questions-{size}.json")
    answers = json.loads((workdir / f"answers-{size}.json").read_text(encoding="utf-8"))
    store = await Store.open(database_path(workdir, size))
    peer = Peer(database_path(workdir, size), store)
    found: dict[str, Any] = {"agreement": {}}
    try:
        # first, in a fresh process: the RSS the index adds, measured as the tantivy peer's is
        gc.collect()
        before, started = rss_mb(), time.perf_counter()
        index = SearchIndex()
        services = wire(store, index, seen=await fill_index(store, index))
        found["index_build_s"] = round(time.perf_counter() - started, 2)
        gc.collect()
        found["index_mb"] = round(rss_mb() - before, 1)
        for operation, questions in asked.items():
            calls: list[Call] = [
                functools.partial(NAIVE[operation], store, q.guild_id, q.text) for q in questions
            ]
            times, listed = await timed(calls[:count], keep=event_ids)
            found[operation] = {"baseline_p99_ms": percentile(times, 0.99)}
            found["agreement"][operation] = agreement(operation, answers[operation], listed)
        for operation, ask in PEER.items():  # on more queries than the full scan: it is quicker
            peer_calls: list[Call] = [
                functools.partial(ask, peer, q.guild_id, q.text)
                for q in asked[operation][: max(count, PEER_QUERIES)]
            ]
            await timed(peer_calls[:3])
            times, _ = await timed(peer_calls)
            found[operation] |= {
                "peer_p50_ms": percentile(times, 0.5),
                "peer_p99_ms": percentile(times, 0.99),
            }
        found["quality"] = await judge(services, peer, asked["search"], expected_path(workdir, size))
    finally:
        peer.close()
        await store.close()
    return found | {"peak_rss_mb": peak_rss_mb(), "queries": min(count, len(asked["search"]))}


def event_ids(reply: Any) -> list[int]:
    """The events a naive reply lists, by id."""
    return [event.id for event in reply]


def agreement(operation: str, real: list[list[int] | None], listed: list[Any]) -> float | None:
    """How often the naive way listed the same events as the real command (a check, not a timing)."""
    same = []
    for got, wanted in zip(real, listed, strict=False):
        if got is None:
            continue
        same.append(sorted(got) == sorted(wanted) if operation == "timeline" else got == wanted)
    return sum(same) / len(same) if same else None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--phase", choices=("serve", "warm", "naive"), required=True)
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--baseline-queries", type=int, default=200)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--database", help="serve: a postgresql:// URL instead of the workdir's file")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.phase == "serve":
        found = asyncio.run(serve(args.size, args.workdir, args.database))
    elif args.phase == "warm":
        found = asyncio.run(warm(args.size, args.workdir))
    else:
        found = asyncio.run(baseline(args.size, args.workdir, args.baseline_queries))
    args.out.write_text(json.dumps(found, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
