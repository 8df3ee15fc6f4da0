"""The fuzzy index behind /search, /event lookup and autocomplete.

A trigram index over the vocabulary turns `kronstat` into the real words near it (`kronstadt`,
`kronshtadt`); the postings of those words, one sorted array per word of (scope, event, in-a-name)
keys, give the events of the asked scopes by bisection, never touching another server's. The
candidates are then scored by bot.scoring, the same function the naive full scan uses, so the
index changes how much work a query is, not its answer.
"""

from __future__ import annotations

import bisect
import functools
import heapq
import itertools
import math
from array import array
from collections import Counter
from collections.abc import Collection, Iterable, Iterator

from rapidfuzz import fuzz, process

from bot.model import Event
from bot.scoring import (
    MIN_SCORE,
    PREFIX_SIMILARITY,
    TEXT_WEIGHT,
    WORD_CUTOFF,
    Document,
    Hit,
    Query,
    best_possible,
    final_score,
    normalize,
    ranked,
    scaled,
    score_documents,
    word_similarity,
    word_weights,
)

# what callers have always imported from here
__all__ = ["MIN_SCORE", "Document", "Hit", "Query", "SearchIndex", "normalize"]

SHORT_WORD = 5  # up to this long, a query word is compared with every word of a matching length
SIMILAR_CACHE = 1024  # query words whose close words are remembered
# A posting key is scope slot << 41 | 1 << 40 if the word is in a name | event id: so one scope's
# keys are one run of a word's sorted postings, its text matches first and its name matches after.
_SLOT_SHIFT = 41
_NAME_BIT = 1 << 40
_CHUNK = 4096  # add_all indexes this many events at a time, to bound its scratch memory


def _trigrams(word: str) -> set[str]:
    padded = f" {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


class SearchIndex:
    """Every live event of every scope, kept in step with writes (no rebuilds)."""

    def __init__(self) -> None:
        self._documents: dict[int, Document] = {}
        self._slots: dict[int, int] = {}  # scope -> the small number its posting keys start with
        self._sizes: Counter[int] = Counter()  # scope -> how many events it holds, for word weights
        self._postings: dict[str, array[int]] = {}  # word -> sorted posting keys
        self._grams: dict[str, list[str]] = {}  # trigram -> the words holding it
        self._by_length: dict[int, list[str]] = {}  # length -> the words that long
        self._sorted_words: list[str] = []  # for prefixes …
        self._new_words: list[str] = []  # … once these are sorted in
        self._similar_cache: dict[tuple[str, bool], dict[str, float]] = {}

    def __len__(self) -> int:
        return len(self._documents)

    # -- keeping in step -----------------------------------------------------------------------

    def add(self, event: Event) -> None:
        """Index `event`, replacing any earlier version of it; the same version again (this
        process's own write, come back through the change feed) costs no posting work."""
        document = Document.from_event(event)
        if self._documents.get(event.id) == document:
            return
        self.remove(event.id)
        self._register(document)
        for word, key in self._keys(document):
            postings = self._postings.get(word)
            if postings is None:
                postings = self._new_word(word)
            bisect.insort(postings, key)

    def add_all(self, events: Iterable[Event]) -> None:
        """Index many events; their keys are merged into each word's postings once per chunk."""
        pending: dict[str, list[int]] = {}
        for count, event in enumerate(events, start=1):
            if event.id in self._documents:  # replacing: its old keys must be in place to go
                self._merge(pending)
                pending = {}
                self.remove(event.id)
            for word, key in self._keys(self._register(Document.from_event(event))):
                pending.setdefault(word, []).append(key)
            if count % _CHUNK == 0:
                self._merge(pending)
                pending = {}
        self._merge(pending)

    def remove(self, event_id: int) -> None:
        document = self._documents.pop(event_id, None)
        if document is None:
            return
        self._sizes[document.scope] -= 1
        for word, key in self._keys(document):
            postings = self._postings[word]
            position = bisect.bisect_left(postings, key)
            if position < len(postings) and postings[position] == key:
                del postings[position]
            if not postings:
                self._drop_word(word)

    def _register(self, document: Document) -> Document:
        self._documents[document.event_id] = document
        self._sizes[document.scope] += 1
        if document.scope not in self._slots:
            self._slots[document.scope] = len(self._slots)
        return document

    def _keys(self, document: Document) -> Iterator[tuple[str, int]]:
        base = self._slots[document.scope] << _SLOT_SHIFT | document.event_id
        return ((word, base | _NAME_BIT if in_name else base) for word, in_name in document.postings())

    def _merge(self, pending: dict[str, list[int]]) -> None:
        for word, keys in pending.items():
            keys.sort()
            postings = self._postings.get(word)
            if postings is None:
                postings = self._new_word(word)
            if not postings or keys[0] > postings[-1]:
                postings.extend(keys)  # the usual case: a new scope's keys sort after every other
            else:
                postings[:] = array("Q", sorted((*postings, *keys)))

    def _new_word(self, word: str) -> array[int]:
        postings = self._postings[word] = array("Q")
        for gram in _trigrams(word):
            self._grams.setdefault(gram, []).append(word)
        self._by_length.setdefault(len(word), []).append(word)
        self._new_words.append(word)
        self._similar_cache.clear()
        return postings

    def _drop_word(self, word: str) -> None:
        del self._postings[word]
        for gram in _trigrams(word):
            holders = self._grams[gram]
            holders.remove(word)
            if not holders:
                del self._grams[gram]
        self._by_length[len(word)].remove(word)
        self._similar_cache.clear()
        words = self._sorted()
        del words[bisect.bisect_left(words, word)]

    # -- queries -----------------------------------------------------------------------------

    def search(
        self, query: str, scopes: Collection[int], hidden: Collection[int] = (), limit: int = 10
    ) -> list[Hit]:
        parsed = Query.parse(query)
        return self._search(parsed, scopes, hidden, limit) if parsed else []

    def complete(
        self, query: str, scopes: Collection[int], hidden: Collection[int] = (), limit: int = 25
    ) -> list[Hit]:
        """Titles for autocomplete: the last word typed may be unfinished (`kron` -> Kronstadt)."""
        parsed = Query.parse(query, complete=True)
        return self._search(parsed, scopes, hidden, limit) if parsed else []

    def full_scan(
        self,
        query: str,
        scopes: Collection[int],
        hidden: Collection[int] = (),
        limit: int = 10,
        *,
        complete: bool = False,
    ) -> list[Hit]:
        """Score every event in scope with `score_documents`: the naive way, for the benchmark and tests."""
        parsed = Query.parse(query, complete=complete)
        if parsed is None:
            return []
        excluded = set(hidden)
        # the same numbers as `word_similarity`, each word's computed once rather than once an event
        similarity = functools.cache(
            lambda at, word: word_similarity(parsed.words[at], word, parsed.prefixes[at])
        )
        in_scope = (
            document
            for event_id, document in self._documents.items()
            if document.scope in scopes and event_id not in excluded
        )
        return ranked(score_documents(parsed, in_scope, similarity), self._documents, limit)

    def _search(
        self, query: Query, scopes: Collection[int], hidden: Collection[int], limit: int
    ) -> list[Hit]:
        similar = [
            self._similar(word, prefix) for word, prefix in zip(query.words, query.prefixes, strict=True)
        ]
        asked = set(scopes)
        slots = [self._slots[scope] for scope in asked if scope in self._slots]
        documents = self._documents
        excluded = {
            event_id for event_id in hidden if event_id in documents and documents[event_id].scope in asked
        }
        bests, name_hits = self._gather(similar, slots, excluded)
        population = sum(self._sizes[scope] for scope in asked) - len(excluded)
        weights = word_weights([len(best) for best in bests], population)
        weight = sum(weights)
        totals: dict[int, float] = {}
        for share, best in zip(weights, bests, strict=True):
            for event_id, value in best.items():
                totals[event_id] = totals.get(event_id, 0.0) + share * value
        matched = set().union(*similar)
        # Every candidate scores at least its total without the name bonus; only one whose most
        # (with the bonus) reaches the limit-th best of those least scores can make the answer.
        least = {event_id: scaled(total, weight, False) for event_id, total in totals.items()}
        floor = max(heapq.nlargest(limit, least.values())[-1] if len(least) > limit else 0.0, MIN_SCORE)
        scores = {}
        for event_id, score in least.items():
            if name_hits.get(event_id, 0) < documents[event_id].shortest:  # no name can be covered
                if score >= floor:
                    scores[event_id] = score
            elif best_possible(totals[event_id], weight) >= floor:
                total = totals[event_id]
                scores[event_id] = final_score(query, documents[event_id], total, weight, True, matched)
        return ranked(scores, documents, limit)

    def _gather(
        self, similar: list[dict[str, float]], slots: list[int], excluded: set[int]
    ) -> tuple[list[dict[int, float]], Counter[int]]:
        """For each query word, every candidate's best match for it (but the excluded ones); and
        how many name words each candidate matched (a word once for each query word it matched)."""
        bests: list[dict[int, float]] = []
        name_hits: Counter[int] = Counter()
        for words in similar:
            runs = sorted(self._runs(words, slots), key=lambda run: run[0])
            best: dict[int, float] = {}
            for value, base, keys in runs:  # lowest value first, so the best one is written last
                event_ids = list(map(base.__xor__, keys))
                best.update(dict.fromkeys(event_ids, value))
                if base & _NAME_BIT:
                    name_hits.update(event_ids)
            for event_id in excluded.intersection(best):
                del best[event_id]
            bests.append(best)
        return bests, name_hits

    def _runs(self, words: dict[str, float], slots: list[int]) -> Iterator[tuple[float, int, array[int]]]:
        """(value, key base, keys) for each run of postings of `words` in the asked scopes."""
        for word, similarity in words.items():
            postings = self._postings[word]
            for slot in slots:
                for base, value in (
                    (slot << _SLOT_SHIFT, TEXT_WEIGHT * similarity),
                    (slot << _SLOT_SHIFT | _NAME_BIT, similarity),
                ):
                    low = bisect.bisect_left(postings, base)
                    high = bisect.bisect_left(postings, base + _NAME_BIT, low)
                    if low < high:
                        yield value, base, postings[low:high]

    def _similar(self, query_word: str, prefix: bool) -> dict[str, float]:
        """The indexed words `word_similarity` accepts for `query_word`, with their similarity;
        remembered until the vocabulary changes (autocomplete asks again at every keystroke)."""
        key = (query_word, prefix)
        found = self._similar_cache.get(key)
        if found is None:
            found = self._similar_words(query_word, prefix)
            if len(self._similar_cache) >= SIMILAR_CACHE:
                del self._similar_cache[next(iter(self._similar_cache))]  # the oldest
            self._similar_cache[key] = found
        return found

    def _similar_words(self, query_word: str, prefix: bool) -> dict[str, float]:
        if len(query_word) <= SHORT_WORD:
            # a short word's close words often share no trigram with it (`1827`, `1787`): look at
            # every word of a length that could be close enough instead
            shortest = math.ceil(len(query_word) * WORD_CUTOFF / (200 - WORD_CUTOFF))
            longest = math.floor(len(query_word) * (200 / WORD_CUTOFF - 1))
            pool = list(itertools.chain(*(self._by_length.get(n, ()) for n in range(shortest, longest + 1))))
        else:
            pool = list(set().union(*(self._grams.get(gram, ()) for gram in _trigrams(query_word))))
        found = {
            word: score
            for word, score, _ in process.extract(
                query_word, pool, scorer=fuzz.ratio, score_cutoff=WORD_CUTOFF, limit=None
            )
        }
        if prefix:
            for word in self._words_starting(query_word):
                found[word] = max(found.get(word, 0.0), PREFIX_SIMILARITY)
        return found

    def _words_starting(self, prefix: str) -> Iterator[str]:
        words = self._sorted()
        for position in range(bisect.bisect_left(words, prefix), len(words)):
            if not words[position].startswith(prefix):
                return
            yield words[position]

    def _sorted(self) -> list[str]:
        """Every indexed word in order; words added since the last call are sorted in now, which
        is cheap because the list is already sorted apart from them."""
        if self._new_words:
            self._sorted_words.extend(self._new_words)
            self._sorted_words.sort()
            self._new_words = []
        return self._sorted_words
