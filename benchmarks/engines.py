"""`make bench`, part four: the same bot on PostgreSQL beside SQLite, in one run on one machine.

A PostgreSQL 16 server is started here from the `pgserver` wheel (as the tests do), on a unix
socket, and each measurement runs once per engine in fresh processes:

- commands: a chronology of `--events` events built through the real Store, then every command
  timed as `benchmarks.measure --phase serve` times it (p50/p99);
- writes: two processes adding events through `Store.add_event` at once (each write its own
  transaction with its audit row and change-feed row), as two shard processes would;
- daily posts: `benchmarks.daily_posts` for `--servers` servers over `--hours` simulated hours.

    python -m benchmarks.engines [--events 10000] [--servers 100000] [--hours 3] [--writes 1000]
    python -m benchmarks.engines --events 1000 --servers 2000 --hours 1 --writes 200 --out /tmp/e

Writes benchmarks/engines.json and benchmarks/engines.md (the table for README).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks.common import OPERATIONS, run_module, save_document
from benchmarks.generate import GUILD_BASE, Writer
from benchmarks.report import LABELS
from bot.store import Store

HERE = Path(__file__).resolve().parent
ENGINES = ("sqlite", "postgresql")
WRITERS = 2
WRITE_GUILDS = 50  # each writer spreads its events over this many servers of its own


@contextmanager
def postgres_server(folder: Path) -> Iterator[Any]:
    """A PostgreSQL server for this run; stopped on leaving."""
    pgserver: Any = importlib.import_module("pgserver")  # a dev dependency, as for the tests
    server = pgserver.get_server(folder, cleanup_mode="stop")
    try:
        yield server
    finally:
        server.cleanup()


def fresh_database(server: Any, name: str) -> str:
    """An empty schema on the server, and the URL that makes it the store's."""
    server.psql(f"CREATE SCHEMA {name};")
    return f"{server.get_uri()}&search_path={name}"


def commands(events: int, workdir: Path, database: str | None) -> dict[str, Any]:
    """p50/p99 of every command on a chronology of `events` events."""
    common = ["--size", str(events), "--workdir", str(workdir)]
    target = [] if database is None else ["--database", database]
    run_module("benchmarks.build", [*common, "--queries", "200", *target], workdir / "b.json")
    served = run_module("benchmarks.measure", [*common, "--phase", "serve", *target], workdir / "s.json")
    found = {
        operation: {key: round(served[operation][key], 3) for key in ("p50_ms", "p99_ms")}
        for operation in OPERATIONS
    }
    return found | {"start_s": served["start_s"], "peak_rss_mb": round(served["peak_rss_mb"], 1)}


def writes(count: int, database: str) -> dict[str, float]:
    """Writes per second from WRITERS processes adding `count` events each, all at once."""
    start_at = time.time() + 3  # after every writer has opened its store
    with tempfile.TemporaryDirectory() as folder:
        outs = [Path(folder) / f"w{n}.json" for n in range(WRITERS)]
        workers = [
            subprocess.Popen(
                [
                    *(sys.executable, "-m", "benchmarks.engines", "--writer", str(n)),
                    *("--database", database, "--writes", str(count)),
                    *("--start-at", str(start_at), "--out", str(out)),
                ],
                cwd=HERE.parent,
            )
            for n, out in enumerate(outs)
        ]
        if any(worker.wait() != 0 for worker in workers):
            raise SystemExit("a writer process failed")
        ended = [json.loads(out.read_text(encoding="utf-8")) for out in outs]
    elapsed = max(done["ended_at"] for done in ended) - start_at
    slowest = max(done["slowest_ms"] for done in ended)
    return {
        "writes": WRITERS * count,
        "writes_per_s": round(WRITERS * count / elapsed, 1),
        "slowest_ms": slowest,
    }


async def write_events(writer: int, database: str, count: int, start_at: float) -> dict[str, float]:
    """One writer process: `count` events, each added in its own transaction, from `start_at`."""
    rng = random.Random(f"writer-{writer}")
    make = Writer(rng, unique=True)
    fields = [make.event(number, 1917) for number in range(count)]
    first_guild = GUILD_BASE + 10_000 * (writer + 1)
    store = await Store.open(database, busy_timeout=30)
    slowest = 0.0
    try:
        await asyncio.sleep(max(0.0, start_at - time.time()))
        for number, event in enumerate(fields):
            began = time.perf_counter()
            await store.add_event(first_guild + number % WRITE_GUILDS, event, actor=writer + 1)
            slowest = max(slowest, time.perf_counter() - began)
    finally:
        ended_at = time.time()
        await store.close()
    return {"ended_at": ended_at, "slowest_ms": round(slowest * 1000, 2)}


def prepare_daily(servers: int, workdir: Path, server: Any) -> tuple[Path, str, float]:
    """`servers` set up once through `/anniversaries setup` in a SQLite file, copied to a fresh
    PostgreSQL database by `almanac db copy`'s code: the file, the URL and the setup cost."""
    prepared = workdir / "daily.sqlite3"
    setup = ["--servers", str(servers), "--database", str(prepared), "--setup-only"]
    found = run_module("benchmarks.daily_posts", setup, workdir / "setup.json")
    url = fresh_database(server, "bench_daily")
    asyncio.run(_copy(prepared, url))
    return prepared, url, float(found["setup_per_server_ms"])


async def _copy(source: Path, target: str) -> None:
    from bot.store.copy import copy_database

    origin, destination = await Store.open(source), await Store.open(target)
    try:
        await copy_database(origin, destination)
    finally:
        await origin.close()
        await destination.close()


def daily(servers: int, hours: float, workdir: Path, database: str) -> dict[str, Any]:
    """The scheduler's passes over `hours`, on a database prepared by `prepare_daily`."""
    args = ["--servers", str(servers), "--days", str(hours / 24), "--crowd", "0"]
    return run_module(
        "benchmarks.daily_posts", [*args, "--database", database, "--prepared"], workdir / "d.json"
    )


def measure(args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {}
    with (
        tempfile.TemporaryDirectory(prefix="almanac-engines-") as scratch,
        postgres_server(Path(scratch) / "postgres") as server,
    ):
        print(f"setting up {args.servers:,} servers for the daily posts …", file=sys.stderr, flush=True)
        prepared, url, setup_ms = prepare_daily(args.servers, Path(scratch), server)
        daily_databases = {"sqlite": str(prepared), "postgresql": url}
        for engine in ENGINES:
            workdir = Path(scratch) / engine
            workdir.mkdir()

            def target(name: str, engine: str = engine, workdir: Path = workdir) -> str | None:
                return fresh_database(server, name) if engine == "postgresql" else None

            print(f"{engine}: commands on {args.events:,} events …", file=sys.stderr, flush=True)
            found: dict[str, Any] = {"commands": commands(args.events, workdir, target("bench_commands"))}
            print(f"{engine}: writes from {WRITERS} processes …", file=sys.stderr, flush=True)
            written = target("bench_writes") or str(workdir / "writes.sqlite3")
            found["writes"] = writes(args.writes, written)
            print(f"{engine}: daily posts for {args.servers:,} servers …", file=sys.stderr, flush=True)
            found["daily"] = daily(args.servers, args.hours, workdir, daily_databases[engine])
            results[engine] = found
    return {
        "events": args.events,
        "servers": args.servers,
        "setup_per_server_ms": round(setup_ms, 3),
        "simulated_hours": args.hours,
        "writes_per_process": args.writes,
        "engines": results,
    }


def markdown(document: dict[str, Any]) -> str:
    engines = document["engines"]
    lines = ["| | SQLite | PostgreSQL |", "|---|---:|---:|"]
    for operation, label in LABELS.items():
        timings = [engines[engine]["commands"][operation] for engine in ENGINES]
        cells = [f"{timing['p50_ms']:.1f} / {timing['p99_ms']:.1f} ms" for timing in timings]
        lines.append(f"| {label} p50 / p99 ({document['events']:,} events) | " + " | ".join(cells) + " |")
    rows: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
        ("ready to answer after start", lambda e: f"{e['commands']['start_s']:.2f} s"),
        (
            f"writes per second, {WRITERS} processes at once",
            lambda e: f"{e['writes']['writes_per_s']:,.0f} (slowest {e['writes']['slowest_ms']:.0f} ms)",
        ),
        (
            f"daily pass p50 / p99, {document['servers']:,} servers",
            lambda e: f"{e['daily']['pass_p50_ms']:.0f} / {e['daily']['pass_p99_ms']:.0f} ms",
        ),
        ("latest post after it was due", lambda e: f"{e['daily']['latest_post_after_due_ms']:.0f} ms"),
        ("daily posts per second in a pass", lambda e: f"{_posts_per_second(e['daily']):,.0f}"),
        ("latest post under the 50/s global limit", lambda e: f"{e['daily']['limited_max_s']:.1f} s"),
        ("peak RSS of the serving process", lambda e: f"{e['commands']['peak_rss_mb']:.0f} MB"),
    ]
    for label, cell in rows:
        lines.append(f"| {label} | " + " | ".join(cell(engines[e]) for e in ENGINES) + " |")
    lines += [
        "",
        f"Daily posts: {document['servers']:,} servers spread over every zone, "
        f"{document['simulated_hours']:g} simulated hours, an instant sender; set up through "
        f"`/anniversaries setup` on SQLite at {document['setup_per_server_ms']:.2f} ms a server, then "
        "copied to PostgreSQL.",
    ]
    return "\n".join(lines) + "\n"


def _posts_per_second(daily: dict[str, Any]) -> float:
    per_pass: float = daily["posts"] / max(1, daily["passes"])
    seconds: float = daily["pass_p50_ms"] / 1000
    return per_pass / seconds


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--servers", type=int, default=100_000)
    parser.add_argument("--hours", type=float, default=3.0, help="simulated hours of daily posts")
    parser.add_argument("--writes", type=int, default=1000, help="events each writer process adds")
    parser.add_argument("--out", type=Path, default=HERE)
    parser.add_argument("--writer", type=int, help=argparse.SUPPRESS)  # one writer process
    parser.add_argument("--database", help=argparse.SUPPRESS)
    parser.add_argument("--start-at", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.writer is not None:
        found = asyncio.run(write_events(args.writer, args.database, args.writes, args.start_at))
        args.out.write_text(json.dumps(found), encoding="utf-8")
        return
    document = measure(args)
    save_document(args.out, "engines", document, markdown(document))


if __name__ == "__main__":
    main()
