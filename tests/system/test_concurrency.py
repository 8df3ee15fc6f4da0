"""Many users at once, through the application layer the cogs call: nothing is locked out, nothing
is lost, and two edits of one event never silently overwrite each other.

Also two writers on one database file (two Store objects, and `almanac import` in another process
while the bot writes): SQLite's busy_timeout makes each wait its turn instead of failing.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import subprocess
import sys
import time
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

from bot.almanac.freshness import FEED_INTERVAL
from bot.curation.forms import EventForm
from bot.i18n.errors import UserError
from bot.model.event import Event, EventFields, FieldErrors
from bot.runtime import Services, build_index, open_services, wire
from bot.store import Shards, Store
from tests.support import FIXTURE_CHRONOLOGY

HERE, THERE, IMPORTED = 1001, 2002, 3003
MOD = 77
TODAY = dt.date(2026, 3, 16)
SEED = 8


def refusals(results: list[Any]) -> list[str]:
    """The messages of the expected refusals; anything else raised fails the test on the spot."""
    unexpected = [
        r for r in results if isinstance(r, BaseException) and not isinstance(r, UserError | FieldErrors)
    ]
    assert unexpected == [], f"unexpected errors: {[repr(error) for error in unexpected]}"
    return [str(r) for r in results if isinstance(r, BaseException)]


async def findable(services: Services, guild: int, event: Event) -> bool:
    """The search index answers the event's exact title with that event among the results."""
    return event.id in {found.id for found in (await services.almanac.search(guild, event.title)).events}


async def test_200_reads_and_50_writes_at_once_lose_nothing(services: Services) -> None:
    curation = services.curation
    targets = [
        await curation.add(HERE, MOD, EventForm(f"Strike at works number {n}", f"{1920 + n}-05-01"))
        for n in range(11)
    ]
    contested, others = targets[0], targets[1:]

    writes: list[Awaitable[Any]] = [
        # ten moderators open the same event's modal at once and each saves a different title
        *(
            curation.edit(HERE, MOD, contested, EventForm(f"Contested title version {n}", "1920-05-01"))
            for n in range(10)
        ),
        *(
            curation.edit(
                HERE, MOD, event, EventForm(f"{event.title} (revised)", event.date.edtf(), "Revised.")
            )
            for event in others
        ),
        *(
            curation.add(
                HERE, MOD, EventForm(f"Concurrent addition {n}", f"1931-{n % 12 + 1:02d}-{n + 1:02d}")
            )
            for n in range(16)
        ),
        # the same title on different days: each needs an id of its own
        *(curation.add(HERE, MOD, EventForm("Hunger march", f"{1932 + n}-02-01")) for n in range(4)),
        # a double-submitted modal: one event, and a clear refusal for the rest
        *(curation.add(HERE, MOD, EventForm("Printers' strike", "1933-07-07")) for _ in range(5)),
        *(curation.add(THERE, MOD, EventForm(f"Elsewhere {n}", f"1925-01-{n + 1:02d}")) for n in range(5)),
    ]
    reads: list[Awaitable[Any]] = []
    for n in range(50):
        guild = HERE if n % 2 else THERE
        reads += [
            services.almanac.on_this_day(guild, "1 May", TODAY),
            services.almanac.search(guild, "kronstadt"),
            services.almanac.timeline(guild, "1920", "1935"),
            services.almanac.lookup(guild, "Cheka founded"),
        ]
    assert (len(reads), len(writes)) == (200, 50)
    jobs = reads + writes
    order = list(range(len(jobs)))
    random.Random(SEED).shuffle(order)
    shuffled = await asyncio.gather(*(jobs[i] for i in order), return_exceptions=True)
    results: list[Any] = [None] * len(jobs)
    for position, i in enumerate(order):
        results[i] = shuffled[position]

    refused = refusals(results)
    read_results, write_results = results[:200], results[200:]
    assert all(not isinstance(r, BaseException) for r in read_results)
    assert all(r.events for r in read_results[1::4]), "a search for kronstadt came back empty"
    assert all(r.event is not None and r.event.title == "Cheka founded" for r in read_results[3::4])

    # Exactly one of the ten contested edits won; the other nine were told, none overwrote it.
    edits = write_results[:10]
    winners = [r for r in edits if isinstance(r, Event)]
    assert len(winners) == 1
    assert sum("changed while you were editing it" in text for text in refused) == 9
    stored = await services.store.get_event(contested.id)
    assert stored is not None and stored.title == winners[0].title and stored.version == contested.version + 1
    history = await curation.history(HERE, contested.id)
    assert [entry.action for entry in history.entries] == ["edit", "add"]

    # Every other edit and every add is stored; the double submit added one event, not five.
    own = await services.store.scope_events(HERE, deleted=False)
    titles = sorted(event.title for event in own)
    assert [t for t in titles if t.endswith("(revised)")] == sorted(f"{e.title} (revised)" for e in others)
    assert len([t for t in titles if t.startswith("Concurrent addition")]) == 16
    assert titles.count("Hunger march") == 4 and len({e.slug for e in own}) == len(own)
    assert titles.count("Printers' strike") == 1
    assert sum("already on 7 July 1933" in text for text in refused) == 4
    assert len(refused) == 13
    assert len(own) == 11 + 16 + 4 + 1
    assert len(await services.store.scope_events(THERE, deleted=False)) == 5

    # The search index agrees with the database: every live event is found by its own title.
    for guild in (HERE, THERE):
        for event in await services.store.scope_events(guild, deleted=False):
            assert await findable(services, guild, event), event.title


def test_processes_starting_at_once_on_a_new_database_migrate_it_once(database: str) -> None:
    """Shard processes started together (compose, or a deploy) all open a database nobody made yet."""
    opening = (
        "import asyncio, sys\nfrom bot.store import Store\n"
        "async def main():\n    store = await Store.open(sys.argv[1])\n    await store.close()\n"
        "asyncio.run(main())\n"
    )
    starts = [
        subprocess.Popen([sys.executable, "-c", opening, database], stderr=subprocess.PIPE) for _ in range(6)
    ]
    failures = [process.communicate(timeout=60)[1].decode() for process in starts if process.wait() != 0]
    assert failures == []


async def test_two_stores_on_one_file_write_at_once_without_locking_out(database: str) -> None:
    first, second = await Store.open(database), await Store.open(database)
    try:

        def fields(n: int) -> EventFields:
            return EventFields.from_mapping(
                {"id": f"parallel-{n}", "date": f"1930-01-{n % 28 + 1:02d}", "title": f"Parallel write {n}"}
            )

        writes = [(first if n % 2 else second).add_event(HERE, fields(n), MOD) for n in range(100)]
        results = await asyncio.gather(*writes, return_exceptions=True)
        assert [r for r in results if isinstance(r, BaseException)] == []
        assert len(await first.scope_events(HERE)) == len(await second.scope_events(HERE)) == 100
        assert await first.integrity_check() == "ok"
    finally:
        await first.close()
        await second.close()


async def test_a_cli_import_in_another_process_and_the_bot_write_at_once(
    services: Services, database: str, tmp_path: Path
) -> None:
    source = tmp_path / "events.csv"
    rows = [f"{dt.date(1800, 1, 1) + dt.timedelta(days=3 * n)},Imported event {n:04d}" for n in range(5000)]
    source.write_text("date,title\n" + "\n".join(rows) + "\n", encoding="utf-8")
    environ = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "DATABASE_URL" if "://" in database else "DATABASE_PATH": database,
        "DATA_FILE": str(FIXTURE_CHRONOLOGY),
    }
    child = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "almanac"),
            "--env-file",
            str(tmp_path / "no.env"),
            "import",
            str(source),
            "--guild",
            str(IMPORTED),
        ],
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    added, slowest = 0, 0.0
    while child.poll() is None or added < 5:
        started = time.monotonic()
        await services.curation.add(
            HERE, MOD, EventForm(f"Written meanwhile {added}", f"1927-{added % 12 + 1:02d}-03")
        )
        slowest = max(slowest, time.monotonic() - started)
        added += 1
    _, stderr = child.communicate(timeout=60)
    assert child.returncode == 0, stderr
    assert slowest > 0.05, "the bot's writes never had to wait for the import; nothing was tested"
    print(
        f"\n{added} events added by the bot during a 5,000-row CLI import; the slowest waited {slowest:.2f}s"
    )
    assert len(await services.store.scope_events(HERE)) == added
    assert len(await services.store.scope_events(IMPORTED)) == 5000
    assert await services.store.integrity_check() == "ok"


async def test_a_daily_claim_is_seen_at_once_however_many_questions_are_in_flight(services: Services) -> None:
    """The scheduler claims a day and reads the claim back while users' questions are being read;
    a read that saw the database as it was before the claim would make it skip the day unsent."""
    questions = [services.almanac.timeline(HERE, None, None) for _ in range(100)]
    claims = [
        services.store.claim_post(guild, "2026-03-16", guild * 10, f"n{guild}", False)
        for guild in range(1, 51)
    ]
    results = await asyncio.gather(*questions, *claims)
    assert [guild for guild, claim in enumerate(results[100:], start=1) if claim is None] == []


async def test_two_imports_of_the_same_events_at_once_store_each_event_once(
    services: Services, database: str
) -> None:
    """As two processes would (the bot and `almanac import`): two stores on one file, each with
    its own services, importing the same 300 events under different ids at the same moment."""
    rows = [f"{1900 + n % 40}-05-{n % 28 + 1:02d},Printers' strike number {n}" for n in range(300)]
    ours = ("id,date,title\n" + "".join(f"ours-{n},{row}\n" for n, row in enumerate(rows))).encode()
    theirs = ("id,date,title\n" + "".join(f"theirs-{n},{row}\n" for n, row in enumerate(rows))).encode()
    other = await Store.open(database)
    try:
        elsewhere = wire(other, await build_index(other))
        first, second = await asyncio.gather(
            services.curation.import_file(IMPORTED, MOD, "ours.csv", ours),
            elsewhere.curation.import_file(IMPORTED, MOD, "theirs.csv", theirs),
        )
    finally:
        await other.close()

    stored = await services.store.scope_events(IMPORTED)
    assert len(stored) == 300, "both imports stored the same events"
    assert sorted([len(first.added), len(second.added)]) == [0, 300]
    assert sorted([len(first.duplicates), len(second.duplicates)]) == [0, 300]


async def test_writes_made_by_another_process_reach_this_ones_search_through_the_feed(
    services: Services, database: str
) -> None:
    """The bot and `almanac import` (or another shard's process) on one file: what one writes,
    the other's search index finds once it has caught up with the change feed."""
    other = await Store.open(database)
    try:
        elsewhere = wire(other, await build_index(other))
        imported = b"id,date,title\ntula-strike,1919-04-03,Printers' strike at Tula\n"
        await elsewhere.curation.import_file(IMPORTED, MOD, "one.csv", imported)
        assert services.index.search("tula printers", (IMPORTED,)) == []  # not yet caught up

        assert await services.feed.catch_up() >= 1
        (hit,) = services.index.search("tula printers", (IMPORTED,))
        assert hit.title == "Printers' strike at Tula"
        assert [h.title for h in services.index.complete("tula pri", (IMPORTED,))] == [
            "Printers' strike at Tula"
        ]

        event = await other.get_event(hit.event_id)
        assert event is not None
        await other.set_deleted(event, True, MOD)
        bundled = (await other.scope_events(0, deleted=False))[0]
        assert bundled.id not in await services.hidden.ids(IMPORTED)  # read, and cached, here
        await other.set_hidden(IMPORTED, bundled, True, MOD)
        await services.feed.catch_up()

        assert services.index.search("tula printers", (IMPORTED,)) == []
        assert bundled.id in await services.hidden.ids(IMPORTED)
        assert await services.feed.catch_up() == 0  # nothing new: nothing done
    finally:
        await other.close()


async def test_a_shard_process_indexes_only_its_own_servers_and_the_bundled_events(
    services: Services, database: str
) -> None:
    """Two processes splitting two shards: each holds the bundled chronology and its own servers'
    events, so its memory grows with its share; an event written for the other's server does
    not reach it through the feed either."""
    on_shard_0, on_shard_1 = 2 << 22 | 5, 3 << 22 | 5  # Discord's rule: (id >> 22) % 2
    for guild, title in (
        (on_shard_0, "Strike at the Obukhov works"),
        (on_shard_1, "Strike at the Izhora works"),
    ):
        await services.curation.add(guild, MOD, EventForm(title, "1905-01-16"))
    bundled = len(await services.store.scope_events(0, deleted=False))

    first, second = await Store.open(database), await Store.open(database)
    try:
        shard_0 = wire(first, await build_index(first, Shards(2, (0,))), shards=Shards(2, (0,)))
        shard_1 = wire(second, await build_index(second, Shards(2, (1,))), shards=Shards(2, (1,)))
        assert (len(shard_0.index), len(shard_1.index)) == (bundled + 1, bundled + 1)
        assert [h.title for h in shard_0.index.search("obukhov strike", (0, on_shard_0))][:1] == [
            "Strike at the Obukhov works"
        ]
        assert shard_0.index.search("izhora", (on_shard_1,)) == []

        await shard_1.curation.add(on_shard_1, MOD, EventForm("Lockout at the Izhora works", "1905-01-20"))
        await shard_0.feed.catch_up()
        await shard_1.feed.catch_up()
        assert (len(shard_0.index), len(shard_1.index)) == (bundled + 1, bundled + 2)
    finally:
        await first.close()
        await second.close()


async def test_on_postgresql_a_write_elsewhere_is_answered_at_once_and_on_sqlite_within_the_interval(
    database: str,
) -> None:
    """Two processes' services on one database. PostgreSQL NOTIFYs each change, so the listening
    one looks at the feed at once; SQLite is polled at most once a FEED_INTERVAL."""
    async with (
        open_services(database, FIXTURE_CHRONOLOGY) as here,
        open_services(database, FIXTURE_CHRONOLOGY) as there,
    ):
        assert await own_titles(here, "zhytomyr quilters") == []  # a look at the feed, just now
        await there.curation.add(IMPORTED, MOD, EventForm("Quilters' strike at Zhytomyr", "1919-04-03"))
        await asyncio.sleep(0.3)  # the notification's way back; far less than FEED_INTERVAL
        found = await own_titles(here, "zhytomyr quilters")
        if "://" in database:
            assert found == ["Quilters' strike at Zhytomyr"]
        else:
            assert found == []  # looked at less than a second ago: not yet
            await asyncio.sleep(FEED_INTERVAL)
            assert await own_titles(here, "zhytomyr quilters") == ["Quilters' strike at Zhytomyr"]


async def own_titles(services: Services, query: str) -> list[str]:
    """What /search finds among the server's own events."""
    try:
        answer = await services.almanac.search(IMPORTED, query)
    except UserError:
        return []
    return [event.title for event in answer.events if event.scope == IMPORTED]


async def test_a_process_whose_unread_changes_were_pruned_indexes_afresh(
    services: Services, database: str
) -> None:
    """Idle past the feed's hour while another process wrote and pruned: the changes it never
    read are gone, so it notices the gap and indexes everything again instead of missing them."""
    await services.feed.catch_up()
    other = await Store.open(database)
    try:
        elsewhere = wire(other, await build_index(other))
        imported = b"id,date,title\ntula-strike,1919-04-03,Printers' strike at Tula\n"
        await elsewhere.curation.import_file(IMPORTED, MOD, "one.csv", imported)
        bundled = (await other.scope_events(0, deleted=False))[0]
        assert bundled.id not in await services.hidden.ids(IMPORTED)  # cached here before the hide
        await other.set_hidden(IMPORTED, bundled, True, MOD)
        assert await other.prune_changes(dt.timedelta(seconds=-1)) >= 2  # all of them, unread here

        await services.feed.catch_up()

        (hit,) = services.index.search("tula printers", (IMPORTED,))
        assert hit.title == "Printers' strike at Tula"
        assert bundled.id in await services.hidden.ids(IMPORTED)
        # and from there on, as before: what it indexed counts as seen, not as missed again
        assert services.feed.seen is not None and services.feed.seen >= await other.pruned_through()
        assert await services.feed.catch_up() == 0
    finally:
        await other.close()
