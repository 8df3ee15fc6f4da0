"""Loading a chronology file of a given size, and loading it again unchanged, in a process of
its own (a large file costs memory to parse, which is not the serving process's to carry).

    python -m benchmarks.loading --size 10000 --workdir /tmp/x --out x.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import time
from pathlib import Path
from typing import Any

from benchmarks.common import peak_rss_mb
from benchmarks.generate import Writer
from bot.runtime import load_bundled
from bot.store import Store


def write_chronology(path: Path, size: int, seed: int) -> None:
    """`size` events in the data-file format of data/chronology.toml (titles and aliases unique)."""
    writer = Writer(random.Random(f"{seed}-file"), unique=True)
    eras = (1790, 1848, 1871, 1905, 1917, 1921, 1936, 1968)
    with path.open("w", encoding="utf-8") as out:
        out.write("# Synthetic chronology for the benchmark; same format as data/chronology.toml.\n")
        for number in range(size):
            fields = writer.event(number, eras[number % len(eras)]).as_mapping()
            out.write("\n[[event]]\n")
            for key, value in fields.items():
                if value in ("", []):
                    continue
                out.write(f"{key} = {_toml(value)}\n")


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string


async def measure(size: int, workdir: Path, seed: int) -> dict[str, Any]:
    data_file = workdir / f"chronology-{size}.toml"
    write_chronology(data_file, size, seed)
    database = workdir / f"load-{size}.sqlite3"
    for stale in workdir.glob(f"load-{size}.sqlite3*"):
        stale.unlink()
    store = await Store.open(database)
    try:
        started = time.perf_counter()
        changed = await load_bundled(store, data_file)
        first = time.perf_counter() - started
        started = time.perf_counter()
        again = await load_bundled(store, data_file)
        reload = time.perf_counter() - started
    finally:
        await store.close()
    if changed != size or again is not None:
        raise SystemExit(f"loading {data_file}: expected {size} changes then none, got {changed}, {again}")
    return {
        "load_s": round(first, 3),
        "reload_unchanged_s": round(reload, 4),
        "reload_speedup": round(first / reload, 1),
        "file_mb": round(data_file.stat().st_size / 1e6, 1),
        "load_peak_rss_mb": round(peak_rss_mb(), 1),
        # a big file is read by a helper process (bot/chronology/prepared.py): its memory is its own
        "load_helper_peak_rss_mb": round(peak_rss_mb(resource.RUSAGE_CHILDREN), 1),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1917)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    args.out.write_text(
        json.dumps(asyncio.run(measure(args.size, args.workdir, args.seed))), encoding="utf-8"
    )


if __name__ == "__main__":
    main()
