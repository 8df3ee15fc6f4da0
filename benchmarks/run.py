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
from benchmarks.quality import SYSTEMS
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
    warmed = run_module("benchmarks.measure", [*common, "--phase", "warm"], workdir / "w.json")
    naive_args = [*common, "--phase", "naive", "--baseline-queries", str(baseline)]
    slow = run_module("benchmarks.measure", naive_args, workdir / "n.json")
    rival = run_module("benchmarks.tantivy_peer", common, workdir / "t.json")  # after naive: it judges
    loaded = run_module("benchmarks.loading", [*common, "--seed", str(seed)], workdir / "l.json")
    entry: dict[str, Any] = {
        operation: timing(served[operation], slow[operation], rival.get(operation))
        for operation in OPERATIONS
    }
    quality = slow["quality"] | {"tantivy": rival["quality"]}
    entry["recall_at_10"] = quality["index"]["recall_at_10"]
    entry["peer_recall_at_10"] = quality["fts5"]["recall_at_10"]
    entry["tantivy_recall_at_10"] = quality["tantivy"]["recall_at_10"]
    for hit in ("hit_at_1", "hit_at_10"):  # the event each search query was made from, found?
        entry[f"source_{hit}"] = {system: quality[system][hit] for system in SYSTEMS}
    entry["index_build_s"] = {
        "index": slow["index_build_s"],
        "fts5": built["peer_build_s"],
        "tantivy": rival["build_s"],
    }
    entry["index_mb"] = {"index": slow["index_mb"], "tantivy": rival["index_mb"]}
    entry |= {key: loaded[key] for key in ("load_s", "reload_unchanged_s", "reload_speedup")}
    entry["load_peak_rss_mb"] = max(loaded["load_peak_rss_mb"], loaded.get("load_helper_peak_rss_mb", 0.0))
    entry |= {"db_mb": built["db_mb"], "peak_rss_mb": round(served["peak_rss_mb"], 1)}
    entry["start_s"] = served["start_s"]  # opening the database to ready, as the bot starts: cold
    entry["warm_start_s"] = warmed["start_s"]  # the same from the index's snapshot
    entry["first_answer_s"] = {"cold": served["first_answer_s"], "warm": warmed["first_answer_s"]}
    entry["snapshot_mb"] = served.get("snapshot_mb")
    details = {
        "events": served["events"],
        "queries": queries,
        "baseline_queries": slow["queries"],
        "agreement": slow["agreement"],
        "database_build_s": built["database_build_s"],
        "peer_build_s": built["peer_build_s"],
        "start_s": served["start_s"],
        "warm": {key: warmed[key] for key in ("start_s", "first_answer_s", "agreement_with_cold", "loaded")}
        | {"peak_rss_mb": warmed["peak_rss_mb"]},
        "data_file_mb": loaded["file_mb"],
        "peak_rss_mb": {
            "build": built["build_peak_rss_mb"],
            "naive": round(slow["peak_rss_mb"], 1),
            "tantivy": rival["peak_rss_mb"],
            "load": loaded["load_peak_rss_mb"],
            "load_helper": loaded.get("load_helper_peak_rss_mb", 0.0),
        },
        "wall_s": round(time.perf_counter() - started, 1),
    }
    return entry, details


def timing(
    served: dict[str, float], slow: dict[str, float], rival: dict[str, float] | None = None
) -> dict[str, float]:
    p99, slow_p99 = round(served["p99_ms"], 3), round(slow["baseline_p99_ms"], 3)
    found = {
        "p50_ms": round(served["p50_ms"], 3),
        "p99_ms": p99,
        "baseline_p99_ms": slow_p99,
        "speedup_p99": round(slow_p99 / p99, 2),
    }
    if "peer_p99_ms" in slow:  # the text operations, which FTS5 can answer
        peer_p99 = round(slow["peer_p99_ms"], 3)
        found |= {
            "peer_p50_ms": round(slow["peer_p50_ms"], 3),
            "peer_p99_ms": peer_p99,
            "peer_speedup_p99": round(peer_p99 / p99, 2),
        }
    if rival is not None:  # and tantivy
        rival_p99 = round(rival["p99_ms"], 3)
        found |= {
            "tantivy_p50_ms": round(rival["p50_ms"], 3),
            "tantivy_p99_ms": rival_p99,
            "tantivy_speedup_p99": round(rival_p99 / p99, 2),
        }
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
            " with bot.relevance.scoring.score_documents; for onthisday and timeline: every visible event"
            " read and filtered in Python.",
            "peer (FTS5): the off-the-shelf way, timed on the baseline's queries or the first 100:"
            " an FTS5 table with the trigram tokenizer (names, other words, scope) in the same"
            " database; any trigram of the query's"
            f" words matches, the best {CANDIDATES} by bm25 in the server's scopes are read from the"
            " store and reranked by score_documents. peer_speedup_p99 is the peer's p99 over ours.",
            "tantivy: the strongest embeddable peer (benchmarks/tantivy_peer.py), an in-memory index"
            " over the FTS5 peer's documents, each query word a BM25 term plus a fuzzy term (distance"
            " 0 to 3 letters, 1 to 7, 2 beyond; transpositions cost 1) over names (boost"
            " 1.5) and the other words, the last word of autocomplete a prefix too; its own ranking,"
            " not reranked; the hits read from the store. Timed on every query, in a process of its"
            " own. tantivy_speedup_p99 is its p99 over ours.",
            "recall_at_10 (tantivy_, peer_): share of the full-scan top ten (SearchIndex.full_scan, same"
            " scoring) found in the system's top ten, over all the typo'd search queries."
            " source_hit_at_1/10: share of those queries whose own event (the one the query was made"
            " from; not hidden in the server) the system ranks first / in its top ten.",
            "index_build_s: building each from the store (ours: fill_index, as the bot starts; FTS5:"
            " its table, in benchmarks.build); index_mb: the RSS that building it adds, first thing in"
            " a fresh process (ours in naive, tantivy in its own), documents read included, after a"
            " gc.collect(). FTS5's table is on disk, in the database file.",
            "events: Zipf over 100 servers (the largest about a fifth) plus 2% in scope 0 beside the"
            " real bundled chronology.",
            "each size runs in five fresh processes: build (generate and insert through Store.import_events),"
            " serve (the bot's start: load_bundled, Almanac.create; then every real query), naive (the"
            " baselines, the agreement check and recall), tantivy and load (load_bundled on a synthetic"
            " data file of that many events, then again unchanged). peak_rss_mb is the serving"
            " process's, which is the bot's; the others' are under details.",
            "start_s: opening the database to ready to answer, cold (the index built from every event,"
            " as with no snapshot); warm_start_s: the same in a sixth process, from the snapshot the"
            " cold start saved beside the database (loaded, checked, brought up to date from the"
            " change feed); first_answer_s: to the first /search answered; snapshot_mb: its size.",
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
