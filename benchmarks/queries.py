"""What people ask, with the slips they make typing it.

Every search-like query is built from a real event of the chronology it is asked of (its title,
an alias, a person, a place, a couple of its words), then given one or two typos: a letter
dropped, doubled, swapped with its neighbour or replaced. Queries are asked in the server that
holds the event, or for a bundled event in a server picked by size; so big servers, which hold
more to ask about, are asked more, as they would be. Each search, lookup and autocomplete query
remembers the event it was made from (`Asked.source`), so that a system's answers can be judged
by whether that event comes first (source hit@1) or in the top ten (hit@10), a measure of its
own and not of agreement with our ranking.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass

from bot.dates.partial import MONTHS
from bot.model.event import EventFields

_NEIGHBOURS = {
    "a": "qsz",
    "b": "vn",
    "c": "xv",
    "d": "sf",
    "e": "wr",
    "f": "dg",
    "g": "fh",
    "h": "gj",
    "i": "uo",
    "j": "hk",
    "k": "jl",
    "l": "k",
    "m": "n",
    "n": "bm",
    "o": "ip",
    "p": "o",
    "q": "w",
    "r": "et",
    "s": "ad",
    "t": "ry",
    "u": "yi",
    "v": "cb",
    "w": "qe",
    "x": "zc",
    "y": "tu",
    "z": "x",
}


@dataclass(frozen=True)
class Asked:
    guild_id: int
    text: str
    source: int | None = None  # the id of the event the query was made from, if it was


@dataclass(frozen=True)
class Subject:
    """An event someone asks about, and the server they ask in. `scope` is the event's own
    (None: the server's), `event_id` its id once it is stored."""

    guild_id: int
    fields: EventFields
    scope: int | None = None
    event_id: int | None = None

    @property
    def home(self) -> int:
        return self.guild_id if self.scope is None else self.scope


def typo(word: str, rng: random.Random) -> str:
    """One slip of the fingers in `word` (which should have at least four letters)."""
    letters = [index for index, char in enumerate(word) if char.isalpha()]
    if not letters:
        return word
    at = rng.choice(letters)
    kind = rng.randrange(4)
    if kind == 0:  # dropped
        return word[:at] + word[at + 1 :]
    if kind == 1 and at + 1 < len(word):  # swapped with the next one
        return word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    if kind == 2:  # doubled
        return word[:at] + word[at] + word[at:]
    near = _NEIGHBOURS.get(word[at].lower(), string.ascii_lowercase)
    return word[:at] + rng.choice(near) + word[at + 1 :]


def misspell(text: str, rng: random.Random) -> str:
    """One typo in a word of four letters or more, sometimes a second in another word."""
    words = text.split()
    long = [index for index, word in enumerate(words) if sum(char.isalpha() for char in word) >= 4]
    if not long:
        long = [max(range(len(words)), key=lambda index: len(words[index]))]
    for index in rng.sample(long, 2 if len(long) > 1 and rng.random() < 0.3 else 1):
        words[index] = typo(words[index], rng)
    text = " ".join(words)
    return text.lower() if rng.random() < 0.6 else text


def search_text(fields: EventFields, rng: random.Random) -> str:
    """What someone looking for this event might type, before the typos."""
    title_words = [word for word in fields.title.split() if len(word) > 3]
    options = [fields.title, *fields.aliases[:2], *fields.people, *fields.places]
    if len(title_words) >= 2:
        options.append(" ".join(rng.sample(title_words, 2)))
    if fields.people:
        options.append(rng.choice(fields.people).split()[-1])
    return rng.choice(options)


def searches(subjects: list[Subject], count: int, rng: random.Random) -> list[Asked]:
    return [
        Asked(s.guild_id, misspell(search_text(s.fields, rng), rng), s.event_id)
        for s in _cycle(subjects, count)
    ]


def lookups(subjects: list[Subject], count: int, rng: random.Random) -> list[Asked]:
    """/event <name>: a title or an alias, typed with a slip."""
    asked = []
    for subject in _cycle(subjects, count):
        name = rng.choice((subject.fields.title, *subject.fields.aliases))
        asked.append(Asked(subject.guild_id, misspell(name, rng), subject.event_id))
    return asked


def completions(subjects: list[Subject], count: int, rng: random.Random) -> list[Asked]:
    """Autocomplete: a title as far as it has been typed, finished words sometimes misspelt."""
    asked = []
    for subject in _cycle(subjects, count):
        title = subject.fields.title
        typed = title[: rng.randint(min(3, len(title)), len(title))]
        words = typed.split()
        if len(words) > 1 and rng.random() < 0.5:
            typed = misspell(" ".join(words[:-1]), rng) + " " + words[-1]
        asked.append(Asked(subject.guild_id, typed, subject.event_id))
    return asked


def days(guilds: list[int], count: int, rng: random.Random) -> list[Asked]:
    """/onthisday: any day of the year, written the many ways people write a day."""
    asked = []
    for _ in range(count):
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        name = MONTHS[month - 1]
        forms = (
            f"{day} {name}",
            f"{name} {day}",
            f"{day}/{month}",
            f"{month:02d}-{day:02d}",
            f"{name[:3].lower()} {day}",
            f"{rng.randint(1800, 2020)}-{month:02d}-{day:02d}",
            "today",
            "tomorrow",
        )
        asked.append(Asked(rng.choice(guilds), rng.choices(forms, weights=(5, 4, 3, 2, 2, 1, 1, 1))[0]))
    return asked


def spans(subjects: list[Subject], count: int, rng: random.Random) -> list[Asked]:
    """/timeline: a year the server has events in, a month of it, or a few years from it."""
    asked = []
    for subject in _cycle(subjects, count):
        year = subject.fields.date.start.year
        month = MONTHS[rng.randrange(12)]
        forms = (
            str(year),
            f"{month} {year}",
            f"{year}-{rng.randint(1, 12):02d}",
            f"{year} to {year + rng.randint(1, 4)}",
            f"{year}-03-16",
        )
        asked.append(Asked(subject.guild_id, rng.choices(forms, weights=(11, 4, 1, 3, 1))[0]))
    return asked


def _cycle(subjects: list[Subject], count: int) -> list[Subject]:
    return [subjects[index % len(subjects)] for index in range(count)]
