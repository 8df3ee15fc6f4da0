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

from bot.relevance.scoring import EXACT_BONUS, MIN_SCORE, TEXT_WEIGHT, Hit, ranked, scaled
from bot.relevance.vocabulary import IntArray, Similar
from bot.search.postings import TAG_BITS, TAG_MASK, TEXT, Segment
from bot.search.shelf import Titles

EMPTY_IDS: IntArray = np.empty(0, dtype=np.int64)


@dataclass(frozen=True, slots=True)
class Asked:
    """The rows of one segment that the asked scopes hold, laid end to end: a query word's
    matches there are one dense array over them, filled without sorting anything."""

    segment: Segment
    held: int  # the mark of the events whose current words this segment holds
    ranges: list[tuple[int, int]]
    events: IntArray  # place -> event id

    @classmethod
    def rows_of(cls, segment: Segment, held: int, slots: list[int]) -> Asked:
        ranges = segment.ranges(slots)
        events = [segment.events[first:end] for first, end in ranges]
        return cls(segment, held, ranges, np.concatenate(events) if events else EMPTY_IDS)


@dataclass(frozen=True, slots=True)
class WordMatches:
    """One query word's matches: in each asked segment, every place's best value (a name's
    similarity, or TEXT_WEIGHT times a text's; 0 for none), how many events it matched, and
    every (event's name, word) it matched in a name."""

    best: list[npt.NDArray[np.float64]]
    count: int
    names: IntArray  # event id << TAG_BITS | the name's tag
    name_words: IntArray


def word_matches(
    asked: Sequence[Asked], held_by: npt.NDArray[np.int8], similar: Similar, excluded: IntArray
) -> WordMatches:
    """The matches of one query word (`similar`: the indexed words close to it) in the asked
    rows. An event's words count only from the segment that holds its current version
    (`held_by[event] == mark`): an edited event's older words stay in the base until it is rebuilt."""
    best, names, name_words, count = [], [EMPTY_IDS], [EMPTY_IDS], 0
    for rows in asked:
        values = np.zeros(len(rows.events), dtype=np.float64)
        runs = rows.segment.runs(similar, rows.ranges)
        if runs.starts:
            found = rows.segment.gather(runs)
            current = held_by[found.events] == rows.held  # not since edited or removed
            if len(excluded):
                current &= ~np.isin(found.events, excluded)
            events, similarity, tags = found.events[current], found.similarities[current], found.tags[current]
            in_name = tags != TEXT
            np.maximum.at(
                values, found.places[current], np.where(in_name, similarity, TEXT_WEIGHT * similarity)
            )
            names.append(events[in_name] << TAG_BITS | tags[in_name])
            name_words.append(found.words[current][in_name])
            count += int(np.count_nonzero(values))
        best.append(values)
    return WordMatches(best, count, np.concatenate(names), np.concatenate(name_words))


def weighted_sums(
    asked: Sequence[Asked], matches: Sequence[WordMatches], weights: Sequence[float]
) -> tuple[IntArray, npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """Every matched event, its weighted sum over the query words, and whether every query word
    met something in it (else /search calls it a partial match). The sums are added up in
    query-word order, as the full scan adds them, so that they are the same floating-point numbers."""
    found, sums, whole = [EMPTY_IDS], [np.empty(0)], [np.empty(0, dtype=np.bool_)]
    for at, rows in enumerate(asked):
        total = np.zeros(len(rows.events), dtype=np.float64)
        for share, match in zip(weights, matches, strict=True):
            total += share * match.best[at]
        placed = np.flatnonzero(total)
        found.append(rows.events[placed])
        sums.append(total[placed])
        whole.append(np.logical_and.reduce([match.best[at][placed] > 0 for match in matches]))
    return np.concatenate(found), np.concatenate(sums), np.concatenate(whole)


def names_covered(
    similar: Sequence[Similar],
    matches: Sequence[WordMatches],
    candidates: IntArray,
    place: IntArray,
    per_name: tuple[npt.NDArray[np.uint8], npt.NDArray[np.uint8]],
    query_length: int,
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Which candidates have a name every content word of which the query met (the name bonus),
    which have such a name as long as the query (maybe the query exactly), and which had any word
    of a name met. `place` gives each candidate's place among them by event id (-1: not one);
    `per_name` each name's count of content words and of words, by event id << TAG_BITS | tag."""
    name_sizes, name_lengths = per_name
    if not len(candidates):
        return np.zeros(0, dtype=np.bool_), np.zeros(0, dtype=np.bool_), np.zeros(0, dtype=np.bool_)
    # each (name, word) pair once: a word that two query words both met counts for the first
    names, seen = [], np.empty(0, dtype=np.int64)
    for found, match in zip(similar, matches, strict=True):
        names.append(match.names[~np.isin(match.name_words, seen)] if len(seen) else match.names)
        seen = np.concatenate((seen, found.numbers))
    # how many words of each of the candidates' names were met, by (candidate's place, tag)
    every = np.concatenate(names)
    located = place[every >> TAG_BITS]
    ours = located >= 0  # only the candidates' names
    met = np.bincount(
        located[ours] << TAG_BITS | every[ours] & TAG_MASK, minlength=len(candidates) << TAG_BITS
    )
    every_name = (candidates[:, None] << TAG_BITS | np.arange(1 << TAG_BITS)).reshape(-1)
    whole = (met >= name_sizes[every_name]).reshape(len(candidates), -1)
    alike = whole & (name_lengths[every_name].reshape(len(candidates), -1) == query_length)
    named = np.asarray(met.reshape(len(candidates), -1).any(axis=1), dtype=np.bool_)
    return whole.any(axis=1), alike.any(axis=1), named


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
    titles: Titles,
    shortest: npt.NDArray[np.uint32],
    title_ranks: npt.NDArray[np.int32],
) -> list[Hit]:
    """The answer from the candidates: their exact scores, as the full scan computes them, then
    best first with ties broken as `ranked` breaks them. Of many equal scores (a common word in
    thousands of titles), only the ones whose shortest name can still decide are handed to
    `ranked`, which compares titles; `shortest` is indexed by event id, and so are `title_ranks`
    (the base's events in title order, -1 for the others), which leave few titles to read."""
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
        ids, wanted = events[kept[tied]], limit - int(better.sum())
        ranks = title_ranks[ids]
        ranked_ids = ids[ranks >= 0]
        if len(ranked_ids) > wanted:  # only the first few of the base's in title order can make it
            first_ranked = np.argpartition(ranks[ranks >= 0], wanted - 1)[:wanted]
            ids = np.concatenate((ranked_ids[first_ranked], ids[ranks < 0]))
        lowered = zip((title.lower() for title in titles.many(ids)), ids.tolist(), strict=True)
        first = [event_id for _, event_id in heapq.nsmallest(wanted, lowered)]
        kept = np.concatenate((kept[better], kept[tied][np.isin(events[kept[tied]], first)]))
    chosen = {int(events[at]): float(scores[at]) for at in kept.tolist()}
    documents = {event_id: _Named(titles.get(event_id), int(shortest[event_id])) for event_id in chosen}
    return ranked(chosen, documents, limit)
