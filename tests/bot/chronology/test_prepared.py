"""Loading the data file through the helper process that reads a big one (bot/chronology/prepared.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

import bot.chronology.prepared
from bot.chronology.prepared import HELPER_FAILED, PreparedFile
from bot.chronology.reader import ChronologyError, file_fingerprint
from bot.runtime import load_bundled
from bot.store import Store
from tests.support import BAD_CHRONOLOGY, FIXTURE_CHRONOLOGY, FIXTURE_EVENTS


async def stored_after_loading(tmp_path: Path, name: str, data_file: Path) -> list[tuple[object, ...]]:
    store = await Store.open(tmp_path / f"{name}.sqlite3")
    try:
        assert await load_bundled(store, data_file) == FIXTURE_EVENTS
        days = await store._all(
            "SELECT month_day, event_id, nth, span, start_ord FROM event_days ORDER BY 1, 2, 3"
        )
        words = await store._all("SELECT event_id, words FROM search_words ORDER BY 1")
        events = [(event.id, event.fields) for event in await store.scope_events(0)]
        return [*events, *days, *words]
    finally:
        await store.close()


async def test_a_file_read_by_the_helper_is_stored_as_one_read_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = await stored_after_loading(tmp_path, "here", FIXTURE_CHRONOLOGY)
    monkeypatch.setattr(bot.chronology.prepared, "HELPER_MIN_BYTES", 0)  # as if it were a big file
    monkeypatch.setattr(bot.chronology.prepared.PreparedFile, "_here", None)  # and never read here
    by_helper = await stored_after_loading(tmp_path, "helper", FIXTURE_CHRONOLOGY)
    assert by_helper == here and len(here) > FIXTURE_EVENTS


async def test_a_bad_file_read_by_the_helper_names_every_problem_and_writes_nothing(tmp_path: Path) -> None:
    data_file = tmp_path / "chronology.toml"
    data_file.write_text(BAD_CHRONOLOGY, encoding="utf-8")
    fingerprint = file_fingerprint(data_file)
    store = await Store.open(tmp_path / "db.sqlite3")
    try:
        with pytest.raises(ChronologyError) as by_helper:
            await store.sync_prepared(PreparedFile(data_file, fingerprint, helper=True).chunks(), fingerprint)
        with pytest.raises(ChronologyError) as here:
            await store.sync_prepared(
                PreparedFile(data_file, fingerprint, helper=False).chunks(), fingerprint
            )
        assert by_helper.value.problems == here.value.problems and len(here.value.problems) == 5
        assert await store.scope_events(0) == [] and await store.get_meta("bundled_fingerprint") is None
    finally:
        await store.close()


async def test_a_helper_that_stops_early_fails_the_load_in_one_line_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    script = tmp_path / "stops.py"
    script.write_text("import sys\nsys.stderr.write('killed by the kernel\\n')\nsys.exit(9)\n")
    monkeypatch.setattr(bot.chronology.prepared, "HELPER_ARGUMENTS", (str(script),))
    fingerprint = file_fingerprint(FIXTURE_CHRONOLOGY)
    prepared = PreparedFile(FIXTURE_CHRONOLOGY, fingerprint, helper=True)
    store = await Store.open(tmp_path / "db.sqlite3")
    try:
        with pytest.raises(ChronologyError) as caught:
            await store.sync_prepared(prepared.chunks(), fingerprint)
        assert caught.value.problems == [HELPER_FAILED]
        assert "killed by the kernel" in caplog.text
        assert await store.scope_events(0) == []
    finally:
        await store.close()
