"""What the benchmark's phases share: the questions file, timing and memory readings."""

from __future__ import annotations

import datetime as dt
import json
import math
import resource
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from benchmarks.queries import Asked

TODAY = dt.date(2026, 3, 16)  # a fixed "today", so every run asks the same days
OPERATIONS = ("search", "autocomplete", "lookup", "onthisday", "timeline")
Call = Callable[[], Awaitable[object]]
PROJECT = Path(__file__).resolve().parent.parent


def run_module(module: str, args: list[str], out: Path) -> dict[str, Any]:
    """Run `python -m module args --out out` in a fresh interpreter and read what it wrote."""
    command = [sys.executable, "-m", module, *args, "--out", str(out)]
    subprocess.run(command, check=True, cwd=PROJECT)
    found: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return found


def save_document(folder: Path, name: str, document: dict[str, Any], table: str) -> None:
    """`name`.json (the shape other tools read) and `name`.md (the table for README), then the table."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.json").write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    (folder / f"{name}.md").write_text(table, encoding="utf-8")
    print(table)


def database_path(workdir: Path, size: int) -> Path:
    return workdir / f"bench-{size}.sqlite3"


def save_questions(path: Path, asked: dict[str, list[Asked]]) -> None:
    plain = {
        operation: [[q.guild_id, q.text, q.source] for q in questions]
        for operation, questions in asked.items()
    }
    path.write_text(json.dumps(plain), encoding="utf-8")


def load_questions(path: Path) -> dict[str, list[Asked]]:
    plain = json.loads(path.read_text(encoding="utf-8"))
    return {operation: [Asked(*item) for item in items] for operation, items in plain.items()}


def peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    """This process's peak resident memory, or (RUSAGE_CHILDREN) its biggest finished child's."""
    peak = resource.getrusage(who).ru_maxrss
    return peak / 1024 / 1024 if sys.platform == "darwin" else peak / 1024  # bytes there, KiB here


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest rank: the smallest value that at least `fraction` of the values do not exceed."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(fraction * len(ordered) - 1e-9)) - 1]


def nothing(reply: object) -> None:
    """What `timed` keeps of a reply nobody reads."""


async def timed(
    calls: Sequence[Call], keep: Callable[[object], object] = nothing
) -> tuple[list[float], list[object]]:
    """Milliseconds each call took, and what `keep` keeps of each reply: reduced as soon as it
    is timed, so that the replies piling up here do not make the collector's pauses longer for
    the calls after (a bot drops each reply once sent)."""
    times, answers = [], []
    for call in calls:
        start = time.perf_counter()
        reply = await call()
        times.append((time.perf_counter() - start) * 1000)
        answers.append(keep(reply))
        del reply
    return times, answers


def rss_mb() -> float:
    """This process's resident memory now (Linux's /proc; elsewhere its peak so far)."""
    try:
        pages = int(Path("/proc/self/statm").read_text(encoding="ascii").split()[1])
    except OSError:
        return peak_rss_mb()
    return pages * resource.getpagesize() / 1024 / 1024
