"""`make bench`: how fast Almanac answers at 1,000, 10,000 and 100,000 events, against the naive way.

Each size is measured in fresh processes (one for the commands, one for loading a chronology
file), so the peak RSS reported is that size's own. Writes benchmarks/results.json (the shape
other tools read) and benchmarks/results.md (the table for README).

    python -m benchmarks.run                       # the full run, about ten minutes on two cores
    python -m benchmarks.run --sizes 1000 --queries 50 --out /tmp/bench
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import rapidfuzz

from benchmarks.common import OPERATIONS, run_module, save_document
from benchmarks.peer import CANDIDATES
from benchmarks.report import markdown

HERE = Path(__file__).resolve().parent
SAMPLE_ABOVE = 10_000
# Naive queries timed per operation above SAMPLE_ABOVE events (the p99 of so few is their max):
# a full scan of 100,000 events takes seconds a query, of a million tens of seconds.
BASELINE_SAMPLES = ((1_000_000, 5), (100_000, 20))


def baseline_sample(size: int, queries: int) -> int:
    if size <= SAMPLE_ABOVE:
        return queries
    return min(queries, next((count for at_least, count in BASELINE_SAMPLES if size >= at_least), 20))


def measure_size(
    size: int, queries: int, baseline: int | None, workdir: Path, seed: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The results.json entry for one size, and the details behind it."""
    if baseline is None:
        baseline = baseline_sample(size, queries)
    common = ["--size", str(size), "--workdir", str(workdir)]
    started = time.perf_counter()
    built = run_module(
        "benchmarks.build", [*common, "--queries", str(queries), "--seed", str(seed)], workdir / "b.json"
    )
    served = run_module("benchmarks.measure", [*common, "--phase", "serve"], workdir / "s.json")
    naive_args = [*common, "--phase", "naive", "--baseline-queries", str(baseline)]
    slow = run_module("benchmarks.measure", naive_args, workdir / "n.json")
    loaded = run_module("benchmarks.loading", [*common, "--seed", str(seed)], workdir / "l.json")
    entry: dict[str, Any] = {
        operation: timing(served[operation], slow[operation]) for operation in OPERATIONS
    }
    entry["recall_at_10"] = round(slow["recall_at_10"], 4)
    entry["peer_recall_at_10"] = round(slow["peer_recall_at_10"], 4)
    entry |= {key: loaded[key] for key in ("load_s", "reload_unchanged_s", "reload_speedup")}
    entry["load_peak_rss_mb"] = max(loaded["load_peak_rss_mb"], loaded.get("load_helper_peak_rss_mb", 0.0))
    entry |= {"db_mb": built["db_mb"], "peak_rss_mb": round(served["peak_rss_mb"], 1)}
    entry["start_s"] = served["start_s"]  # opening the database to the first answer, as the bot starts
    details = {
        "events": served["events"],
        "queries": queries,
        "baseline_queries": slow["queries"],
        "agreement": slow["agreement"],
        "database_build_s": built["database_build_s"],
        "peer_build_s": built["peer_build_s"],
        "start_s": served["start_s"],
        "data_file_mb": loaded["file_mb"],
        "peak_rss_mb": {
            "build": built["build_peak_rss_mb"],
            "naive": round(slow["peak_rss_mb"], 1),
            "load": loaded["load_peak_rss_mb"],
            "load_helper": loaded.get("load_helper_peak_rss_mb", 0.0),
        },
        "wall_s": round(time.perf_counter() - started, 1),
    }
    return entry, details


def timing(served: dict[str, float], slow: dict[str, float]) -> dict[str, float]:
    p99, slow_p99 = round(served["p99_ms"], 3), round(slow["baseline_p99_ms"], 3)
    found = {
        "p50_ms": round(served["p50_ms"], 3),
        "p99_ms": p99,
        "baseline_p99_ms": slow_p99,
        "speedup_p99": round(slow_p99 / p99, 2),
    }
    if "peer_p99_ms" in slow:  # the text operations, which FTS5 can answer
        peer_p99 = round(slow["peer_p99_ms"], 3)
        found |= {"peer_p99_ms": peer_p99, "peer_speedup_p99": round(peer_p99 / p99, 2)}
    return found


def machine(details: dict[str, Any]) -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "load_average": [round(value, 2) for value in os.getloadavg()],
        "sqlite": __import__("sqlite3").sqlite_version,
        "rapidfuzz": rapidfuzz.__version__,
        "notes": [
            "p50/p99 over the queries of each operation, each query timed once after three warm-up calls;"
            " the baseline is the naive way on the same data and the first baseline_queries of the same"
            f" queries (all of them up to {SAMPLE_ABOVE:,} events, then 20; 5 from 1,000,000).",
            "baseline for search, lookup and autocomplete: every visible event read from SQLite and scored"
            " with bot.search.scoring.score_documents; for onthisday and timeline: every visible event read"
            " and filtered in Python.",
            "peer (FTS5): the off-the-shelf way, timed on the baseline's queries or the first 100:"
            " an FTS5 table with the trigram tokenizer (names, other words, scope) in the same"
            " database; any trigram of the query's"
            f" words matches, the best {CANDIDATES} by bm25 in the server's scopes are read from the"
            " store and reranked by score_documents. peer_speedup_p99 is the peer's p99 over ours.",
            "recall_at_10: share of the full-scan top ten (SearchIndex.full_scan, same scoring) found in"
            " the index's top ten, over all the typo'd search queries.",
            "events: Zipf over 100 servers (the largest about a fifth) plus 2% in scope 0 beside the"
            " real bundled chronology.",
            "each size runs in four fresh processes: build (generate and insert through Store.import_events),"
            " serve (the bot's start: load_bundled, Almanac.create; then every real query), naive (the"
            " baselines, the agreement check and recall) and load (load_bundled on a synthetic data file"
            " of that many events, then again unchanged). peak_rss_mb is the serving process's, which is"
            " the bot's; the others' are under details.",
        ],
        "details": details,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated event counts")
    parser.add_argument("--queries", type=int, default=200, help="queries per operation (default 200)")
    parser.add_argument(
        "--baseline-queries",
        type=int,
        help=f"naive queries timed (default: all up to {SAMPLE_ABOVE:,} events, then fewer)",
    )
    parser.add_argument("--seed", type=int, default=1917)
    parser.add_argument("--out", type=Path, default=HERE, help="where results.json and results.md go")
    args = parser.parse_args(argv)
    sizes = sorted({int(size) for size in args.sizes.split(",") if size.strip()}, reverse=True)
    results: dict[str, Any] = {}
    details: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="almanac-bench-") as scratch:
        for size in sizes:
            print(f"measuring {size:,} events …", file=sys.stderr, flush=True)
            results[str(size)], details[str(size)] = measure_size(
                size, args.queries, args.baseline_queries, Path(scratch), args.seed
            )
    document = {"machine": machine(details), "sizes": results}
    save_document(args.out, "results", document, markdown(document))


if __name__ == "__main__":
    main()
