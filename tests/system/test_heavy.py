"""Heavy replies never hold up anyone else: a 20,000-event export, in every format, leaves the
event loop free (a heartbeat every 5 ms measures its longest wait), and a member asking for a
second heavy reply while the first is made is refused at once (bot/heavy.py)."""

from __future__ import annotations

import asyncio
import functools
import random
import threading
from pathlib import Path

import pytest

from benchmarks.generate import Writer
from bot.curation.formats import FORMATS
from bot.heavy import STILL_MAKING, HeavyWork
from bot.i18n.errors import UserError
from bot.runtime import new_index, wire
from bot.store import Store

SERVER, MEMBER = 6060, 7
EVENTS = 20_000
LOOP_GAP_MAX = 0.100  # seconds


async def test_a_20000_event_export_never_holds_up_the_event_loop(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "db.sqlite3")
    try:
        writer = Writer(random.Random(7), unique=True)
        await store.sync_bundled([[writer.event(n, 1905) for n in range(1, EVENTS + 1)]], "big")
        curation = wire(store, new_index(), seen=None).curation
        heavy = HeavyWork()
        loop = asyncio.get_running_loop()
        gaps: list[float] = []

        async def heartbeat() -> None:
            while True:
                before = loop.time()
                await asyncio.sleep(0.005)
                gaps.append(loop.time() - before - 0.005)

        beat = asyncio.create_task(heartbeat())
        await asyncio.sleep(0.05)
        sizes = {}
        for kind in FORMATS:
            made_by = functools.partial(heavy.run, MEMBER)
            exported = await curation.export(SERVER, kind, with_bundled=True, made_by=made_by)
            sizes[kind] = len(exported.data)
        beat.cancel()
        heavy.close()
        assert all(size > 1_000_000 for size in sizes.values()), sizes  # the files are whole
        assert max(gaps) < LOOP_GAP_MAX, f"the loop waited {max(gaps) * 1000:.0f} ms"
    finally:
        await store.close()


async def test_a_member_has_one_heavy_reply_in_the_making_at_a_time() -> None:
    heavy = HeavyWork()
    release = threading.Event()
    first = asyncio.create_task(heavy.run(MEMBER, release.wait, 5))
    await asyncio.sleep(0.05)
    with pytest.raises(UserError) as refused:
        await heavy.run(MEMBER, len, "again")
    assert refused.value.message == STILL_MAKING
    assert await heavy.run(MEMBER + 1, len, "another member") == len("another member")
    release.set()
    assert await first is True
    assert await heavy.run(MEMBER, len, "now") == 3  # free again once the first is done
    heavy.close()
