"""The far end of one query in the index, with numpy: which candidates cover a name whole, and
the exact ranking of the few that can make the answer (their matches are gathered by
bot/search/gathering.py).

What lies between is elsewhere: the word weights are the index's own (bot/search/index.py),
since it reads the index's per-event arrays, and the bounds that leave most candidates out are
bot/search/selection.py.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bot.postings.segments import TAG_BITS
from bot.postings.shelf import Titles
from bot.relevance.compiled import compiled, prefetch
from bot.relevance.scoring import EXACT_BONUS, MIN_SCORE, Hit, ranked, scaled
from bot.relevance.vocabulary import IntArray, Similar
from bot.search.gathering import Gathered
from bot.search.selection import best_first

_AHEAD = 8  # contenders whose names are fetched ahead of the one being read


def names_covered(
    found: Gathered,
    contenders: IntArray,
    per_name: tuple[npt.NDArray[np.uint8], npt.NDArray[np.uint8]],
    query_length: int,
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Of the candidates `contenders` picks: which have a name every content word of which the
    query met (the name bonus), which have such a name as long as the query (maybe the query
    exactly), and which had any word of a name met. `per_name` gives each name's count of content
    words and of words, by event id << TAG_BITS | tag."""
    name_sizes, name_lengths = per_name
    covered, alike, named = _names_covered(
        found.name_at,
        found.name_tags,
        contenders,
        found.events,
        name_sizes,
        name_lengths,
        query_length,
        TAG_BITS,
    )
    return covered, alike, named


@compiled
def _names_covered(
    name_at: np.ndarray,
    name_tags: np.ndarray,
    contenders: np.ndarray,
    events: np.ndarray,
    name_sizes: np.ndarray,
    name_lengths: np.ndarray,
    query_length: int,
    tag_bits: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    tags = 1 << tag_bits
    place = np.full(len(events), -1, dtype=np.int32)  # candidate -> its place among the contenders
    for at in range(len(contenders)):
        place[contenders[at]] = at
    # words met, by (contender, tag), stopping at 255: no name has that many content words
    met = np.zeros(len(contenders) * tags, dtype=np.uint8)
    for at in range(len(name_at)):
        contender = place[name_at[at]]
        if contender >= 0 and met[contender * tags + name_tags[at]] < 255:
            met[contender * tags + name_tags[at]] += 1
    covered = np.zeros(len(contenders), dtype=np.bool_)
    alike = np.zeros(len(contenders), dtype=np.bool_)
    named = np.zeros(len(contenders), dtype=np.bool_)
    for at in range(len(contenders)):
        if at + _AHEAD < len(contenders):  # the names of an event met later: fetched meanwhile
            ahead = events[contenders[at + _AHEAD]] << tag_bits
            prefetch(name_sizes, ahead)
            prefetch(name_lengths, ahead)
        names = events[contenders[at]] << tag_bits
        for tag in range(tags):
            count = met[at * tags + tag]
            if count == 0:
                continue
            named[at] = True
            if count >= name_sizes[names | tag]:
                covered[at] = True
                alike[at] |= name_lengths[names | tag] == query_length
    return covered, alike, named


def words_met(similar: Sequence[Similar]) -> IntArray:
    """The words (by number) a query met, sorted."""
    met: IntArray = np.unique(np.concatenate([near.numbers for near in similar]))
    return met


def covers_a_name(met: IntArray, numbers: IntArray, starts: IntArray) -> bool:
    """Whether the query met every content word of one of an event's names (`covers_name`, for
    events with more names than tags): `met` as `words_met` gives it, the names' content words'
    numbers end to end, and where each name starts (none empty)."""
    if not len(numbers) or not len(met):
        return False
    at = np.minimum(np.searchsorted(met, numbers), len(met) - 1)
    return bool(np.logical_and.reduceat(met[at] == numbers, starts).any())


@dataclass(frozen=True, slots=True)
class Candidates:
    """The events that may make the answer, with their weighted sums and whether the name bonus
    (`covered`) or the exact title's score (`exact`) is theirs."""

    events: IntArray
    totals: npt.NDArray[np.float64]
    covered: npt.NDArray[np.bool_]
    exact: npt.NDArray[np.bool_]
    whole: npt.NDArray[np.bool_]  # every query word met something in it (else a partial match)


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
    best first with ties broken as `ranked` breaks them. `shortest` is indexed by event id, and so
    are `title_ranks`: the base's events in title order, -1 for the others. When every candidate
    has a rank, that order breaks the ties in machine code, and only the answer's titles are
    read. Otherwise, of many equal scores (a common word in thousands of titles), only the ones
    whose shortest name can still decide are handed to `ranked`, which compares titles."""
    events = found.events
    # the same sum means the same score: `scaled` once for each distinct one (ties are many)
    sums, which = np.unique(found.totals, return_inverse=True)
    plain = np.array([scaled(total, weight, False) for total in sums.tolist()])
    named = np.array([scaled(total, weight, True) for total in sums.tolist()])
    scores = np.where(found.exact, 100.0 + EXACT_BONUS, np.where(found.covered, named[which], plain[which]))
    kept = np.flatnonzero(scores >= MIN_SCORE)
    ranks = title_ranks[events[kept]]
    if (ranks >= 0).all():  # all in the base's title order: ranked without a title read
        kept = kept[best_first(scores[kept], shortest[events[kept]], ranks, limit)]
        return _hits(found, kept, scores, titles.many(events[kept]))
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
    ids = events[kept]
    chosen = dict(zip(ids.tolist(), scores[kept].tolist(), strict=True))
    named_as = map(_Named, titles.many(ids), shortest[ids].tolist())  # the titles read in one go
    hits = ranked(chosen, dict(zip(chosen, named_as, strict=True)), limit)
    order = dict(zip(ids.tolist(), range(len(ids)), strict=True))
    kept = kept[[order[hit.event_id] for hit in hits]]
    return _hits(found, kept, scores, [hit.title for hit in hits])


def _hits(
    found: Candidates, kept: IntArray, scores: npt.NDArray[np.float64], titles: Sequence[str]
) -> list[Hit]:
    """The answer: the candidates at `kept`, in that order, with their scores and titles."""
    events, whole = found.events[kept].tolist(), found.whole[kept].tolist()
    listed = zip(events, titles, scores[kept].tolist(), whole, strict=True)
    return [Hit(event_id, title, score, not whole) for event_id, title, score, whole in listed]
