"""What every part of the store shares: opening the database on its engine
(bot/store/engines/sqlite.py, bot/store/engines/postgres.py), transactions, reads, migrations, and
the errors an operator can act on."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any, Self

import aiosqlite

from bot.store.engines.common import Connection, Engine, Params, is_busy, is_server_url, migrations
from bot.store.engines.postgres import PostgresEngine, without_password
from bot.store.engines.sqlite import SQLiteEngine


class StoreError(Exception):
    """The database cannot be opened or used; the message names the file and the reason."""


class ConflictError(Exception):
    """An edit was based on an older version of the event than the one stored."""


# How long a write waits for another process's write lock before giving up as busy.
BUSY_TIMEOUT = 5.0
BUSY = "the database is busy (another process is writing); try again"
SET_META = (
    "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"
)
POOL_SIZE = 10  # PostgreSQL connections per process: reads run side by side, writes one at a time


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def advice(error: sqlite3.Error) -> str:
    """What an operator can do about a database error, by SQLite's code for it."""
    if is_busy(error):
        return "another process is writing to it; try again in a moment"
    code = getattr(error, "sqlite_errorname", "")
    if code.startswith("SQLITE_CORRUPT"):
        return "the file is damaged; restore it from a backup (`almanac db backup` makes them)"
    if code == "SQLITE_NOTADB":
        return "check DATABASE_PATH, or restore the file from a backup if it is damaged"
    if code == "SQLITE_FULL" or code.startswith("SQLITE_IOERR"):
        return "the disk is full or failing; free some space and try again (nothing was saved)"
    if code.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN")):
        return "this user must be able to write the file and its folder"
    return "`almanac db check` tells whether the file itself is sound"


class StoreBase:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.path = engine.name

    # -- lifecycle -------------------------------------------------------------------------

    @classmethod
    async def open(
        cls,
        target: str | Path,
        *,
        busy_timeout: float | None = None,
        pool_size: int = POOL_SIZE,
        read_only: bool = False,
    ) -> Self:
        """Open (creating if needed) and migrate the database `target`: a SQLite file's path (or
        `sqlite:///path`), or a `postgresql://` URL. A write waits up to `busy_timeout` seconds
        (default BUSY_TIMEOUT) for another process's before an error says the database is busy.
        `read_only` opens it as it is, to be read and never changed or migrated (a copy's source)."""
        busy_timeout = BUSY_TIMEOUT if busy_timeout is None else busy_timeout
        if is_server_url(target):
            return await cls._open_postgres(str(target), busy_timeout, pool_size, not read_only)
        path = str(target).removeprefix("sqlite:///")  # sqlite:///var/x, sqlite:////srv/x
        if path == ":memory:" or path.startswith("file::memory:"):
            # the reader and the writer must share one file; an in-memory database is private to each
            raise StoreError("the database must be a file; use a temporary file instead of :memory:")
        try:
            engine = await SQLiteEngine.open(path, busy_timeout, read_only=read_only)
        except sqlite3.Error as error:
            raise StoreError(_cannot("open", path, error)) from None
        store = cls(engine)
        try:
            if not read_only:
                await store.migrate()
        except sqlite3.Error as error:
            await store.close()
            raise StoreError(_cannot("use", path, error)) from None
        return store

    @classmethod
    async def _open_postgres(cls, url: str, busy_timeout: float, pool_size: int, migrate: bool) -> Self:
        import asyncpg

        try:
            engine = await PostgresEngine.open(url, busy_timeout, pool_size)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as error:
            shown = without_password(url)
            raise StoreError(f"cannot open the database {shown} ({error}): check DATABASE_URL.") from None
        store = cls(engine)
        try:
            if migrate:
                await store.migrate()
        except asyncpg.PostgresError as error:
            await store.close()
            raise StoreError(f"cannot use the database {engine.name} ({error}).") from None
        return store

    async def close(self) -> None:
        await self.engine.close()

    async def listen(self, callback: Callable[[], None]) -> Callable[[], Awaitable[None]] | None:
        """On PostgreSQL, call `callback` whenever any process commits a change, until the
        returned coroutine function is awaited; SQLite has no such signal (None)."""
        return await self.engine.listen(callback)

    async def migrate(self) -> int:
        """Apply each numbered migration newer than the database's, one transaction each."""
        return await self.engine.migrate()

    async def schema_version(self) -> int:
        return await self.engine.schema_version()

    async def ping(self) -> None:
        """Ask the database something small, as a read: on SQLite on the writer connection, the
        one a daily post records itself with; on PostgreSQL any connection of the pool, without
        the write lock (which `schema_version` takes there)."""
        await self.engine.ping()

    def code_schema_version(self) -> int:
        """The newest migration this code has for the store's engine."""
        return max(number for number, _ in migrations(self.engine.dialect))

    def transaction(self) -> AbstractAsyncContextManager[Connection]:
        """`async with store.transaction() as db:` one write transaction (a `Connection`)."""
        return self.engine.transaction()

    async def _all(self, sql: str, params: Params = ()) -> list[Any]:
        return await self.engine.fetch(sql, params)

    async def _one(self, sql: str, params: Params = ()) -> Any:
        return next(iter(await self.engine.fetch(sql, params)), None)

    # -- health --------------------------------------------------------------------------

    async def backup(self, target: Path) -> None:
        """Copy the database to `target`, a new file, with SQLite's online backup API.

        Safe while the bot writes: the copy is made in one step from the reader's snapshot (WAL
        lets writers go on meanwhile), so it holds every transaction committed before it began.
        It is written beside `target` and renamed into place only once it passes an integrity
        check, so an interrupted backup never leaves a file that looks like a good one.
        """
        if not isinstance(self.engine, SQLiteEngine):
            raise StoreError("on PostgreSQL, back up with pg_dump (see README, Growing past one machine).")
        if target.exists():
            raise StoreError(f"{target} already exists; choose a new file name for the backup.")
        if not target.parent.is_dir():
            raise StoreError(f"cannot back up to {target}: the folder {target.parent} does not exist.")
        partial = target.with_name(f".{target.name}.partial")
        partial.unlink(missing_ok=True)
        try:
            async with aiosqlite.connect(partial) as copy:
                await self.engine.reader.backup(copy)
                async with copy.execute("PRAGMA integrity_check") as cursor:
                    row = await cursor.fetchone()
            if row is None or row[0] != "ok":
                raise StoreError(f"the backup failed its integrity check: {row[0] if row else '?'}")
            partial.replace(target)
        except sqlite3.Error as error:
            raise StoreError(f"cannot back up to {target}: {error}") from None
        finally:
            partial.unlink(missing_ok=True)

    async def integrity_check(self) -> str:
        """SQLite's check of the file; PostgreSQL checks its own pages, so there it says whether
        the database answers at all."""
        return await self.engine.integrity_check()

    async def counts(self) -> dict[str, int]:
        row = await self._one(
            "SELECT (SELECT count(*) FROM events WHERE scope = 0 AND deleted_at IS NULL),"
            " (SELECT count(*) FROM events WHERE scope != 0 AND deleted_at IS NULL),"
            " (SELECT count(DISTINCT scope) FROM events WHERE scope != 0),"
            " (SELECT count(*) FROM audit_log)"
        )
        return {"bundled": row[0], "server_events": row[1], "servers": row[2], "audit_entries": row[3]}

    async def get_meta(self, key: str) -> str | None:
        row = await self._one("SELECT value FROM meta WHERE key = ?", (key,))
        return None if row is None else str(row[0])

    async def set_meta(self, key: str, value: str) -> None:
        async with self.transaction() as db:
            await db.execute(SET_META, (key, value))


def _cannot(verb: str, path: str, error: sqlite3.Error) -> str:
    if is_busy(error):
        return f"cannot {verb} the database {path}: {BUSY}."
    return f"cannot {verb} the database {path} ({error}): {advice(error)}."
