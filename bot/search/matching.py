"""The two ends of one query in the index, with numpy: each query word's matches gathered from
the segments' postings, and the exact ranking of the few candidates that can make the answer.

What lies between (the word weights, the bounds that leave most candidates out, the name bonus)
is the index's own (bot/search/index.py), since it reads the index's per-event arrays.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bot.search.postings import TAG_BITS, TEXT, IntArray, Segment
from bot.search.scoring import EXACT_BONUS, MIN_SCORE, TEXT_WEIGHT, Hit, ranked, scaled
from bot.search.vocabulary import Similar

EMPTY_IDS: IntArray = np.empty(0, dtype=np.int64)


@dataclass(frozen=True, slots=True)
class WordMatches:
    """One query word's matches: each event's best value (a name's similarity, or TEXT_WEIGHT
    times a text's), and every (event's name, word) it matched in a name."""

    events: IntArray
    values: npt.NDArray[np.float64]
    names: IntArray  # event id << TAG_BITS | the name's tag
    name_words: IntArray


def word_matches(
    segments: Sequence[tuple[Segment | None, int]],
    held_by: npt.NDArray[np.int8],
    similar: Similar,
    slots: list[int],
    excluded: IntArray,
) -> WordMatches:
    """The matches of one query word (`similar`: the indexed words close to it) in the asked
    scopes' slots. An event's words count only from the segment that holds its current version
    (`held_by[event] == tag`): an edited event's older words stay in the base until it is rebuilt."""
    parts = []
    for segment, tag in segments:
        if segment is not None:
            runs = segment.runs(similar, slots)
            if runs.starts:
                found = segment.gather(runs)
                current = held_by[found.events] == tag  # not since edited or removed
                parts.append(
                    [part[current] for part in (found.events, found.similarities, found.words, found.tags)]
                )
    events = np.concatenate([part[0] for part in parts]) if parts else EMPTY_IDS
    if not len(events):
        return WordMatches(EMPTY_IDS, np.empty(0), EMPTY_IDS, EMPTY_IDS)
    similarity, words, tags = (np.concatenate([part[at] for part in parts]) for at in (1, 2, 3))
    in_name = tags != TEXT
    values = np.where(in_name, similarity, TEXT_WEIGHT * similarity)
    names, name_words = events[in_name] << TAG_BITS | tags[in_name], words[in_name]
    order = np.lexsort((-values, events))  # by event, its best value first
    events, values = events[order], values[order]
    best = np.concatenate(([True], events[1:] != events[:-1]))
    events, values = events[best], values[best]
    if len(excluded):
        kept = ~np.isin(events, excluded)
        events, values = events[kept], values[kept]
    return WordMatches(events, values, names, name_words)


@dataclass(frozen=True, slots=True)
class Candidates:
    """The events that may make the answer, with their weighted sums and whether the name bonus
    (`covered`) or the exact title's score (`exact`) is theirs."""

    events: IntArray
    totals: npt.NDArray[np.float64]
    covered: npt.NDArray[np.bool_]
    exact: npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class _Named:
    title: str
    shortest: int


def exact_ranking(
    found: Candidates,
    weight: float,
    limit: int,
    titles: Sequence[str | None],
    shortest: npt.NDArray[np.uint32],
) -> list[Hit]:
    """The answer from the candidates: their exact scores, as the full scan computes them, then
    best first with ties broken as `ranked` breaks them. Of many equal scores (a common word in
    thousands of titles), only the ones whose shortest name can still decide are handed to
    `ranked`, which compares titles. `titles` and `shortest` are indexed by event id."""
    events = found.events
    # the same sum means the same score: `scaled` once for each distinct one (ties are many)
    sums, which = np.unique(found.totals, return_inverse=True)
    plain = np.array([scaled(total, weight, False) for total in sums.tolist()])
    named = np.array([scaled(total, weight, True) for total in sums.tolist()])
    scores = np.where(found.exact, 100.0 + EXACT_BONUS, np.where(found.covered, named[which], plain[which]))
    kept = np.flatnonzero(scores >= MIN_SCORE)
    if len(kept) > limit:
        score = scores[kept]
        shortest_kept = shortest[events[kept]]
        last = np.lexsort((shortest_kept, -score))[limit - 1]
        better = (score > score[last]) | ((score == score[last]) & (shortest_kept < shortest_kept[last]))
        tied = np.flatnonzero((score == score[last]) & (shortest_kept == shortest_kept[last]))
        # of the events tied with the limit-th, the alphabetically first ones fill the answer
        first = heapq.nsmallest(
            limit - int(better.sum()),
            events[kept[tied]].tolist(),
            key=lambda event_id: ((titles[event_id] or "").lower(), event_id),
        )
        kept = np.concatenate((kept[better], kept[tied][np.isin(events[kept[tied]], first)]))
    chosen = {int(events[at]): float(scores[at]) for at in kept.tolist()}
    documents = {event_id: _Named(titles[event_id] or "", int(shortest[event_id])) for event_id in chosen}
    return ranked(chosen, documents, limit)
