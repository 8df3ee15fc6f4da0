"""The fuzzy index behind /search, /event lookup and autocomplete.

Scoring is word by word: each query word is matched to its closest word in an event's title and
aliases, or failing that in its people, places, tags and summary (worth less: a passing mention
ranks below a name), and a name the query covers fully ranks above one it only touches. A typo
counts while `fuzz.ratio` stays at or above WORD_CUTOFF: one slip in a four-letter word.

Because an event can only score through words it shares (fuzzily) with the query, an inverted
index finds every event that could score without looking at the rest: a trigram index over the
vocabulary turns `kronstat` into the real words near it (`kronstadt`, `kronshtadt`), and the
postings of those words, one sorted array per word of (scope, event, in-a-name) keys, give the
events of the asked scopes by bisection, never touching another server's. The candidates are
then scored by the same function the naive full scan uses (`score_document`), so the index
changes how much work a query is, never its answer.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import math
import re
import unicodedata
from array import array
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.model import Event

TEXT_WEIGHT = 0.8  # a passing mention in a summary counts for less than a title or alias
NAMED_SHARE = 0.1  # what a name the query covers whole adds (`kronstat` -> alias "Kronstadt")
EXACT_BONUS = 20.0  # an exact title or alias beats any fuzzy match
WORD_CUTOFF = 75.0  # fuzz.ratio of one slip in a four-letter word; anything further is another word
PREFIX_SIMILARITY = 90.0  # `kron` as the start of `kronstadt`
SEARCH_PREFIX_MIN = 4  # a search word this long may be the start of a word …
COMPLETE_PREFIX_MIN = 2  # … and so may the last word being typed into autocomplete
SHORT_WORD = 5  # up to this long, a query word is compared with every word of a matching length
MAX_QUERY_WORDS = 8
MIN_SCORE = 25.0
_NON_WORD = re.compile(r"[^0-9a-z]+")
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "as",
        "at",
        "by",
        "for",
        "from",
        "in",
        "into",
        "is",
        "of",
        "on",
        "or",
        "the",
        "to",
        "was",
        "were",
        "with",
        "who",
        "what",
    ]
)
# A posting key is scope slot << 41 | 1 << 40 if the word is in a name | event id: so one scope's
# keys are one run of a word's sorted postings, its text matches first and its name matches after.
_SLOT_SHIFT = 41
_NAME_BIT = 1 << 40
_NO_NAME = 1 << 20  # `shortest` of an event without a name of content words
_CHUNK = 4096  # add_all indexes this many events at a time, to bound its scratch memory


def normalize(text: str) -> str:
    """Lowercase ASCII words: accents dropped, punctuation gone (`Brest-Litovsk` -> `brest litovsk`)."""
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _NON_WORD.sub(" ", text.lower()).strip()


def _content(words: Iterable[str]) -> list[str]:
    return [word for word in words if word not in _STOPWORDS]


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
        fields = event.fields
        names = tuple(
            name for name in dict.fromkeys(normalize(n) for n in (fields.title, *fields.aliases)) if name
        )
        in_names = {word for name in names for word in name.split()}
        text = normalize(" ".join((*fields.people, *fields.places, *fields.tags, fields.summary)))
        others = dict.fromkeys(word for word in _content(text.split()) if word not in in_names)
        shortest = min((n for n in (len(_content(name.split())) for name in names) if n), default=_NO_NAME)
        return cls(event.id, event.scope, fields.title, names, " ".join(others), shortest)

    def name_words(self) -> set[str]:
        return {word for name in self.names for word in _content(name.split())}

    def words(self) -> set[str]:
        return self.name_words() | set(self.text.split())

    def postings(self) -> Iterator[tuple[str, int]]:
        """(word, 1 if it is in a name else 0): what this event adds to the index."""
        yield from ((word, 1) for word in self.name_words())
        yield from ((word, 0) for word in self.text.split())


@dataclass(frozen=True)
class Query:
    text: str  # normalized, stopwords kept: what an exact title or alias must equal
    words: tuple[str, ...]  # the words matched one by one
    prefixes: tuple[bool, ...]  # which of them may be the start of a longer word

    @classmethod
    def parse(cls, text: str, *, complete: bool = False) -> Query | None:
        normalized = normalize(text)
        tokens = normalized.split()
        words = tuple(dict.fromkeys(_content(tokens) or tokens))[:MAX_QUERY_WORDS]
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
    ratio = fuzz.ratio(query_word, word, score_cutoff=WORD_CUTOFF)
    if prefix and word.startswith(query_word):
        return max(ratio, PREFIX_SIMILARITY)
    return ratio


def score_document(query: str | Query, document: Document, *, complete: bool = False) -> float:
    """How well a query matches an event; the index gets the same number from its postings."""
    parsed = Query.parse(query, complete=complete) if isinstance(query, str) else query
    if parsed is None:
        return 0.0
    return _document_score(parsed, document, lambda position, word: word_similarity(
        parsed.words[position], word, parsed.prefixes[position]))  # fmt: skip


def _document_score(query: Query, document: Document, similarity: Callable[[int, str], float]) -> float:
    name_words, text_words = document.name_words(), document.text.split()
    matched: set[str] = set()
    total, in_name = 0.0, False
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
        total += best
    return _score(query, document, total, in_name, matched)


def _score(query: Query, document: Document, total: float, in_name: bool, matched: Collection[str]) -> float:
    """The score, from the sum over query words of each one's best match (a name's, or TEXT_WEIGHT
    times a text's), whether any matched in a name, and which words matched at all."""
    if query.text in document.names:
        return 100.0 + EXACT_BONUS
    # Only a name the query covers whole earns the bonus: half of "Brest-Litovsk peace talks" and
    # half of "Treaty of Brest" are equally good answers to `brest`, and should tie.
    named = in_name and any(_covers(matched, name) for name in document.names)
    return _scaled(total, len(query.words), named)


def _scaled(total: float, count: int, named: bool) -> float:
    return (1 - NAMED_SHARE) * (total / count) + (NAMED_SHARE * 100 if named else 0.0)


def _covers(matched: Collection[str], name: str) -> bool:
    words = _content(name.split())
    return bool(words) and all(word in matched for word in words)


@dataclass(frozen=True)
class Hit:
    event_id: int
    title: str
    score: float


def _trigrams(word: str) -> set[str]:
    padded = f" {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def _ranked(scores: dict[int, float], documents: dict[int, Document], limit: int) -> list[Hit]:
    """Best first; equal scores alphabetically, so the same question always gets the same answer."""
    kept = ((event_id, score) for event_id, score in scores.items() if score >= MIN_SCORE)
    best = heapq.nsmallest(
        limit, kept, key=lambda item: (-item[1], documents[item[0]].title.lower(), item[0])
    )
    return [Hit(event_id, documents[event_id].title, score) for event_id, score in best]


class SearchIndex:
    """Every live event of every scope, kept in step with writes (no rebuilds)."""

    def __init__(self) -> None:
        self._documents: dict[int, Document] = {}
        self._slots: dict[int, int] = {}  # scope -> the small number its posting keys start with
        self._postings: dict[str, array[int]] = {}  # word -> sorted posting keys
        self._grams: dict[str, list[str]] = {}  # trigram -> the words holding it
        self._by_length: dict[int, list[str]] = {}  # length -> the words that long
        self._sorted_words: list[str] = []  # for prefixes …
        self._new_words: list[str] = []  # … once these are sorted in

    def __len__(self) -> int:
        return len(self._documents)

    # -- keeping in step -----------------------------------------------------------------------

    def add(self, event: Event) -> None:
        """Index `event`, replacing any earlier version of it."""
        self.remove(event.id)
        document = self._register(event)
        for word, key in self._keys(document):
            postings = self._postings.get(word)
            if postings is None:
                postings = self._new_word(word)
            bisect.insort(postings, key)

    def add_all(self, events: Iterable[Event]) -> None:
        """Index many events; their keys are merged into each word's postings once per chunk."""
        pending: dict[str, list[int]] = {}
        for count, event in enumerate(events, start=1):
            self.remove(event.id)
            for word, key in self._keys(self._register(event)):
                pending.setdefault(word, []).append(key)
            if count % _CHUNK == 0:
                self._merge(pending)
                pending = {}
        self._merge(pending)

    def remove(self, event_id: int) -> None:
        document = self._documents.pop(event_id, None)
        if document is None:
            return
        for word, key in self._keys(document):
            postings = self._postings[word]
            position = bisect.bisect_left(postings, key)
            if position < len(postings) and postings[position] == key:
                del postings[position]
            if not postings:
                self._drop_word(word)

    def _register(self, event: Event) -> Document:
        document = Document.from_event(event)
        self._documents[event.id] = document
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
        return postings

    def _drop_word(self, word: str) -> None:
        del self._postings[word]
        for gram in _trigrams(word):
            holders = self._grams[gram]
            holders.remove(word)
            if not holders:
                del self._grams[gram]
        self._by_length[len(word)].remove(word)
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
        self, query: str, scopes: Collection[int], hidden: Collection[int] = (), limit: int = 10,
        *, complete: bool = False,
    ) -> list[Hit]:  # fmt: skip
        """Score every event in scope with `score_document`: the naive way, for the benchmark and tests."""
        parsed = Query.parse(query, complete=complete)
        if parsed is None:
            return []
        excluded = set(hidden)
        known: list[dict[str, float]] = [{} for _ in parsed.words]

        def similarity(position: int, word: str) -> float:
            # remembered across events: the same numbers as `score_document`, computed once a word
            found = known[position].get(word)
            if found is None:
                found = known[position][word] = word_similarity(
                    parsed.words[position], word, parsed.prefixes[position])  # fmt: skip
            return found

        scores = {
            event_id: _document_score(parsed, document, similarity)
            for event_id, document in self._documents.items()
            if document.scope in scopes and event_id not in excluded
        }
        return _ranked(scores, self._documents, limit)

    def _search(
        self, query: Query, scopes: Collection[int], hidden: Collection[int], limit: int
    ) -> list[Hit]:
        similar = [
            self._similar(word, prefix) for word, prefix in zip(query.words, query.prefixes, strict=True)
        ]
        slots = [self._slots[scope] for scope in scopes if scope in self._slots]
        totals, name_hits = self._gather(similar, slots)
        for event_id in hidden:
            totals.pop(event_id, None)
        count, matched, documents = len(query.words), set().union(*similar), self._documents
        # Every candidate scores at least its total without the name bonus; only one whose most
        # (with the bonus) reaches the limit-th best of those least scores can make the answer.
        least = {event_id: _scaled(total, count, False) for event_id, total in totals.items()}
        floor = heapq.nlargest(limit, least.values())[-1] if len(least) > limit else 0.0
        floor = max(floor, MIN_SCORE)
        scores = {}
        for event_id, score in least.items():
            if name_hits.get(event_id, 0) < documents[event_id].shortest:  # no name can be covered
                if score >= floor:
                    scores[event_id] = score
            elif _most(totals[event_id], count) >= floor:
                scores[event_id] = _score(query, documents[event_id], totals[event_id], True, matched)
        return _ranked(scores, documents, limit)

    def _gather(
        self, similar: list[dict[str, float]], slots: list[int]
    ) -> tuple[dict[int, float], Counter[int]]:
        """Each candidate's sum over query words of its best match, and how many name words it
        matched (counting a word once for each query word it matched)."""
        totals: dict[int, float] = {}
        name_hits: Counter[int] = Counter()
        for words in similar:
            runs = sorted(self._runs(words, slots), key=lambda run: run[0])
            best: dict[int, float] = {}
            for value, base, keys in runs:  # lowest value first, so the best one is written last
                event_ids = list(map(base.__xor__, keys))
                best.update(dict.fromkeys(event_ids, value))
                if base & _NAME_BIT:
                    name_hits.update(event_ids)
            if not totals:
                totals = best
                continue
            for event_id, value in best.items():
                totals[event_id] = totals.get(event_id, 0.0) + value
        return totals, name_hits

    def _runs(self, words: dict[str, float], slots: list[int]) -> Iterator[tuple[float, int, array[int]]]:
        """(value, key base, keys) for each run of postings of `words` in the asked scopes."""
        for word, similarity in words.items():
            postings = self._postings[word]
            for slot in slots:
                for base, value in ((slot << _SLOT_SHIFT, TEXT_WEIGHT * similarity),
                                    (slot << _SLOT_SHIFT | _NAME_BIT, similarity)):  # fmt: skip
                    low = bisect.bisect_left(postings, base)
                    high = bisect.bisect_left(postings, base + _NAME_BIT, low)
                    if low < high:
                        yield value, base, postings[low:high]

    def _similar(self, query_word: str, prefix: bool) -> dict[str, float]:
        """The indexed words `word_similarity` accepts for `query_word`, with their similarity."""
        if len(query_word) <= SHORT_WORD:
            # a short word's close words often share no trigram with it (`1827`, `1787`): look at
            # every word of a length that could be close enough instead
            shortest = math.ceil(len(query_word) * WORD_CUTOFF / (200 - WORD_CUTOFF))
            longest = math.floor(len(query_word) * (200 / WORD_CUTOFF - 1))
            pool = list(
                itertools.chain.from_iterable(
                    self._by_length.get(n, ()) for n in range(shortest, longest + 1)
                )
            )
        else:
            pool = list(set().union(*(self._grams.get(gram, ()) for gram in _trigrams(query_word))))
        found = {word: score for word, score, _ in process.extract(
            query_word, pool, scorer=fuzz.ratio, score_cutoff=WORD_CUTOFF, limit=None)}  # fmt: skip
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


def _most(total: float, count: int) -> float:
    """The most an event matched in a name can score: as if its name were covered, or exact."""
    if total == 100.0 * count:
        return 100.0 + EXACT_BONUS
    return _scaled(total, count, True)
