"""results.json -> the markdown table for README.

Beside each command's timings: the two peers' (FTS5 and tantivy; tantivy's p99 over ours in
bold), each system's recall@10 and source hit@1 and hit@10 on the search queries, and what
building each search index costs in time and memory."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from benchmarks.quality import SYSTEMS

LABELS = {
    "search": "`/search`",
    "autocomplete": "autocomplete",
    "lookup": "`/event` lookup",
    "onthisday": "`/onthisday`",
    "timeline": "`/timeline`",
}
PEER_OPERATIONS = ("search", "autocomplete", "lookup")  # what FTS5 and tantivy answer
SYSTEM_NAMES = "ours / full scan / FTS5 / tantivy"  # SYSTEMS, as the table names them


def markdown(document: dict[str, Any]) -> str:
    sizes = sorted(document["sizes"], key=int)
    columns = [f"{int(size):,} events" for size in sizes]
    lines = [
        "| | " + " | ".join(columns) + " |",
        "|---|" + "---:|" * len(columns),
    ]
    for operation, label in LABELS.items():
        cells = []
        for size in sizes:
            entry = document["sizes"][size][operation]
            peer = (
                f"; FTS5 {_ms(entry['peer_p99_ms'])}, **{entry['peer_speedup_p99']:g}×**"
                if "peer_p99_ms" in entry
                else ""
            )
            cells.append(
                f"{entry['p50_ms']:.1f} / {entry['p99_ms']:.1f} ms (naive p99 "
                f"{_ms(entry['baseline_p99_ms'])}, **{entry['speedup_p99']:g}×**{peer})"
            )
        lines.append(f"| {label} p50 / p99 | " + " | ".join(cells) + " |")
    for operation in PEER_OPERATIONS:
        cells = [_peers(document["sizes"][size][operation]) for size in sizes]
        lines.append(f"| FTS5 and tantivy: {LABELS[operation]} p50 / p99 | " + " | ".join(cells) + " |")
    rows: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
        ("search recall@10 vs full scan", lambda e: f"{e['recall_at_10']:.3f}"),
        ("FTS5 peer's recall@10 vs full scan", lambda e: f"{e['peer_recall_at_10']:.3f}"),
        ("tantivy's recall@10 vs full scan", lambda e: _get(e, "tantivy_recall_at_10", "{:.3f}")),
        (f"search source hit@1 ({SYSTEM_NAMES})", lambda e: _systems(e, "source_hit_at_1", "{:.3f}")),
        (f"search source hit@10 ({SYSTEM_NAMES})", lambda e: _systems(e, "source_hit_at_10", "{:.3f}")),
        (
            "build the search index (ours / FTS5 / tantivy)",
            lambda e: _systems(e, "index_build_s", "{:.2f}", " s"),
        ),
        ("RSS building it adds (ours / tantivy)", lambda e: _systems(e, "index_mb", "{:.0f}", " MB")),
        ("load a chronology file of that size", lambda e: f"{e['load_s']:.2f} s"),
        (
            "peak RSS loading it (the bigger of the bot and its reading helper)",
            lambda e: f"{e['load_peak_rss_mb']:.0f} MB" if "load_peak_rss_mb" in e else "–",
        ),
        (
            "reload it unchanged",
            lambda e: f"{e['reload_unchanged_s']:.3f} s (**{e['reload_speedup']:g}×** cheaper)",
        ),
        ("ready to answer after start, cold / from the index's snapshot", _start),
        (
            "index snapshot on disk",
            lambda e: _get(e, "snapshot_mb", "{:.1f} MB") if e.get("snapshot_mb") else "–",
        ),
        ("database size", lambda e: f"{e['db_mb']:.1f} MB"),
        ("peak RSS serving", lambda e: f"{e['peak_rss_mb']:.0f} MB"),
    ]
    for label, cell in rows:
        lines.append(f"| {label} | " + " | ".join(cell(document["sizes"][size]) for size in sizes) + " |")
    machine = document["machine"]
    lines += [
        "",
        f"Python {machine['python']}, SQLite {machine['sqlite']}, {machine['cpus']} CPUs "
        f"({machine['processor']}), load average at the end {machine['load_average']}.",
    ]
    return "\n".join(lines) + "\n"


def _peers(entry: dict[str, Any]) -> str:
    """The FTS5 and tantivy peers' p50 / p99, and tantivy's p99 over ours."""
    if "tantivy_p99_ms" not in entry:
        return "–"
    return (
        f"FTS5 {_ms(entry['peer_p50_ms'])} / {_ms(entry['peer_p99_ms'])}; tantivy"
        f" {_ms(entry['tantivy_p50_ms'])} / {_ms(entry['tantivy_p99_ms'])}"
        f" (**{entry['tantivy_speedup_p99']:g}×**)"
    )


def _start(entry: dict[str, Any]) -> str:
    """Start-up to ready, cold (the index built) and warm (loaded from its snapshot)."""
    if "start_s" not in entry:
        return "–"
    warm = f" / {entry['warm_start_s']:.1f} s" if "warm_start_s" in entry else ""
    return f"{entry['start_s']:.1f} s{warm}"


def _get(entry: dict[str, Any], key: str, form: str) -> str:
    return form.format(entry[key]) if key in entry else "–"


def _systems(entry: dict[str, Any], key: str, form: str, unit: str = "") -> str:
    """One figure for each system measured, in SYSTEMS' order, as `a / b / c`."""
    if key not in entry:
        return "–"
    figures = entry[key]
    return " / ".join(form.format(figures[system]) for system in SYSTEMS if system in figures) + unit


def _ms(value: float) -> str:
    return f"{value / 1000:.2f} s" if value >= 1000 else f"{value:.1f} ms"
