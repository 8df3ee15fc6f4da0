"""How good a system's answers to the typo'd search queries are, two ways.

recall@10 is the share of the full scan's top ten (our own scoring applied to every event) that
a system's top ten holds: agreement with our ranking, which flatters us. Source hit@1 and hit@10
are independent of it: each query was made from one event (`Asked.source`), and a good answer
puts that event first, or at least in the top ten. A query whose event the server hides is left
out of the hits (no system may show it); one the full scan finds nothing for, out of recall.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SYSTEMS = ("index", "full_scan", "fts5", "tantivy")  # ours, our scoring on every event, the peers


@dataclass
class Tally:
    """One system's answers, added query by query."""

    recalls: list[float] = field(default_factory=list)
    firsts: list[bool] = field(default_factory=list)
    tens: list[bool] = field(default_factory=list)

    def add(self, found: Sequence[int], expected: Sequence[int], source: int | None) -> None:
        """`found`: the system's top ten, best first; `expected`: the full scan's; `source`: the
        event the query was made from, if the server can see it."""
        if expected:
            self.recalls.append(len(set(found[:10]) & set(expected)) / len(expected))
        if source is not None:
            self.firsts.append(bool(found) and found[0] == source)
            self.tens.append(source in found[:10])

    def summary(self) -> dict[str, float]:
        return {
            "recall_at_10": _mean(self.recalls),
            "hit_at_1": _mean(self.firsts),
            "hit_at_10": _mean(self.tens),
        }


def _mean(values: Sequence[float | bool]) -> float:
    return round(sum(values) / len(values), 4) if values else 0.0


def save_expected(path: Path, expected: list[list[int]], sources: list[int | None]) -> None:
    """The full scan's top ten and the visible source of every search query, for the phases that
    judge the other systems in processes of their own."""
    path.write_text(json.dumps({"expected": expected, "sources": sources}), encoding="utf-8")


def load_expected(path: Path) -> tuple[list[list[int]], list[int | None]]:
    found: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return found["expected"], found["sources"]


def expected_path(workdir: Path, size: int) -> Path:
    return workdir / f"expected-{size}.json"
