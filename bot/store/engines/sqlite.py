"""The SQLite engine (aiosqlite, the default): one WAL file, a writer and a reader."""

from __future__ import annotations

import asyncio
import sqlite3
import time
import urllib.parse
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import aiosqlite

from bot.store.engines.common import SQLITE, Connection, Engine, Params, Row, is_busy


class _SQLiteConnection(Connection):
    def __init__(self, db: aiosqlite.Connection) -> None:
        self._db = db

    async def fetch(self, sql: str, params: Params = ()) -> list[Row]:
        return [tuple(row) for row in await self._db.execute_fetchall(sql, params)]

    async def execute(self, sql: str, params: Params = ()) -> int:
        cursor = await self._db.execute(sql, params)
        return cursor.rowcount

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        await self._db.executemany(sql, rows)


WRITER_CACHE_KIB = 256 * 1024


class SQLiteEngine(Engine):
    """Two aiosqlite connections on one WAL file: a writer, serialised by a lock so no two
    transactions interleave on it, and a reader, so that answering questions never waits behind a
    write and never sees a transaction that is still open."""

    dialect = SQLITE
    integrity_errors = (sqlite3.IntegrityError,)

    def __init__(self, path: str, writer: aiosqlite.Connection, reader: aiosqlite.Connection) -> None:
        self.name = path
        self.writer = writer
        self.reader = reader
        self._write_lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: str, busy_timeout: float, *, read_only: bool = False) -> SQLiteEngine:
        """`read_only`: the file as it is, never written, never created (a copy's source)."""
        writer: aiosqlite.Connection | None = None
        target = f"file:{urllib.parse.quote(path)}?mode=ro" if read_only else path
        try:
            # `timeout` is SQLite's busy timeout, in force from the first statement (WAL included)
            writer = await aiosqlite.connect(
                target, isolation_level=None, timeout=busy_timeout, uri=read_only
            )
            if not read_only:
                await _use_wal(writer, busy_timeout)
            reader = await aiosqlite.connect(
                target, isolation_level=None, timeout=busy_timeout, uri=read_only
            )
        except BaseException:
            if writer is not None:
                await writer.close()  # its thread would otherwise keep the process from exiting
            raise
        engine = cls(path, writer, reader)
        try:
            for connection in (writer, reader):
                # SQLite's own lower() knows ASCII alone: `Анархисты` would not match `анархисты`
                # as it does on PostgreSQL; the store's SQL says unicode_lower() on both engines
                await connection.create_function("unicode_lower", 1, _unicode_lower, deterministic=True)
                await connection.execute("PRAGMA foreign_keys = ON")
                await connection.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
                await connection.execute("PRAGMA synchronous = NORMAL")
            # A big load's inserts land all over the indexes; with SQLite's 2 MB default the
            # pages they touch leave the cache and are read, and spilled to the log, again and
            # again. The cache fills only with what the writer touches: an ordinary day's
            # writes never come near it.
            if not read_only:
                await writer.execute(f"PRAGMA cache_size = -{WRITER_CACHE_KIB}")
        except BaseException:
            await engine.close()
            raise
        return engine

    # Each read runs to its end in one call on the reader's thread. A cursor left open between
    # calls would hold the reader's snapshot, and a read that follows a write (a daily post's
    # claim, say) would not see it.
    async def fetch(self, sql: str, params: Params = ()) -> list[Row]:
        return [tuple(row) for row in await self.reader.execute_fetchall(sql, params)]

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        async with self._write_lock:
            await self.writer.execute("BEGIN IMMEDIATE")
            try:
                yield _SQLiteConnection(self.writer)
                await self.writer.execute("COMMIT")
            except BaseException:
                # A full disk or an I/O error makes SQLite roll back by itself; ROLLBACK would then
                # fail and hide the error that says what went wrong.
                if self.writer.in_transaction:
                    await self.writer.execute("ROLLBACK")
                raise

    async def close(self) -> None:
        await self.reader.close()
        await self.writer.close()

    async def columns(self, table: str) -> list[str]:
        return [
            row[0] for row in await self.fetch("SELECT name FROM pragma_table_info(?) ORDER BY cid", (table,))
        ]

    async def schema_version(self) -> int:
        async with self.writer.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def ping(self) -> None:
        async with self.writer.execute("SELECT 1") as cursor:
            await cursor.fetchone()

    async def integrity_check(self) -> str:
        rows = await self.fetch("PRAGMA integrity_check")
        return str(rows[0][0])

    async def apply_migration(self, number: int, script: str) -> None:
        async with self.transaction() as db:
            # two processes starting at once on a new file: the second finds the work done once
            # it holds the write lock (BEGIN IMMEDIATE)
            if int(await db.value("PRAGMA user_version") or 0) >= number:
                return
            # executescript would commit on its own; run the statements inside our transaction.
            for statement in _split_sqlite(script):
                await db.execute(statement)
            await db.execute(f"PRAGMA user_version = {number}")


async def _use_wal(writer: aiosqlite.Connection, busy_timeout: float) -> None:
    """Put the file in WAL mode (it stays so). Switching needs the file to itself and SQLite may
    refuse at once rather than wait, while another process starting at the same moment holds it:
    so ask again for as long as a write would wait."""
    deadline = time.monotonic() + busy_timeout
    while True:
        try:
            async with writer.execute("PRAGMA journal_mode = WAL") as cursor:
                await cursor.fetchall()
            return
        except sqlite3.OperationalError as error:
            if not is_busy(error) or time.monotonic() >= deadline:
                raise
            await asyncio.sleep(0.05)


def _split_sqlite(script: str) -> list[str]:
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


def _unicode_lower(text: object) -> object:
    return text.lower() if isinstance(text, str) else text
