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
import re
import unicodedata
from array import array
from collections.abc import Collection, Iterable, Iterator
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
_SLOT_SHIFT = 41  # posting key: scope slot << 41 | event id << 1 | 1 when the word is in a name
_ID_MASK = (1 << 40) - 1
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

    @classmethod
    def from_event(cls, event: Event) -> Document:
        fields = event.fields
        names = tuple(
            name for name in dict.fromkeys(normalize(n) for n in (fields.title, *fields.aliases)) if name
        )
        in_names = {word for name in names for word in name.split()}
        text = normalize(" ".join((*fields.people, *fields.places, *fields.tags, fields.summary)))
        others = dict.fromkeys(word for word in _content(text.split()) if word not in in_names)
        return cls(event.id, event.scope, fields.title, names, " ".join(others))

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
    name_words, text_words = document.name_words(), document.text.split()
    matched: set[str] = set()
    total, in_name = 0.0, False
    for query_word, prefix in zip(parsed.words, parsed.prefixes, strict=True):
        best = 0.0
        for word in name_words:
            if similarity := word_similarity(query_word, word, prefix):
                matched.add(word)
                in_name = True
                best = max(best, similarity)
        for word in text_words:
            if similarity := word_similarity(query_word, word, prefix):
                best = max(best, TEXT_WEIGHT * similarity)
        total += best
    return _score(parsed, document, total, in_name, matched)


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


def _ranked(scored: Iterable[Hit], limit: int) -> list[Hit]:
    """Best first; equal scores alphabetically, so the same question always gets the same answer."""
    hits = [hit for hit in scored if hit.score >= MIN_SCORE]
    if len(hits) > limit:
        floor = heapq.nlargest(limit, (hit.score for hit in hits))[-1]
        hits = [hit for hit in hits if hit.score >= floor]
    hits.sort(key=lambda hit: (-hit.score, hit.title.lower(), hit.event_id))
    return hits[:limit]


class SearchIndex:
    """Every live event of every scope, kept in step with writes (no rebuilds)."""

    def __init__(self) -> None:
        self._documents: dict[int, Document] = {}
        self._slots: dict[int, int] = {}  # scope -> the small number its posting keys start with
        self._postings: dict[str, array[int]] = {}  # word -> sorted posting keys
        self._grams: dict[str, list[str]] = {}  # trigram -> the words holding it
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
        base = self._slots[document.scope] << _SLOT_SHIFT | document.event_id << 1
        return ((word, base | in_name) for word, in_name in document.postings())

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
        self._new_words.append(word)
        return postings

    def _drop_word(self, word: str) -> None:
        del self._postings[word]
        for gram in _trigrams(word):
            holders = self._grams[gram]
            holders.remove(word)
            if not holders:
                del self._grams[gram]
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
        return _ranked(
            (Hit(document.event_id, document.title, score_document(parsed, document))
             for document in self._documents.values()
             if document.scope in scopes and document.event_id not in excluded),
            limit,
        )  # fmt: skip

    def _search(
        self, query: Query, scopes: Collection[int], hidden: Collection[int], limit: int
    ) -> list[Hit]:
        similar = [
            self._similar(word, prefix) for word, prefix in zip(query.words, query.prefixes, strict=True)
        ]
        slots = [self._slots[scope] for scope in scopes if scope in self._slots]
        totals, in_name = self._gather(similar, slots)
        matched = set().union(*similar)
        count, excluded, documents = len(query.words), set(hidden), self._documents
        # Score in order of an upper bound, and stop once no bound left can reach the top `limit`.
        bounds = [(-_bound(total, count, event_id in in_name), event_id)
                  for event_id, total in totals.items() if event_id not in excluded]  # fmt: skip
        heapq.heapify(bounds)
        hits: list[Hit] = []
        floor: list[float] = []  # the best `limit` scores so far, lowest first
        while bounds and -bounds[0][0] >= MIN_SCORE and (len(floor) < limit or -bounds[0][0] >= floor[0]):
            event_id = heapq.heappop(bounds)[1]
            document = documents[event_id]
            if event_id in in_name:
                score = _score(query, document, totals[event_id], True, matched)
            else:
                score = _scaled(totals[event_id], count, False)
            hits.append(Hit(event_id, document.title, score))
            (heapq.heappush if len(floor) < limit else heapq.heappushpop)(floor, score)
        return _ranked(hits, limit)

    def _gather(self, similar: list[dict[str, float]], slots: list[int]) -> tuple[dict[int, float], set[int]]:
        """Each candidate's sum over query words of its best match, and those matched in a name."""
        totals: dict[int, float] = {}
        in_name: set[int] = set()
        for words in similar:
            best: dict[int, float] = {}
            for word, similarity in words.items():
                postings, in_text = self._postings[word], TEXT_WEIGHT * similarity
                for slot in slots:
                    low = bisect.bisect_left(postings, slot << _SLOT_SHIFT)
                    high = bisect.bisect_left(postings, (slot + 1) << _SLOT_SHIFT, low)
                    for key in postings[low:high]:
                        event_id = (key >> 1) & _ID_MASK
                        if key & 1:
                            in_name.add(event_id)
                            value = similarity
                        else:
                            value = in_text
                        if value > best.get(event_id, 0.0):
                            best[event_id] = value
            for event_id, value in best.items():
                totals[event_id] = totals.get(event_id, 0.0) + value
        return totals, in_name

    def _similar(self, query_word: str, prefix: bool) -> dict[str, float]:
        """The indexed words `word_similarity` accepts for `query_word`, with their similarity."""
        pool = set().union(*(self._grams.get(gram, ()) for gram in _trigrams(query_word)))
        found = {word: score for word, score, _ in process.extract(
            query_word, list(pool), scorer=fuzz.ratio, score_cutoff=WORD_CUTOFF, limit=None)}  # fmt: skip
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


def _bound(total: float, count: int, in_name: bool) -> float:
    """The most an event can score: as if every name it matched in were covered whole (or exact)."""
    if in_name and total == 100.0 * count:
        return 100.0 + EXACT_BONUS
    return _scaled(total, count, in_name)
