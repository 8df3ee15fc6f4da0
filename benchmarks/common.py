"""What the benchmark's phases share: the questions file, timing and memory readings."""

from __future__ import annotations

import datetime as dt
import json
import math
import resource
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from benchmarks.queries import Asked

TODAY = dt.date(2026, 3, 16)  # a fixed "today", so every run asks the same days
OPERATIONS = ("search", "autocomplete", "lookup", "onthisday", "timeline")
Call = Callable[[], Awaitable[object]]


def database_path(workdir: Path, size: int) -> Path:
    return workdir / f"bench-{size}.sqlite3"


def save_questions(path: Path, asked: dict[str, list[Asked]]) -> None:
    plain = {operation: [[q.guild_id, q.text] for q in questions] for operation, questions in asked.items()}
    path.write_text(json.dumps(plain), encoding="utf-8")


def load_questions(path: Path) -> dict[str, list[Asked]]:
    plain = json.loads(path.read_text(encoding="utf-8"))
    return {
        operation: [Asked(guild_id, text) for guild_id, text in items] for operation, items in plain.items()
    }


def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / 1024 if sys.platform == "darwin" else peak / 1024  # bytes there, KiB here


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest rank: the smallest value that at least `fraction` of the values do not exceed."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(fraction * len(ordered) - 1e-9)) - 1]


async def timed(calls: Sequence[Call]) -> tuple[list[float], list[object]]:
    """Milliseconds each call took, and what each returned."""
    times, answers = [], []
    for call in calls:
        start = time.perf_counter()
        answers.append(await call())
        times.append((time.perf_counter() - start) * 1000)
    return times, answers
