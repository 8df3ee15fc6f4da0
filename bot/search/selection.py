"""Which of a query's candidates can still make the answer, told from bounds on their scores,
in compiled loops over every candidate (tens of thousands for a common word).

A candidate scores at least its weighted total without the name bonus, and at most with it (or
an exact title's score, which needs every query word matched whole): one whose most is below the
limit-th best least cannot make the answer. Once the name bonus is known, the estimates are the
scores within rounding (numpy's sums against the exact ones, which round to 9 places): the few
near the limit-th best, or above it, are scored exactly (bot/search/matching.py).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from bot.relevance.compiled import compiled
from bot.relevance.scoring import EXACT_BONUS, MIN_SCORE, NAMED_SHARE, perfect_total
from bot.relevance.vocabulary import IntArray

_KEEP = 1 - NAMED_SHARE  # of the total, without the name bonus
_BONUS = NAMED_SHARE * 100
_EXACT = 100.0 + EXACT_BONUS
_MARGIN = 1e-6  # a candidate this close to making the answer is scored exactly before it is left out
_BOUNDS = (_KEEP, _BONUS, _EXACT, MIN_SCORE, _MARGIN)


def contenders(totals: npt.NDArray[np.float64], weight: float, limit: int) -> IntArray:
    """The candidates (by place) whose best possible score reaches the limit-th best least one."""
    found: IntArray = _contenders(totals, weight, perfect_total(weight), limit, _BOUNDS)
    return found


def least_floor(totals: npt.NDArray[np.float64], weight: float, limit: int) -> float:
    """The limit-th best least score among these candidates (0 when there are fewer): no event
    scoring below it can make the answer, whatever other candidates there are."""
    return _KEEP * (_kth_largest(totals, limit) / weight) if len(totals) > limit else 0.0


def finalists(
    totals: npt.NDArray[np.float64],
    weight: float,
    covered: npt.NDArray[np.bool_],
    exact: npt.NDArray[np.bool_],
    limit: int,
) -> IntArray:
    """The candidates (by place) whose estimate, name bonus and exact titles known, is near the
    limit-th best one or above it (and near MIN_SCORE at least)."""
    found: IntArray = _finalists(totals, weight, covered, exact, limit, _BOUNDS)
    return found


@compiled
def _kth_largest(values: np.ndarray, k: int) -> float:
    """The k-th largest of `values` (k at least 1, at most their count): a heap of the k largest."""
    heap = np.empty(k, dtype=np.float64)
    for at in range(k):  # the first k, made a heap (smallest on top)
        heap[at] = values[at]
        child = at
        while child > 0 and heap[(child - 1) >> 1] > heap[child]:
            parent = (child - 1) >> 1
            heap[parent], heap[child] = heap[child], heap[parent]
            child = parent
    for at in range(k, len(values)):
        value = values[at]
        if value <= heap[0]:
            continue
        heap[0] = value  # the smallest of the k gives way, and the new one sinks to its place
        parent = 0
        while True:
            child = 2 * parent + 1
            if child >= k:
                break
            if child + 1 < k and heap[child + 1] < heap[child]:
                child += 1
            if heap[child] >= heap[parent]:
                break
            heap[parent], heap[child] = heap[child], heap[parent]
            parent = child
    return float(heap[0])


@compiled
def _contenders(
    totals: np.ndarray,
    weight: float,
    perfect: float,
    limit: int,
    bounds: tuple[float, float, float, float, float],
) -> np.ndarray:
    keep, bonus, exact_score, min_score, margin = bounds
    # the limit-th best least score: a candidate's least grows with its total, so it is the
    # limit-th largest total's, and no array of them is made
    floor = keep * (_kth_largest(totals, limit) / weight) if len(totals) > limit else 0.0
    threshold = max(floor, min_score) - margin
    chosen = np.empty(len(totals), dtype=np.int64)
    count = 0
    for at in range(len(totals)):
        most = exact_score if totals[at] >= perfect else keep * (totals[at] / weight) + bonus
        if most >= threshold:
            chosen[count] = at
            count += 1
    return chosen[:count]


@compiled
def _finalists(
    totals: np.ndarray,
    weight: float,
    covered: np.ndarray,
    exact: np.ndarray,
    limit: int,
    bounds: tuple[float, float, float, float, float],
) -> np.ndarray:
    keep, bonus, exact_score, min_score, margin = bounds
    estimate = np.empty(len(totals), dtype=np.float64)
    for at in range(len(totals)):
        estimate[at] = keep * (totals[at] / weight) + (bonus if covered[at] else 0.0)
        if exact[at]:
            estimate[at] = exact_score
    floor = min_score
    if len(totals) > limit:
        floor = max(floor, _kth_largest(estimate, limit))
    return _at_least(estimate, floor - margin)


@compiled
def _at_least(values: np.ndarray, floor: float) -> np.ndarray:
    """The places of the values not below `floor`, in order."""
    chosen = np.empty(len(values), dtype=np.int64)
    count = 0
    for at in range(len(values)):
        if values[at] >= floor:
            chosen[count] = at
            count += 1
    return chosen[:count]


def best_first(
    scores: npt.NDArray[np.float64],
    shortest: npt.NDArray[np.uint32],
    ranks: npt.NDArray[np.int32],
    limit: int,
) -> IntArray:
    """The places of the best `limit` candidates, best first: by score, then the shortest name,
    then the place in title order (`ranks`, distinct), as `ranked` orders them."""
    found: IntArray = _best_first(scores, shortest, ranks, limit)
    return found


@compiled
def _worse(scores: np.ndarray, shortest: np.ndarray, ranks: np.ndarray, one: int, other: int) -> bool:
    """Whether candidate `one` comes after `other` in the answer."""
    if scores[one] != scores[other]:
        return bool(scores[one] < scores[other])
    if shortest[one] != shortest[other]:
        return bool(shortest[one] > shortest[other])
    return bool(ranks[one] > ranks[other])


@compiled
def _sink(heap: np.ndarray, size: int, scores: np.ndarray, shortest: np.ndarray, ranks: np.ndarray) -> None:
    """Move the top of the heap (the worst candidate on top) down to its place."""
    parent = 0
    while True:
        child = 2 * parent + 1
        if child >= size:
            return
        if child + 1 < size and _worse(scores, shortest, ranks, heap[child + 1], heap[child]):
            child += 1
        if not _worse(scores, shortest, ranks, heap[child], heap[parent]):
            return
        heap[parent], heap[child] = heap[child], heap[parent]
        parent = child


@compiled
def _best_first(scores: np.ndarray, shortest: np.ndarray, ranks: np.ndarray, limit: int) -> np.ndarray:
    size = min(limit, len(scores))
    heap = np.empty(size, dtype=np.int64)  # the best so far, the worst of them on top
    for at in range(size):
        heap[at] = at
        child = at
        while child > 0 and _worse(scores, shortest, ranks, heap[child], heap[(child - 1) >> 1]):
            parent = (child - 1) >> 1
            heap[parent], heap[child] = heap[child], heap[parent]
            child = parent
    for at in range(size, len(scores)):
        if size and _worse(scores, shortest, ranks, heap[0], at):
            heap[0] = at
            _sink(heap, size, scores, shortest, ranks)
    for end in range(size - 1, 0, -1):  # the worst to the end, one at a time: best first
        heap[0], heap[end] = heap[end], heap[0]
        _sink(heap, end, scores, shortest, ranks)
    return heap
