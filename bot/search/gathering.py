"""A query's matches in one segment, gathered in one pass of machine code.

For every (query word, indexed word near it) the postings of the asked scopes' rows are read in
order; each event met becomes a candidate (its place among them kept in a scratch array by event
id, reset before returning), with the best value each query word found in it (a name's
similarity, or TEXT_WEIGHT times a text's), and every match in a name is listed for the name
bonus. Only the events met are touched: the cost follows the postings read, not the events held.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bot.postings.segments import TAG_BITS, Segment
from bot.relevance.compiled import bisect_left, compiled
from bot.relevance.scoring import TEXT_WEIGHT
from bot.relevance.vocabulary import IntArray, Similar


@dataclass(frozen=True, slots=True)
class Gathered:
    """The candidates of one query, in the order met: each one's event, and each query word's
    best value in it (0: none), with how many candidates each query word met; every match in a
    name that counts towards covering it (a word that two query words both met counts for the
    first): the candidate's place and the name's tag."""

    events: IntArray
    best: npt.NDArray[np.float64]  # query words × candidates: a word's values lie together
    met: IntArray
    name_at: IntArray
    name_tags: IntArray

    @classmethod
    def joined(cls, parts: Sequence[Gathered]) -> Gathered:
        """The candidates of several segments as one (no event is current in two of them)."""
        if len(parts) == 1:
            return parts[0]
        shifts = np.cumsum([0] + [len(part.events) for part in parts[:-1]])
        return cls(
            np.concatenate([part.events for part in parts]),
            np.concatenate([part.best for part in parts], axis=1),
            np.sum([part.met for part in parts], axis=0),
            np.concatenate([part.name_at + shift for part, shift in zip(parts, shifts, strict=True)]),
            np.concatenate([part.name_tags for part in parts]),
        )


@dataclass(frozen=True, slots=True)
class Entries:
    """Every (query word, indexed word near it) of a query, laid end to end: the query word's
    position, the indexed word, its similarity, and whether its matches in names count (it is
    not near an earlier query word too)."""

    asked: IntArray
    numbers: IntArray
    values: npt.NDArray[np.float64]
    counted: npt.NDArray[np.bool_]
    words_asked: int

    @classmethod
    def of(cls, similar: Sequence[Similar]) -> Entries:
        asked = np.concatenate([np.full(len(near), at, dtype=np.int64) for at, near in enumerate(similar)])
        numbers = np.concatenate([near.numbers for near in similar])
        # the first entry of each indexed word, by query-word order (`asked` ascends already)
        order = np.lexsort((asked, numbers))
        first = np.ones(len(numbers), dtype=np.bool_)
        first[1:] = numbers[order][1:] != numbers[order][:-1]
        counted = np.zeros(len(numbers), dtype=np.bool_)
        counted[order[first]] = True
        values = np.concatenate([near.values for near in similar])
        return cls(asked, numbers, values, counted, len(similar))


def gather(
    segment: Segment,
    mark: int,
    ranges: list[tuple[int, int]],
    entries: Entries,
    held_by: npt.NDArray[np.int8],
    excluded: IntArray,
    place: npt.NDArray[np.int32],
) -> Gathered:
    """The matches of the query's `entries` in `ranges` of the segment's rows. An event counts
    here only if `held_by[event] == mark` (the segment holds its current words) and it is not
    `excluded` (sorted). `place` is scratch by event id (int32), all -1, and left so: every
    array is made before the first place is written, so nothing can stop the pass halfway."""
    firsts = np.array([first for first, _ in ranges], dtype=np.int64)
    ends = np.array([end for _, end in ranges], dtype=np.int64)
    events, best, met, name_at, name_tags = _gather(
        segment.keys,
        segment.offsets,
        segment.events,
        held_by,
        mark,
        excluded,
        firsts,
        ends,
        entries.asked,
        entries.numbers,
        entries.values,
        entries.counted,
        entries.words_asked,
        TEXT_WEIGHT,
        TAG_BITS,
        place,
    )
    return Gathered(events, best, met, name_at, name_tags)


@compiled
def _gather(
    keys: np.ndarray,
    offsets: np.ndarray,
    row_events: np.ndarray,
    held_by: np.ndarray,
    mark: int,
    excluded: np.ndarray,
    firsts: np.ndarray,
    ends: np.ndarray,
    asked: np.ndarray,
    numbers: np.ndarray,
    values: np.ndarray,
    counted: np.ndarray,
    words_asked: int,
    text_weight: float,
    tag_bits: int,
    place: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    tag_mask = (1 << tag_bits) - 1
    known = len(offsets) - 1
    # where each (word, range of rows) run lies, found once: their sum bounds the candidates
    lows = np.zeros((len(numbers), len(firsts)), dtype=np.int64)
    highs = np.zeros((len(numbers), len(firsts)), dtype=np.int64)
    room = 0
    for entry in range(len(numbers)):
        word = numbers[entry]
        if word >= known:
            continue
        start, stop = offsets[word], offsets[word + 1]
        for at_range in range(len(firsts)):
            low = bisect_left(keys, firsts[at_range] << tag_bits, start, stop)
            high = bisect_left(keys, ends[at_range] << tag_bits, low, stop)
            lows[entry, at_range], highs[entry, at_range] = low, high
            room += high - low
    events = np.empty(room, dtype=np.int64)
    best = np.zeros((words_asked, room), dtype=np.float64)
    met = np.zeros(words_asked, dtype=np.int64)
    name_at = np.empty(room, dtype=np.int64)
    name_tags = np.empty(room, dtype=np.int64)
    count = named = 0
    for entry in range(len(numbers)):
        query_word, similarity, in_names = asked[entry], values[entry], counted[entry]
        in_text = text_weight * similarity
        for at_range in range(len(firsts)):
            for position in range(lows[entry, at_range], highs[entry, at_range]):
                key = np.int64(keys[position])
                event = row_events[key >> tag_bits]
                if held_by[event] != mark:  # since edited or removed: its words are elsewhere
                    continue
                if len(excluded):  # hidden by the server
                    at = bisect_left(excluded, event, 0, len(excluded))
                    if at < len(excluded) and excluded[at] == event:
                        continue
                candidate = int(place[event])
                if candidate < 0:
                    candidate = count
                    place[event] = count
                    events[count] = event
                    count += 1
                tag = key & tag_mask
                value = in_text if tag == 0 else similarity
                held = best[query_word, candidate]
                if value > held:
                    if held == 0:
                        met[query_word] += 1
                    best[query_word, candidate] = value
                if tag != 0 and in_names:
                    name_at[named], name_tags[named] = candidate, tag
                    named += 1
    for at in range(count):
        place[events[at]] = -1
    return events[:count], best[:, :count], met, name_at[:named], name_tags[:named]


@compiled
def weighted(best: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each candidate's weighted sum over the query words, added up in query-word order as the
    full scan adds them (so the very same floating-point number), and whether every query word
    met something in it (else /search calls it a partial match)."""
    totals = np.zeros(best.shape[1], dtype=np.float64)
    every = np.ones(best.shape[1], dtype=np.bool_)
    for word in range(best.shape[0]):  # a word at a time, each total growing in the same order
        weight = weights[word]
        for candidate in range(best.shape[1]):
            totals[candidate] += weight * best[word, candidate]
            every[candidate] &= best[word, candidate] > 0
    return totals, every
