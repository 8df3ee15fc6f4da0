"""Synthetic chronologies: events that read like the bundled ones, at any size, from a fixed seed.

Servers are unequal, as they are in life: sizes follow Zipf's law over 100 servers (the largest
keeps about a fifth of all events, the smallest a few dozen), and each server has an era it
cares about. Names are built from syllables so that the vocabulary keeps growing with the
size of the data, as real names do, instead of repeating a short list.
"""

from __future__ import annotations

import functools
import itertools
import random
import re
import tomllib
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from bot.chronology.reader import DEFAULT_DATA_FILE
from bot.dates.partial import EventDate
from bot.model.event import EventFields

SERVERS = 100
BUNDLED_SHARE = 0.02  # synthetic events added to scope 0 beside the real data file
GUILD_BASE = 900_000_000_000_000_000  # snowflake-sized guild ids


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST_NAMES = _words(
    "Alexander Anna Boris Dmitri Elena Fyodor Grigory Irina Ivan Lev Maria Mikhail Nadezhda "
    "Nestor Nikolai Olga Pavel Pyotr Sergei Sofia Vasily Vera Viktor Yakov Yuri Aleksandra Emma "
    "Errico Francisco Ida Jan Josef Karl Louise Luigi Manuel Pierre Rosa Rudolf Teresa Voline "
    "Zinaida"
)
SURNAME_HEADS = _words(
    "Ant Bar Bel Bog Chern Dan Dob Gor Grig Kal Kam Kor Kras Lev Mak Mal Mar Mir Nov Orl Pav Pet "
    "Pop Rad Rom Sav Sem Sid Sok Step Tar Tim Vas Vol Vor Zag Zak Zel Arsh Dur Fed Gusk Khar Lun "
    "Osk"
)
SURNAME_MIDS = ("", "", "", "o", "a", "e", "i", "ov", "en", "ush", "il", "ar", "el", "in", "ol")
SURNAME_TAILS = ("ov", "ova", "ev", "in", "ina", "sky", "skaya", "enko", "uk", "ich", "yan", "ski", "hno")
PLACE_HEADS = _words(
    "Odes Kiev Khar Sam Saratov Tver Kaz Perm Ufa Omsk Tom Irk Vyat Vlad Mosk Petro Kron Tamb "
    "Penz Kursk Orel Ryaz Tul Yaros Kost Vitebsk Mins Vilna Riga Reval Baku Tiflis Astra Tsarits "
    "Novoros"
)
PLACE_TAILS = ("", "", "grad", "sk", "ovo", "ino", "burg", "pol", "opol", "ets", "an", "ka")
SYLLABLES = _words(
    "ba be bo da de do ga go ka ke ko la le lo ma me mo na ne no pa po ra re ro sa se so ta te to "
    "va ve vo za zo bra gri kra pro sta tro vla zhi chu shi"
)
REGIONS = _words("Volga Ukraine Siberia Urals Caucasus Crimea Don Kuban Turkestan Baltic Karelia Altai")
TRADES = _words("bakers printers metalworkers dockers textile workers miners railwaymen tram workers sailors")
GROUPS = (
    "anarchists",
    "Left SRs",
    "Mensheviks",
    "Maximalists",
    "syndicalists",
    "Tolstoyans",
    "strike committee",
    "peasant union",
    "student circle",
    "factory committee",
    "soviet",
)
ORG_KINDS = ("Federation", "Union", "Party", "Committee", "Circle", "Group", "Confederation", "League")
ORG_ADJECTIVES = ("Anarchist", "Socialist", "Workers'", "Peasant", "Revolutionary", "Syndicalist", "Free")
PAPERS = ("Golos Truda", "Burevestnik", "Anarkhia", "Volnaya Zhizn", "Nabat", "Znamya Truda", "Volya")
TAGS = _words(
    "strike repression arrest exile trial execution uprising congress press famine mutiny "
    "peasants workers soviets army navy prison decree election emigration cheka anarchism "
    "socialism"
)
ORDINALS = ("First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh")


@dataclass(frozen=True)
class Server:
    guild_id: int
    size: int
    era: int  # the year this server's events centre on


def server_count(total: int) -> int:
    """SERVERS up to 100,000 events; past that a hundred events a server (10,000 at a million),
    as a public bot's chronology grows by more servers rather than by bigger ones."""
    return SERVERS if total <= 100_000 else total // 100


def servers(total: int, rng: random.Random) -> tuple[int, list[Server]]:
    """How many synthetic bundled events, and each server with its Zipf share of `total`."""
    bundled = round(total * BUNDLED_SHARE)
    weights = [1 / rank for rank in range(1, server_count(total) + 1)]
    scale = (total - bundled) / sum(weights)
    sizes = [max(1, int(weight * scale)) for weight in weights]
    sizes[0] += total - bundled - sum(sizes)  # rounding goes to the largest server
    return bundled, [
        Server(GUILD_BASE + rank * 7_919, size, rng.randint(1650, 1990)) for rank, size in enumerate(sizes)
    ]


class Writer:
    """Makes one event at a time; `unique` keeps titles and aliases distinct (a data file needs it)."""

    def __init__(self, rng: random.Random, *, unique: bool = False) -> None:
        self.rng = rng
        self.unique = unique
        self.names: set[str] = set()

    # -- words -----------------------------------------------------------------------------

    def coined(self) -> str:
        """A name root no list holds: real names are a long tail, and so is this vocabulary."""
        return (self.rng.choice(SYLLABLES) + self.rng.choice(SYLLABLES)).capitalize()

    def surname(self) -> str:
        pick = self.rng.choice
        head = pick(SURNAME_HEADS) if self.rng.random() < 0.5 else self.coined()
        return head + pick(SURNAME_MIDS) + pick(SURNAME_TAILS)

    def person(self) -> str:
        return f"{self.rng.choice(FIRST_NAMES)} {self.surname()}"

    def place(self) -> str:
        head = self.rng.choice(PLACE_HEADS) if self.rng.random() < 0.6 else self.coined()
        return head + self.rng.choice(PLACE_TAILS) if self.rng.random() < 0.7 else head + "a"

    def org(self) -> str:
        pick = self.rng.choice
        if self.rng.random() < 0.5:
            return f"{pick(ORG_ADJECTIVES)} {pick(ORG_KINDS)} of {self.place()}"
        return f"{self.place()} {pick(ORG_ADJECTIVES)} {pick(ORG_KINDS)}"

    # -- one event -------------------------------------------------------------------------

    def event(self, number: int, era: int) -> EventFields:
        rng = self.rng
        people = tuple(dict.fromkeys(self.person() for _ in range(rng.choice((0, 1, 1, 2, 2, 3, 4)))))
        places = tuple(dict.fromkeys(self.place() for _ in range(rng.choice((1, 1, 1, 2, 2, 3)))))
        date = self.date(era)
        title, aliases = self.title(people, places, date.start.year)
        tags = tuple(dict.fromkeys(rng.choice(TAGS) for _ in range(rng.randint(1, 4))))
        raw = {
            "id": f"{_slug(title)[:60].rstrip('-')}-{number}",
            "date": date.edtf(),
            "title": title,
            "summary": self.summary(title, people, places)[:600],
            "people": list(people),
            "places": list(places),
            "tags": list(tags),
            "aliases": list(aliases),
            "source": "Synthetic benchmark data",
            "russia": rng.random() < 0.6,
        }
        return EventFields.from_mapping(raw)

    def date(self, era: int) -> EventDate:
        rng = self.rng
        year = min(
            2025, max(1000, round(rng.gauss(era, 35)) if rng.random() < 0.85 else rng.randint(1500, 2025))
        )
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        kind = rng.random()
        qualifier = rng.choice(("", "", "", "", "", "", "~", "?"))
        if kind < 0.70:
            return EventDate.parse(f"{year:04d}-{month:02d}-{day:02d}{qualifier}")
        if kind < 0.82:
            return EventDate.parse(f"{year:04d}-{month:02d}{qualifier}")
        if kind < 0.88:
            return EventDate.parse(f"{year:04d}{qualifier}")
        if kind < 0.96:  # a few days to a few weeks
            first = EventDate.parse(f"{year:04d}-{month:02d}-{day:02d}").first_day()
            last = first.fromordinal(first.toordinal() + rng.choice((1, 2, 3, 6, 13, 40)))
            return EventDate.parse(f"{first.isoformat()}/{last.isoformat()}")
        if kind < 0.98:
            return EventDate.parse(f"{year:04d}-{month:02d}/{min(2025, year + 1):04d}-{month:02d}")
        return EventDate.parse(f"{year:04d}/{min(2025, year + rng.randint(1, 6)):04d}")

    def title(self, people: tuple[str, ...], places: tuple[str, ...], year: int) -> tuple[str, list[str]]:
        rng, place = self.rng, places[0]
        who = people[0] if people else self.person()
        surname = who.split()[-1]
        options = [
            (f"{place} general strike", [f"{place} strike of {year}", f"General strike in {place}"]),
            (f"Strike of the {place} {rng.choice(TRADES)}", [f"{place} walkout"]),
            (f"Arrest of {who}", [f"{surname} arrested"]),
            (f"Trial of the {place} {rng.choice(GROUPS)}", [f"{place} trial"]),
            (f"Founding of the {self.org()}", []),
            (f"{rng.choice(ORDINALS)} Congress of the {self.org()}", []),
            (f"Battle of {place}", [f"{place} {year}"]),
            (f"{place} uprising", [f"{place} rising", f"{place} revolt of {year}"]),
            (f"Execution of {who}", [f"Death of {surname}"]),
            (f"{who} exiled to {rng.choice(REGIONS)}", [f"Exile of {surname}"]),
            (f"{place} naval mutiny", [f"{place} mutiny"]),
            (f"First issue of {rng.choice(PAPERS)} in {place}", []),
            (f"Famine in the {rng.choice(REGIONS)}", [f"{rng.choice(REGIONS)} famine of {year}"]),
            (f"Raid on the {place} {rng.choice(GROUPS)}", [f"{place} raids"]),
            (f"Decree on the {rng.choice(TAGS)} in {place}", []),
        ]
        title, aliases = rng.choice(options)
        return self._distinct(title, year), [alias for alias in aliases if self._claim(alias)]

    def summary(self, title: str, people: tuple[str, ...], places: tuple[str, ...]) -> str:
        rng = self.rng
        place = places[-1]
        sentences = [
            f"{title} took place in {place} after weeks of tension over {rng.choice(TAGS)} and wages.",
            f"The {rng.choice(GROUPS)} of {place} called a meeting that the authorities broke up.",
            f"Several hundred {rng.choice(TRADES)} joined, and the local press reported {rng.choice(TAGS)}.",
            f"Delegates from {self.place()} and {self.place()} sent messages of solidarity.",
            f"The source says the {rng.choice(GROUPS)} were blamed and many were held without trial.",
            f"Troops were sent from {self.place()} to restore order within days.",
        ]
        sentences += [
            f"{person} spoke for the {rng.choice(GROUPS)} and was later arrested." for person in people
        ]
        rng.shuffle(sentences)
        return " ".join([*sentences[: rng.randint(1, 3)], prose(rng, rng.randint(1, 2))])

    def _distinct(self, title: str, year: int) -> str:
        if not self.unique:
            return title
        candidates = itertools.chain(
            (title, f"{title} ({year})"), (f"{title} ({year}, {n})" for n in itertools.count(2))
        )
        return next(candidate for candidate in candidates if self._claim(candidate))

    def _claim(self, name: str) -> bool:
        if not self.unique:
            return True
        key = " ".join(re.sub(r"[^0-9a-z]+", " ", name.lower()).split())
        if key in self.names:
            return False
        self.names.add(key)
        return True


@functools.cache
def _prose_chain() -> dict[str, list[str]]:
    """Which word follows which in the bundled summaries: sentences that read like history
    and use words as often as real prose does (a few very often, most rarely)."""
    document = tomllib.loads(DEFAULT_DATA_FILE.read_text(encoding="utf-8"))
    chain: dict[str, list[str]] = defaultdict(list)
    for entry in document["event"]:
        tokens = [".", *re.findall(r"[A-Za-z][A-Za-z'-]*|[0-9]+|[.,;]", entry.get("summary", ""))]
        for before, after in itertools.pairwise(tokens):
            chain[before].append(after)
    return dict(chain)


def prose(rng: random.Random, sentences: int) -> str:
    chain, out, word = _prose_chain(), [], "."
    for _ in range(sentences):
        for _ in range(40):
            word = rng.choice(chain.get(word) or chain["."])
            out.append(word)
            if word == ".":
                break
        if out[-1] != ".":
            out.append(".")
            word = "."
    return re.sub(r" ([.,;])", r"\1", " ".join(out))


def server_events(server: Server, seed: int) -> Iterator[EventFields]:
    writer = Writer(random.Random(f"{seed}-{server.guild_id}"))
    for number in range(server.size):
        yield writer.event(number, server.era)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "event"
