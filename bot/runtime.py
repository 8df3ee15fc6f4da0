"""Opening the database and the application, the same way for the bot, the shell and the tests."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.almanac import Almanac
from bot.chronology import file_fingerprint, load_chronology
from bot.store import Store

log = logging.getLogger(__name__)


async def load_bundled(store: Store, data_file: Path) -> int | None:
    """Bring the bundled events in line with the data file; None when it was already loaded."""
    # The bytes loaded last time passed validation then: unchanged, there is nothing to parse.
    fingerprint = file_fingerprint(data_file)
    if fingerprint is not None and await store.get_meta("bundled_fingerprint") == fingerprint:
        log.info("bundled chronology unchanged")
        return None
    chronology = load_chronology(data_file)
    changed = await store.sync_bundled(chronology.events, chronology.fingerprint)
    if changed is None:
        log.info("bundled chronology unchanged (%d events)", len(chronology.events))
    else:
        log.info("bundled chronology loaded: %d events, %d changed", len(chronology.events), changed)
    return changed


@asynccontextmanager
async def open_almanac(database: Path | str, data_file: Path) -> AsyncIterator[Almanac]:
    """A migrated database with the bundled chronology loaded, and the application over it."""
    Path(database).parent.mkdir(parents=True, exist_ok=True)
    store = await Store.open(database)
    try:
        await load_bundled(store, data_file)
        yield await Almanac.create(store)
    finally:
        await store.close()
