"""results.json -> the markdown table for README."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

LABELS = {
    "search": "`/search`",
    "autocomplete": "autocomplete",
    "lookup": "`/event` lookup",
    "onthisday": "`/onthisday`",
    "timeline": "`/timeline`",
}


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
    rows: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
        ("search recall@10 vs full scan", lambda e: f"{e['recall_at_10']:.3f}"),
        ("FTS5 peer's recall@10 vs full scan", lambda e: f"{e['peer_recall_at_10']:.3f}"),
        ("load a chronology file of that size", lambda e: f"{e['load_s']:.2f} s"),
        (
            "peak RSS loading it (the bigger of the bot and its reading helper)",
            lambda e: f"{e['load_peak_rss_mb']:.0f} MB" if "load_peak_rss_mb" in e else "–",
        ),
        (
            "reload it unchanged",
            lambda e: f"{e['reload_unchanged_s']:.3f} s (**{e['reload_speedup']:g}×** cheaper)",
        ),
        ("ready to answer after start", lambda e: f"{e['start_s']:.1f} s" if "start_s" in e else "–"),
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


def _ms(value: float) -> str:
    return f"{value / 1000:.2f} s" if value >= 1000 else f"{value:.1f} ms"
