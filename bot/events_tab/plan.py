"""What a server's Events tab should hold against what Discord lists there: the creates, updates
and deletes that bring one to the other. Plain values in, plain values out; no Discord, no
database, so every rule here is tested directly (tests/bot/events_tab/test_plan.py).

The rules:

* Discord allows EVENTS_CAP scheduled events per server, people's included. The bot's share is
  what people leave free; its anniversaries fill it earliest day first, and one of its events
  beyond the share (people made more since) is deleted to make room for theirs.
* Discord's list is the truth. One of the bot's events is recognised by its creator and the
  marker at the end of its description (`Almanac · #12 · 2026-01-05`), so an event made just
  before a crash is found and kept, never made a second time, and a duplicate is deleted.
* An event the bot made that is no longer listed was deleted by a person: it is not made again
  for that day (`gone`).
* An anniversary claimed by another process within the lease is left to it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from bot.dates.post_times import iso, post_instant
from bot.store import TabKey, TabRow

EVENTS_CAP = 100  # Discord's most scheduled events per server, whoever made them
START_LEAD = dt.timedelta(minutes=5)  # today's event starts this far ahead: Discord wants a future start
SHORTEST = dt.timedelta(minutes=15)  # later in the day than this before midnight: today is left out
_MARKER = re.compile(r"Almanac · #(\d+) · (\d{4}-\d{2}-\d{2})\s*$")


def marker_for(key: TabKey) -> str:
    """The last line of each of the bot's descriptions: which anniversary, which day."""
    event_id, local_date = key
    return f"Almanac · #{event_id} · {local_date}"


def marker_in(description: str | None) -> TabKey | None:
    found = _MARKER.search(description or "")
    return None if found is None else (int(found[1]), found[2])


def fingerprint(name: str, description: str, location: str, start: dt.datetime, end: dt.datetime) -> str:
    """What a scheduled event says, summed up: an update is sent only when it changes."""
    text = "\x1f".join((name, description, location, iso(start), iso(end)))
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


# -- the days ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Day:
    """One local day of the window and when its events run: the whole day, in the server's zone;
    today's from a few minutes from now (`movable` False: once made, its start stays put)."""

    date: dt.date
    start: dt.datetime
    end: dt.datetime
    movable: bool = True


def window(now: dt.datetime, zone: zoneinfo.ZoneInfo, days: int) -> list[Day]:
    """The next `days` local days, today first; today only while enough of it is left."""
    today = now.astimezone(zone).date()
    earliest = (now + START_LEAD).replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    found = []
    for offset in range(days):
        date = today + dt.timedelta(days=offset)
        start = post_instant(date, "00:00", zone)
        end = post_instant(date + dt.timedelta(days=1), "00:00", zone)
        if start >= earliest:
            found.append(Day(date, start, end))
        elif end - earliest >= SHORTEST:
            found.append(Day(date, earliest, end, movable=False))
    return found


def next_midnight(now: dt.datetime, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """When the window moves on by a day: the server's next local midnight."""
    tomorrow = now.astimezone(zone).date() + dt.timedelta(days=1)
    return post_instant(tomorrow, "00:00", zone)


# -- the two sides ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    """One scheduled event as it should be: an anniversary on a local day."""

    event_id: int
    local_date: str
    name: str
    description: str
    location: str
    start: dt.datetime
    end: dt.datetime
    movable: bool = True

    @property
    def key(self) -> TabKey:
        return self.event_id, self.local_date

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.name, self.description, self.location, self.start, self.end)

    def keeping_start(self, start: str | dt.datetime | None) -> Spec:
        """Today's event keeps the start it was made with (a started event's cannot move)."""
        if self.movable or start is None:
            return self
        kept = dt.datetime.fromisoformat(start) if isinstance(start, str) else start
        return replace(self, start=kept) if kept < self.end else self


@dataclass(frozen=True)
class Listed:
    """One scheduled event as Discord lists it."""

    id: int
    by_bot: bool  # its creator is the bot
    key: TabKey | None  # the bot's marker in its description
    active: bool  # scheduled or under way: it counts toward Discord's cap
    fingerprint: str
    start: dt.datetime

    @property
    def ours(self) -> bool:
        return self.by_bot and self.key is not None


def listed(
    event_id: int,
    *,
    by_bot: bool,
    name: str,
    description: str | None,
    location: str | None,
    start: dt.datetime,
    end: dt.datetime | None,
    status: int,
) -> Listed:
    """A listed scheduled event from its fields (status 1 scheduled, 2 active, 3 completed, 4 cancelled)."""
    printed = fingerprint(name, description or "", location or "", start, end or start)
    return Listed(event_id, by_bot, marker_in(description), status in (1, 2), printed, start)


# -- the plan ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Delete:
    """A scheduled event to delete (None: none listed) and the row to forget after (None: no row)."""

    discord_id: int | None
    key: TabKey | None


@dataclass
class Plan:
    creates: list[Spec] = field(default_factory=list)  # claim, create, record
    adopts: list[tuple[Spec, Listed]] = field(default_factory=list)  # made before a crash: record it
    updates: list[tuple[int, Spec, bool]] = field(default_factory=list)  # (id, spec, start moved)
    deletes: list[Delete] = field(default_factory=list)
    gone: list[TabKey] = field(default_factory=list)  # deleted by a person: never made again that day
    held: int = 0  # claimed by another process right now
    others: int = 0  # the scheduled events people made (and any the bot made without its marker)
    share: int = 0  # how many of the tab's events may be the bot's

    @property
    def changes(self) -> int:
        return len(self.creates) + len(self.adopts) + len(self.updates) + len(self.deletes) + len(self.gone)


def plan(wanted: Sequence[Spec], rows: Sequence[TabRow], found: Sequence[Listed], *, held_since: str) -> Plan:
    """The changes that make the tab hold `wanted` (earliest first), as far as the cap allows.
    `rows` are the database's, `found` Discord's list; a claim made after `held_since` is another
    process's, at work right now."""
    by_key = {row.key: row for row in rows}
    ours: dict[TabKey, list[Listed]] = {}
    for item in found:
        if item.ours and item.key is not None:
            ours.setdefault(item.key, []).append(item)
    result = Plan(others=sum(1 for item in found if item.active and not item.ours))
    result.share = max(0, EVENTS_CAP - result.others)
    listed_ids = {item.id for item in found}
    kept: set[int] = set()  # listed ids that stay
    handled: set[TabKey] = set()  # rows the wanted events account for
    taken = 0
    for spec in wanted:
        row, mine = by_key.get(spec.key), ours.get(spec.key, [])
        held = row is not None and row.state == "claimed" and (row.claimed_at or "") > held_since
        vanished = row is not None and row.state == "created" and row.discord_id not in listed_ids
        if row is not None and (row.state == "gone" or (vanished and not mine)):
            handled.add(spec.key)  # a person deleted it: it takes no room and is not made again
            if row.state == "created":
                result.gone.append(spec.key)
            continue
        if taken >= result.share:
            continue  # no room: whatever of it exists is deleted below
        taken += 1
        handled.add(spec.key)
        if held:
            result.held += 1
            kept.update(item.id for item in mine)  # its holder records it
        elif row is not None and row.state == "created" and not vanished and row.discord_id is not None:
            kept.add(row.discord_id)
            current = spec.keeping_start(row.start_utc)
            if current.fingerprint != row.fingerprint:
                moved = row.start_utc is None or current.start != dt.datetime.fromisoformat(row.start_utc)
                result.updates.append((row.discord_id, current, moved))
        elif mine:  # made before a crash (or its row lost): the first listed is the one kept
            first = min(mine, key=lambda item: item.id)
            kept.add(first.id)
            result.adopts.append((spec.keeping_start(first.start), first))
        else:
            result.creates.append(spec)
    for row in rows:
        if row.key in handled or (row.state == "claimed" and (row.claimed_at or "") > held_since):
            continue  # accounted for, or another process is at work on it
        listed_here = row.discord_id is not None and row.discord_id in listed_ids
        result.deletes.append(Delete(row.discord_id if listed_here else None, row.key))
        if listed_here:
            kept.add(row.discord_id or 0)
    for items in ours.values():
        # the bot's, but nothing keeps it: a duplicate, or one whose row was lost
        result.deletes += [Delete(item.id, None) for item in items if item.id not in kept]
    return result
