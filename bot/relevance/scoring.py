"""How well a query matches an event: the one scoring function behind /search, /event lookup and
autocomplete, used alike by the index (bot/search/index.py) and by scoring every event the naive way.

Scoring is word by word: each query word is matched to its closest word in an event's title and
aliases, or failing that in its people, places, tags and summary (worth less: a passing mention
ranks below a name), and a name the query covers whole ranks above one it only touches. A typo
counts while the words stay WORD_CUTOFF alike: an edit (a letter dropped, added or replaced, or two
neighbours swapped, the slips people make typing) for every four letters of the longer word. So an
event scores only through words it shares, fuzzily, with the query, which is what lets an index
find every event that could score without looking at the others.

Query words do not count alike: one that many of the asked events match (`campaign`, `strike`)
says less about which event is meant than one few match (`makhno`), so each word weighs by how
rare its matches are among the events asked about, counted afresh for every query and scope set
(`word_weights`). The index counts them from its postings, the full scan by scoring every event;
both get the same numbers.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from rapidfuzz.distance import OSA

from bot.model.event import Event
from bot.relevance.words import content_words, normalize, search_words

TEXT_WEIGHT = 0.8  # a passing mention in a summary counts for less than a title or alias
NAMED_SHARE = 0.1  # what a name the query covers whole adds (`kronstat` -> alias "Kronstadt")
EXACT_BONUS = 20.0  # an exact title or alias beats any fuzzy match
WORD_CUTOFF = 75.0  # one slip in a four-letter word; anything further is another word
PREFIX_SIMILARITY = 90.0  # `kron` as the start of `kronstadt`
SEARCH_PREFIX_MIN = 4  # a search word this long may be the start of a word …
COMPLETE_PREFIX_MIN = 2  # … and so may the last word being typed into autocomplete
MAX_QUERY_WORDS = 8
MIN_SCORE = 25.0
NO_NAME = 1 << 20  # `shortest` of an event without a name of content words


@dataclass(frozen=True, slots=True)
class Document:
    event_id: int
    scope: int
    title: str
    names: tuple[str, ...]  # normalized title and aliases
    text: str  # the other content words (people, places, tags, summary), each once, space-separated
    shortest: int  # the fewest content words of any name: fewer name words matched cannot cover one

    @classmethod
    def from_event(cls, event: Event) -> Document:
        return cls.from_words(event.id, event.scope, event.fields.title, search_words(event.fields))

    @classmethod
    def from_words(cls, event_id: int, scope: int, title: str, words: str) -> Document:
        """The document of an event whose `search_words` are `words` (as the store keeps them)."""
        names_line, _, text = words.partition("\n")
        names = tuple(names_line.split("\t")) if names_line else ()
        shortest = min(
            (n for n in (len(content_words(name.split())) for name in names) if n), default=NO_NAME
        )
        return cls(event_id, scope, title, names, text, shortest)

    def name_words(self) -> set[str]:
        return {word for name in self.names for word in content_words(name.split())}


@dataclass(frozen=True)
class Query:
    text: str  # normalized, stopwords kept: what an exact title or alias must equal
    words: tuple[str, ...]  # the words matched one by one
    prefixes: tuple[bool, ...]  # which of them may be the start of a longer word

    @classmethod
    def parse(cls, text: str, *, complete: bool = False) -> Query | None:
        normalized = normalize(text)
        tokens = normalized.split()
        words = tuple(dict.fromkeys(content_words(tokens) or tokens))[:MAX_QUERY_WORDS]
        if not words:
            return None
        last = len(words) - 1
        prefixes = tuple(
            len(word) >= SEARCH_PREFIX_MIN
            or (complete and index == last and len(word) >= COMPLETE_PREFIX_MIN and tokens[-1] == word)
            for index, word in enumerate(words)
        )
        return cls(normalized, words, prefixes)


def word_similarity(query_word: str, word: str, prefix: bool) -> float:
    """0 unless `word` could be what was meant by `query_word`; 100 when it is exactly that."""
    # the optimal string alignment distance (Damerau-Levenshtein without edits of a swapped pair),
    # over the longer word's length: `rasayan` is one slip from `radayan`, two from `krasaryan`
    alike = 100 * OSA.normalized_similarity(query_word, word, score_cutoff=WORD_CUTOFF / 100)
    if prefix and word.startswith(query_word):
        return max(alike, PREFIX_SIMILARITY)
    return alike


def word_weights(counts: Sequence[int], population: int) -> tuple[float, ...]:
    """How much each query word weighs, from how many of the `population` asked events it matches:
    the probabilistic inverse document frequency (as BM25 weighs terms), always above zero. A word
    that matches nothing weighs as one that matches a single event: it cannot rank any event above
    another, and should not drown the words that can (`kronstadt xyzzy` still finds Kronstadt)."""
    return tuple(
        math.log(1 + (population - matches + 0.5) / (matches + 0.5))
        for matches in (max(count, 1) for count in counts)
    )


@dataclass(frozen=True, slots=True)
class Matches:
    """How a query met one event: each query word's best match (a name's similarity, or
    TEXT_WEIGHT times a text's; 0 for none), whether any matched in a name, and the words matched."""

    best: tuple[float, ...]
    in_name: bool
    matched: frozenset[str]


def document_matches(query: Query, document: Document, similarity: Callable[[int, str], float]) -> Matches:
    name_words, text_words = document.name_words(), document.text.split()
    matched: set[str] = set()
    bests, in_name = [], False
    for position in range(len(query.words)):
        best = 0.0
        for word in name_words:
            if found := similarity(position, word):
                matched.add(word)
                in_name = True
                best = max(best, found)
        for word in text_words:
            if found := similarity(position, word):
                best = max(best, TEXT_WEIGHT * found)
        bests.append(best)
    return Matches(tuple(bests), in_name, frozenset(matched))


def score_documents(
    query: Query, documents: Iterable[Document], similarity: Callable[[int, str], float] | None = None
) -> dict[int, float]:
    """Every document's score, the naive way: each one matched word by word, then the words
    weighed by how many of these documents they match. `similarity` may be a cached
    `word_similarity` for this query; the numbers are the same."""
    similar = similarity or (
        lambda position, word: word_similarity(query.words[position], word, query.prefixes[position])
    )
    matches = {
        document.event_id: (document, document_matches(query, document, similar)) for document in documents
    }
    counts = [sum(1 for _, met in matches.values() if met.best[at]) for at in range(len(query.words))]
    weights = word_weights(counts, len(matches))
    weight = sum(weights)
    scores = {}
    for event_id, (document, met) in matches.items():
        total = 0.0
        for share, best in zip(weights, met.best, strict=True):
            total += share * best
        scores[event_id] = final_score(query, document, total, weight, met.in_name, met.matched)
    return scores


def final_score(
    query: Query, document: Document, total: float, weight: float, in_name: bool, matched: Collection[str]
) -> float:
    """The score, from the weighted sum over query words of each one's best match, the sum of the
    weights, whether any word matched in a name, and which words matched at all."""
    if query.text in document.names:
        return 100.0 + EXACT_BONUS
    # Only a name the query covers whole earns the bonus: half of "Brest-Litovsk peace talks" and
    # half of "Treaty of Brest" are equally good answers to `brest`, and should tie.
    named = in_name and any(covers_name(matched, name.split()) for name in document.names)
    return scaled(total, weight, named)


def scaled(total: float, weight: float, named: bool) -> float:
    # rounded, so that every word matched whole scores 90 and not 89.99999999999999: a weighted
    # mean of equal numbers is not always exactly that number in floating point
    return round((1 - NAMED_SHARE) * (total / weight) + (NAMED_SHARE * 100 if named else 0.0), 9)


def covers_name(matched: Collection[str], name: Sequence[str]) -> bool:
    """Whether every content word of a name (its words) is among the matched words: the name bonus."""
    words = content_words(name)
    return bool(words) and all(word in matched for word in words)


@dataclass(frozen=True)
class Hit:
    event_id: int
    title: str
    score: float
    # some word of the query met nothing in the event: the index says so (for /search), the full
    # scan does not, so it is no part of the answer compared between them
    partial: bool = field(default=False, compare=False)


class Ranked(Protocol):
    """What ties between equal scores are broken by."""

    @property
    def title(self) -> str: ...
    @property
    def shortest(self) -> int: ...


def ranked(scores: dict[int, float], documents: Mapping[int, Ranked], limit: int) -> list[Hit]:
    """Best first; of equal scores, the event with the shortest name (the likelier meaning of a word
    its names share), then alphabetically: the same question always gets the same answer."""
    kept = ((event_id, score) for event_id, score in scores.items() if score >= MIN_SCORE)

    def order(item: tuple[int, float]) -> tuple[float, int, str, int]:
        document = documents[item[0]]
        return -item[1], document.shortest, document.title.lower(), item[0]

    return [
        Hit(event_id, documents[event_id].title, score)
        for event_id, score in heapq.nsmallest(limit, kept, key=order)
    ]


def perfect_total(weight: float) -> float:
    """The least weighted total that means every query word matched whole (within rounding): only
    such a total can belong to an exact name."""
    return 100.0 * weight * (1 - 1e-9)


def best_possible(total: float, weight: float) -> float:
    """The most an event matched in a name can score: as if its name were covered, or exact (which
    needs every word matched whole, so a total within rounding of the full weight)."""
    if total >= perfect_total(weight):
        return 100.0 + EXACT_BONUS
    return scaled(total, weight, True)
