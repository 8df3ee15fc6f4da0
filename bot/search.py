"""The fuzzy index behind /search, /event lookup and autocomplete.

Retrieval, then scoring. Every word of every event goes into a per-scope inverted index; the
vocabulary of all words has a trigram index so that a typo'd query word (`kronstat`, `makno`)
finds the real words near it without comparing against every word. Only the events holding those
words are then scored with rapidfuzz, by the same function the naive full scan would use
(`score_event`), so the index changes how many events are scored, never how they rank.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.model import Event

NAME_WEIGHT = 1.0
TEXT_WEIGHT = 0.8  # a passing mention in a summary ranks below a title or alias
EXACT_BONUS = 20.0  # an exact title or alias beats any fuzzy match
WORD_CUTOFF = 72.0  # how close a typed word must be to an indexed word to count as the same
MIN_SCORE = 45.0
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


def normalize(text: str) -> str:
    """Lowercase ASCII words: accents dropped, punctuation gone (`Brest-Litovsk` -> `brest litovsk`)."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _NON_WORD.sub(" ", ascii_text.lower()).strip()


@dataclass(frozen=True)
class Document:
    event_id: int
    scope: int
    title: str
    names: tuple[str, ...]  # normalized title and aliases
    text: str  # normalized people, places, tags and summary

    @classmethod
    def from_event(cls, event: Event) -> Document:
        fields = event.fields
        names = tuple(dict.fromkeys(normalize(name) for name in (fields.title, *fields.aliases)))
        text = normalize(" ".join((*fields.people, *fields.places, *fields.tags, fields.summary)))
        return cls(event.id, event.scope, fields.title, tuple(name for name in names if name), text)

    def words(self) -> set[str]:
        return {word for part in (*self.names, self.text) for word in part.split()}


def score_document(query: str, document: Document) -> float:
    """How well a normalized query matches an event; shared by the index and the full scan."""
    if query in document.names:
        return 100.0 + EXACT_BONUS
    name_score = max((fuzz.WRatio(query, name) for name in document.names), default=0.0)
    text_score = fuzz.WRatio(query, document.text) if document.text else 0.0
    return max(name_score * NAME_WEIGHT, text_score * TEXT_WEIGHT)


@dataclass(frozen=True)
class Hit:
    event_id: int
    title: str
    score: float


def _trigrams(word: str) -> set[str]:
    padded = f"  {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


class SearchIndex:
    """Every live event of every scope, kept in step with writes (no rebuilds)."""

    def __init__(self) -> None:
        self._documents: dict[int, Document] = {}
        self._postings: dict[int, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
        self._word_count: dict[str, int] = defaultdict(int)
        self._gram_words: dict[str, set[str]] = defaultdict(set)
        self._sorted_words: list[str] = []
        self._sorted_dirty = False

    def __len__(self) -> int:
        return len(self._documents)

    def add_all(self, events: Iterable[Event]) -> None:
        for event in events:
            self.add(event)

    def add(self, event: Event) -> None:
        """Index `event`, replacing any earlier version of it."""
        self.remove(event.id)
        document = Document.from_event(event)
        self._documents[event.id] = document
        postings = self._postings[document.scope]
        for word in document.words():
            postings[word].add(event.id)
            self._word_count[word] += 1
            if self._word_count[word] == 1:
                for gram in _trigrams(word):
                    self._gram_words[gram].add(word)
                self._sorted_dirty = True

    def remove(self, event_id: int) -> None:
        document = self._documents.pop(event_id, None)
        if document is None:
            return
        postings = self._postings[document.scope]
        for word in document.words():
            postings[word].discard(event_id)
            if not postings[word]:
                del postings[word]
            self._word_count[word] -= 1
            if self._word_count[word] == 0:
                del self._word_count[word]
                for gram in _trigrams(word):
                    self._gram_words[gram].discard(word)
                self._sorted_dirty = True

    # -- queries -----------------------------------------------------------------------------

    def search(
        self, query: str, scopes: Collection[int], hidden: Collection[int] = (), limit: int = 10
    ) -> list[Hit]:
        normalized = normalize(query)
        if not normalized:
            return []
        candidates = self._candidates(normalized, scopes, prefix=False) - set(hidden)
        return self._rank(normalized, candidates, limit)

    def complete(
        self, query: str, scopes: Collection[int], hidden: Collection[int] = (), limit: int = 25
    ) -> list[Hit]:
        """Titles for autocomplete: the last word typed may be unfinished (`kron` -> Kronstadt)."""
        normalized = normalize(query)
        if not normalized:
            return []
        candidates = self._candidates(normalized, scopes, prefix=True) - set(hidden)
        return self._rank(normalized, candidates, limit)

    def full_scan(
        self, query: str, scopes: Collection[int], hidden: Collection[int] = (), limit: int = 10
    ) -> list[Hit]:
        """Score every event in scope: the naive way, kept for the benchmark and tests."""
        normalized = normalize(query)
        excluded = set(hidden)
        everything = {
            event_id
            for event_id, document in self._documents.items()
            if document.scope in scopes and event_id not in excluded
        }
        return self._rank(normalized, everything, limit) if normalized else []

    def _rank(self, query: str, candidates: Iterable[int], limit: int) -> list[Hit]:
        scored = []
        for event_id in candidates:
            document = self._documents[event_id]
            score = score_document(query, document)
            if score >= MIN_SCORE:
                scored.append(Hit(event_id, document.title, score))
        scored.sort(key=lambda hit: (-hit.score, hit.title.lower(), hit.event_id))
        return scored[:limit]

    def _candidates(self, query: str, scopes: Collection[int], *, prefix: bool) -> set[int]:
        words = [word for word in query.split() if word not in _STOPWORDS] or query.split()
        found: set[int] = set()
        postings = [self._postings[scope] for scope in scopes if scope in self._postings]
        for position, word in enumerate(words):
            similar = self._similar_words(word)
            if prefix and position == len(words) - 1:
                similar |= self._words_starting(word)
            for scope_postings in postings:
                for match in similar:
                    found |= scope_postings.get(match, set())
        return found

    def _similar_words(self, word: str) -> set[str]:
        pool: set[str] = set()
        for gram in _trigrams(word):
            pool |= self._gram_words.get(gram, set())
        if not pool:
            return set()
        matches = process.extract(word, list(pool), scorer=fuzz.ratio, score_cutoff=WORD_CUTOFF, limit=None)
        return {match[0] for match in matches} | ({word} if word in self._word_count else set())

    def _words_starting(self, prefix: str, limit: int = 200) -> set[str]:
        if self._sorted_dirty:
            self._sorted_words = sorted(self._word_count)
            self._sorted_dirty = False
        start = bisect.bisect_left(self._sorted_words, prefix)
        found: set[str] = set()
        for word in self._sorted_words[start : start + limit]:
            if not word.startswith(prefix):
                break
            found.add(word)
        return found
