"""The connection, transactions and migrations every part of the store shares.

Two aiosqlite connections share one WAL database: a writer, serialised by a lock so no two
transactions interleave on it, and a reader, so that answering questions never waits behind a
write and never sees a transaction that is still open.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any, Self

import aiosqlite


class StoreError(Exception):
    """The database cannot be opened or used; the message names the file and the reason."""


class ConflictError(Exception):
    """An edit was based on an older version of the event than the one stored."""


# How long a write waits for another process's write lock before giving up as busy.
BUSY_TIMEOUT = 5.0
BUSY = "the database is busy (another process is writing); try again"


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def is_busy(error: BaseException) -> bool:
    """True for SQLite's "database is locked": another connection held the write lock for the
    whole busy timeout. Nothing is wrong with the file; the same command later will work."""
    if not isinstance(error, sqlite3.OperationalError):
        return False
    code = getattr(error, "sqlite_errorname", "")
    return code.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "database is locked" in str(error)


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


def _migrations() -> list[tuple[int, str]]:
    folder = resources.files("bot.migrations")
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            found.append((int(entry.name.split("_", 1)[0]), entry.read_text(encoding="utf-8")))
    return sorted(found)


class StoreBase:
    def __init__(self, path: str, writer: aiosqlite.Connection, reader: aiosqlite.Connection) -> None:
        self.path = path
        self._writer = writer
        self._reader = reader
        self._write_lock = asyncio.Lock()

    # -- lifecycle -------------------------------------------------------------------------

    @classmethod
    async def open(cls, path: str | Path, *, busy_timeout: float | None = None) -> Self:
        """Open (creating if needed) and migrate the database at `path`. Both connections wait up
        to `busy_timeout` seconds (default BUSY_TIMEOUT) for another process's write lock before
        an error says the database is busy."""
        path = str(path)
        busy_timeout = BUSY_TIMEOUT if busy_timeout is None else busy_timeout
        if path == ":memory:" or path.startswith("file::memory:"):
            # the reader and the writer must share one file; an in-memory database is private to each
            raise StoreError("the database must be a file; use a temporary file instead of :memory:")
        writer: aiosqlite.Connection | None = None
        try:
            # `timeout` is SQLite's busy timeout, in force from the first statement (WAL included)
            writer = await aiosqlite.connect(path, isolation_level=None, timeout=busy_timeout)
            await writer.execute("PRAGMA journal_mode = WAL")
            reader = await aiosqlite.connect(path, isolation_level=None, timeout=busy_timeout)
        except sqlite3.Error as error:
            if writer is not None:
                await writer.close()  # its thread would otherwise keep the process from exiting
            raise StoreError(_cannot("open", path, error)) from None
        store = cls(path, writer, reader)
        try:
            for connection in (writer, reader):
                await connection.execute("PRAGMA foreign_keys = ON")
                await connection.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
                await connection.execute("PRAGMA synchronous = NORMAL")
            await store.migrate()
        except sqlite3.Error as error:
            await store.close()
            raise StoreError(_cannot("use", path, error)) from None
        return store

    async def close(self) -> None:
        await self._reader.close()
        await self._writer.close()

    async def migrate(self) -> int:
        """Apply each numbered migration newer than PRAGMA user_version, one transaction each."""
        version = await self.schema_version()
        for number, script in _migrations():
            if number <= version:
                continue
            async with self.transaction() as db:
                # executescript would commit on its own; run the statements inside our transaction.
                for statement in _split_sql(script):
                    await db.execute(statement)
                await db.execute(f"PRAGMA user_version = {number}")
            version = number
        return version

    async def schema_version(self) -> int:
        async with self._writer.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self._write_lock:
            await self._writer.execute("BEGIN IMMEDIATE")
            try:
                yield self._writer
                await self._writer.execute("COMMIT")
            except BaseException:
                # A full disk or an I/O error makes SQLite roll back by itself; ROLLBACK would then
                # fail and hide the error that says what went wrong.
                if self._writer.in_transaction:
                    await self._writer.execute("ROLLBACK")
                raise

    # Each read runs to its end in one call on the reader's thread. A cursor left open between
    # calls would hold the reader's snapshot, and a read that follows a write (a daily post's
    # claim, say) would not see it.
    async def _all(self, sql: str, params: dict[str, Any] | Sequence[Any] = ()) -> list[Any]:
        return list(await self._reader.execute_fetchall(sql, params))

    async def _one(self, sql: str, params: dict[str, Any] | Sequence[Any] = ()) -> Any:
        rows = await self._reader.execute_fetchall(sql, params)
        return next(iter(rows), None)

    # -- health --------------------------------------------------------------------------

    async def backup(self, target: Path) -> None:
        """Copy the database to `target`, a new file, with SQLite's online backup API.

        Safe while the bot writes: the copy is made in one step from the reader's snapshot (WAL
        lets writers go on meanwhile), so it holds every transaction committed before it began.
        It is written beside `target` and renamed into place only once it passes an integrity
        check, so an interrupted backup never leaves a file that looks like a good one.
        """
        if target.exists():
            raise StoreError(f"{target} already exists; choose a new file name for the backup.")
        if not target.parent.is_dir():
            raise StoreError(f"cannot back up to {target}: the folder {target.parent} does not exist.")
        partial = target.with_name(f".{target.name}.partial")
        partial.unlink(missing_ok=True)
        try:
            async with aiosqlite.connect(partial) as copy:
                await self._reader.backup(copy)
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
        row = await self._one("PRAGMA integrity_check")
        return str(row[0])

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


def _cannot(verb: str, path: str, error: sqlite3.Error) -> str:
    if is_busy(error):
        return f"cannot {verb} the database {path}: {BUSY}."
    return f"cannot {verb} the database {path} ({error}): {advice(error)}."


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements, keeping trigger bodies (BEGIN … END;) whole."""
    statements: list[str] = []
    current = ""
    for line in script.splitlines(keepends=True):
        if line.lstrip().startswith("--"):
            continue
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    if current.strip():
        statements.append(current.strip())
    return statements
