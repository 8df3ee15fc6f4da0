"""The calendar link under load: one server of 10,000 events, its feed asked for over loopback.

    python -m benchmarks.feed [--events 10000] [--requests 2000] [--clients 8]

The server runs as an operator would run it, `almanac calendar serve`, in a process of its own
(so the client's work is not counted against it), behind a pretend trusted proxy: each request
names another subscriber in X-Forwarded-For, as a reverse proxy would, so the per-address limit
is checked on every request without stopping the benchmark. Measured, each as requests per
second and p50/p99 milliseconds with `--clients` requests in flight:
- `revalidate`: a calendar app asking again with its ETag (304, no body), the common case;
- `download_gzip`: the whole file, compressed (what calendar apps and proxies ask for);
- `download_plain`: the whole file, uncompressed.
And `first_ms`: the first request after start, which writes the file (the same after a change).
Writes benchmarks/feed.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

from benchmarks import generate
from benchmarks.common import percentile
from bot.chronology.reader import DEFAULT_DATA_FILE
from bot.runtime import open_services

OUT = Path(__file__).resolve().parent / "feed.json"
PROJECT = Path(__file__).resolve().parent.parent
GUILD = generate.GUILD_BASE + 7_919
BATCH = 1000


async def _prepare(database: Path, events: int) -> str:
    """The server's events in a fresh database; its calendar token."""
    async with open_services(database, DEFAULT_DATA_FILE, index_now=False) as services:
        server = generate.Server(GUILD, events, 1917)
        batch = []
        for fields in generate.server_events(server, seed=1):
            batch.append(fields)
            if len(batch) == BATCH:
                await services.store.import_events(GUILD, batch, actor=None)
                batch = []
        if batch:
            await services.store.import_events(GUILD, batch, actor=None)
        link = await services.calendars.link(GUILD, "http://x", with_bundled=False, title="Benchmark")
    return link.https.rsplit("/", 1)[1].removesuffix(".ics")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serve(database: Path, port: int, folder: Path) -> subprocess.Popen[bytes]:
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(folder),
        "PYTHONPATH": str(PROJECT),
        "DATABASE_PATH": str(database),
        "CALENDAR_TRUSTED_PROXY": "127.0.0.1",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "bot", "calendar", "serve", "--port", str(port)],
        cwd=folder,
        env=environment,
        stderr=subprocess.PIPE,
    )
    assert server.stderr is not None
    line = server.stderr.readline().decode()  # printed once it listens
    if "Serving calendar feeds" not in line:
        server.kill()
        raise SystemExit(f"the calendar server did not start: {line}{server.stderr.read().decode()}")
    return server


async def _load(
    url: str, requests: int, clients: int, headers: dict[str, str], expect: int
) -> dict[str, float]:
    """`requests` requests, `clients` at a time, each from another pretend subscriber."""
    times: list[float] = []
    addresses = iter(f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}" for n in range(10**7))
    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector, auto_decompress=False) as http:

        async def client(count: int) -> None:
            for _ in range(count):
                sent = headers | {"X-Forwarded-For": next(addresses)}
                started = time.perf_counter()
                async with http.get(url, headers=sent) as response:
                    await response.read()
                    assert response.status == expect, response.status
                times.append((time.perf_counter() - started) * 1000)

        started = time.perf_counter()
        await asyncio.gather(*(client(requests // clients) for _ in range(clients)))
        elapsed = time.perf_counter() - started
    return {
        "requests_per_second": round(len(times) / elapsed, 1),
        "p50_ms": round(percentile(times, 0.50), 2),
        "p99_ms": round(percentile(times, 0.99), 2),
    }


async def _measure(url: str, requests: int, clients: int) -> dict[str, Any]:
    async with aiohttp.ClientSession(auto_decompress=False) as http:
        started = time.perf_counter()
        async with http.get(url, headers={"Accept-Encoding": "identity"}) as first:
            assert first.status == 200, first.status
            body = await first.read()
        first_ms = (time.perf_counter() - started) * 1000
        async with http.get(url, headers={"Accept-Encoding": "gzip"}) as compressed:
            gzipped = len(await compressed.read())
            gzip_etag = compressed.headers["ETag"]
    gzip = {"Accept-Encoding": "gzip"}
    return {
        "first_ms": round(first_ms, 1),
        "bytes": len(body),
        "gzip_bytes": gzipped,
        "revalidate": await _load(url, requests, clients, gzip | {"If-None-Match": gzip_etag}, 304),
        "download_gzip": await _load(url, requests, clients, gzip, 200),
        "download_plain": await _load(url, requests, clients, {"Accept-Encoding": "identity"}, 200),
    }


def measure(events: int, requests: int, clients: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="almanac-feed-") as name:
        folder = Path(name)
        database = folder / "almanac.sqlite3"
        token = asyncio.run(_prepare(database, events))
        port = _free_port()
        server = _serve(database, port, folder)
        try:
            url = f"http://127.0.0.1:{port}/calendar/{token}"
            results = asyncio.run(_measure(url + ".ics", requests, clients))
        finally:
            server.terminate()
            server.wait(timeout=30)
    return {"events": events, "requests": requests, "clients": clients, "cpus": os.cpu_count()} | results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=2_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    document = measure(args.events, args.requests, args.clients)
    args.out.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(document, indent=2))


if __name__ == "__main__":
    main()
