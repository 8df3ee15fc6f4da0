"""Phase one of a size: the database, written through the real Store, and the questions to ask.

python -m benchmarks.build --size 10000 --queries 200 --workdir /tmp/x --out x.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from benchmarks import generate, peer, queries
from benchmarks.common import database_path, peak_rss_mb, save_questions
from benchmarks.queries import Asked, Subject
from bot.chronology.reader import DEFAULT_DATA_FILE, load_chronology
from bot.model.event import BUNDLED_SCOPE, EventFields
from bot.runtime import load_bundled
from bot.store import Store

BATCH = 5000  # events per insert transaction
HIDING_SERVERS = 10  # the largest servers each hide a few bundled events


async def populate(store: Store, size: int, pool: int, seed: int) -> tuple[list[Subject], list[int]]:
    """`size` synthetic events over 100 servers and scope 0; returns `pool` of them to ask about
    (picked uniformly, so a server is asked about in proportion to its size) and the servers,
    each listed once per event it holds, for questions not about one event."""
    rng = random.Random(seed)
    bundled, servers = generate.servers(size, rng)
    picked = set(rng.sample(range(size), min(pool, size)))
    subjects: list[Subject] = []
    number = 0
    writer = generate.Writer(random.Random(f"{seed}-bundled"))
    batches: list[tuple[int, Iterable[EventFields]]] = [
        (BUNDLED_SCOPE, (writer.event(n, 1920) for n in range(bundled)))
    ]
    batches += [(server.guild_id, generate.server_events(server, seed)) for server in servers]
    for guild_id, events in batches:
        batch = []
        for fields in events:
            if number in picked:
                subjects.append(Subject(guild_id, fields))
            number += 1
            batch.append(fields)
            if len(batch) == BATCH:
                await store.import_events(guild_id, batch, actor=None)
                batch = []
        if batch:
            await store.import_events(guild_id, batch, actor=None)
    weighted = [server.guild_id for server in servers for _ in range(server.size)]
    subjects = [  # a bundled event is asked about in some server
        Subject(rng.choice(weighted), s.fields, BUNDLED_SCOPE) if s.guild_id == BUNDLED_SCOPE else s
        for s in subjects
    ]
    real = load_chronology(DEFAULT_DATA_FILE).events  # and so are the real bundled events
    subjects += [
        Subject(rng.choice(weighted), rng.choice(real), BUNDLED_SCOPE) for _ in range(len(subjects) // 6)
    ]
    rng.shuffle(subjects)
    await hide_some(store, servers[:HIDING_SERVERS], rng)
    return subjects, weighted


async def hide_some(store: Store, servers: list[generate.Server], rng: random.Random) -> None:
    bundled = await store.scope_events(BUNDLED_SCOPE, deleted=False)
    for server in servers:
        for event in rng.sample(bundled, 3):
            await store.set_hidden(server.guild_id, event, True, actor=None)


def question_sets(
    subjects: list[Subject], guilds: list[int], count: int, seed: int
) -> dict[str, list[Asked]]:
    rng = random.Random(f"{seed}-questions")
    quarter = max(1, len(subjects) // 4)
    parts = [subjects[i * quarter : (i + 1) * quarter] or subjects for i in range(4)]
    return {
        "search": queries.searches(parts[0], count, rng),
        "autocomplete": queries.completions(parts[1], count, rng),
        "lookup": queries.lookups(parts[2], count, rng),
        "onthisday": queries.days(guilds, count, rng),
        "timeline": queries.spans(parts[3], count, rng),
    }


async def build(size: int, count: int, workdir: Path, seed: int, server: str | None = None) -> dict[str, Any]:
    """`server`: an empty PostgreSQL database (URL) to build in instead of the workdir's SQLite file."""
    database = database_path(workdir, size)
    for stale in workdir.glob(f"{database.name}*"):
        stale.unlink()
    started = time.perf_counter()
    store = await Store.open(server or database)
    try:
        await load_bundled(store, DEFAULT_DATA_FILE)
        subjects, guilds = await populate(store, size, 4 * count, seed)
        live = [
            event
            for scope in await store.scopes()
            for event in await store.scope_events(scope, deleted=False)
        ]
    finally:
        await store.close()
    peer_build_s = None if server else peer.build(database, live)
    ids = {(event.scope, event.slug): event.id for event in live}  # what each question was made from
    subjects = [replace(s, event_id=ids.get((s.home, s.fields.slug))) for s in subjects]
    save_questions(workdir / f"questions-{size}.json", question_sets(subjects, guilds, count, seed))
    return {
        "database_build_s": round(time.perf_counter() - started, 1),
        "db_mb": None if server else round(database.stat().st_size / 1e6, 1),
        "build_peak_rss_mb": round(peak_rss_mb(), 1),
        "peer_build_s": None if peer_build_s is None else round(peer_build_s, 1),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1917)
    parser.add_argument("--database", help="a postgresql:// URL instead of the workdir's SQLite file")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    found = asyncio.run(build(args.size, args.queries, args.workdir, args.seed, args.database))
    args.out.write_text(json.dumps(found), encoding="utf-8")


if __name__ == "__main__":
    main()
