"""The two database engines behind the store: SQLite (aiosqlite, the default) and PostgreSQL
(asyncpg), each with its connection handling, transactions and migrations.

The store's SQL is written once, in the syntax both engines share (`ON CONFLICT … DO NOTHING`,
`RETURNING id`, columns qualified in `DO UPDATE`), with `:name` or `?` parameters; PostgreSQL gets
them as `$1, $2 …` (`_numbered`). What cannot be shared is a dialect fragment in the store (the
`json_each` of a tag search) or a migration file of each dialect.

Writes are serialised on both: SQLite has one writer per file by design; on PostgreSQL every
write transaction first takes one advisory lock, so a claim of a daily post or an import's
duplicate check reads and writes as if it were alone, across any number of processes and machines.
"""

from __future__ import annotations

import asyncio
import functools
import re
import sqlite3
import time
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from importlib import resources
from typing import TYPE_CHECKING, Any

import aiosqlite

if TYPE_CHECKING:
    import asyncpg

Params = dict[str, Any] | Sequence[Any]
Row = tuple[Any, ...]
SQLITE, POSTGRESQL = "sqlite", "postgresql"
WRITE_LOCK = 0x616C6D61  # "alma": the advisory lock every PostgreSQL write transaction holds
CHANGES_CHANNEL = "almanac_changes"  # NOTIFY'd by migration 008's trigger on PostgreSQL


class Connection(ABC):
    """One transaction's connection: what the store's write methods are given."""

    @abstractmethod
    async def fetch(self, sql: str, params: Params = ()) -> list[Row]: ...

    @abstractmethod
    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; how many rows it changed."""

    @abstractmethod
    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None: ...

    async def value(self, sql: str, params: Params = ()) -> Any:
        """The first column of the first row (`INSERT … RETURNING id`), or None."""
        rows = await self.fetch(sql, params)
        return rows[0][0] if rows else None


class Engine(ABC):
    dialect: str
    name: str  # the file, or the server with no password: for messages and logs
    integrity_errors: tuple[type[BaseException], ...]

    @abstractmethod
    async def fetch(self, sql: str, params: Params = ()) -> list[Row]:
        """A read outside any write transaction, seeing every committed write."""

    @abstractmethod
    def transaction(self) -> AbstractAsyncContextManager[Connection]:
        """`async with engine.transaction() as db:` one write transaction, all or nothing."""

    @abstractmethod
    async def close(self) -> None: ...

    @abstractmethod
    async def columns(self, table: str) -> list[str]:
        """A table's column names, in their order."""

    @abstractmethod
    async def schema_version(self) -> int: ...

    @abstractmethod
    async def apply_migration(self, number: int, script: str) -> None:
        """Run one migration and record it, in one transaction."""

    async def listen(self, callback: Callable[[], None]) -> Callable[[], Awaitable[None]] | None:
        """Call `callback` whenever any process commits a change, until the returned coroutine
        function is awaited; None where the engine has no such signal (SQLite: the feed is polled)."""
        return None

    async def integrity_check(self) -> str:
        """'ok', or what is wrong with the database's own pages."""
        rows = await self.fetch("SELECT 'ok'")  # a server checks its own pages: does it answer?
        return str(rows[0][0])

    async def migrate(self) -> int:
        version = await self.schema_version()
        for number, script in migrations(self.dialect):
            if number > version:
                await self.apply_migration(number, script)
                version = number
        return version


def is_busy(error: BaseException) -> bool:
    """True for SQLite's "database is locked" (or PostgreSQL's lock timeout): another connection
    held the write lock for the whole busy timeout. Nothing is wrong with the database; the same
    command later will work."""
    if type(error).__name__ == "LockNotAvailableError":  # asyncpg's, not imported unless in use
        return True
    if not isinstance(error, sqlite3.OperationalError):
        return False
    code = getattr(error, "sqlite_errorname", "")
    return code.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "database is locked" in str(error)


def is_server_url(target: object) -> bool:
    """Whether a database setting names a PostgreSQL server rather than a SQLite file."""
    return str(target).startswith(("postgresql://", "postgres://"))


def migrations(dialect: str) -> list[tuple[int, str]]:
    """The numbered migration scripts of one dialect: `bot/migrations/` for SQLite,
    `bot/migrations/postgresql/` for PostgreSQL, the same numbers and names in both."""
    folder = resources.files("bot.migrations")
    if dialect == POSTGRESQL:
        folder = folder / "postgresql"
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            found.append((int(entry.name.split("_", 1)[0]), entry.read_text(encoding="utf-8")))
    return sorted(found)


# -- SQLite ------------------------------------------------------------------------------------


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
    async def open(cls, path: str, busy_timeout: float) -> SQLiteEngine:
        writer: aiosqlite.Connection | None = None
        try:
            # `timeout` is SQLite's busy timeout, in force from the first statement (WAL included)
            writer = await aiosqlite.connect(path, isolation_level=None, timeout=busy_timeout)
            await _use_wal(writer, busy_timeout)
            reader = await aiosqlite.connect(path, isolation_level=None, timeout=busy_timeout)
        except BaseException:
            if writer is not None:
                await writer.close()  # its thread would otherwise keep the process from exiting
            raise
        engine = cls(path, writer, reader)
        try:
            for connection in (writer, reader):
                await connection.execute("PRAGMA foreign_keys = ON")
                await connection.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
                await connection.execute("PRAGMA synchronous = NORMAL")
            # A big load's inserts land all over the indexes; with SQLite's 2 MB default the
            # pages they touch leave the cache and are read, and spilled to the log, again and
            # again. The cache fills only with what the writer touches: an ordinary day's
            # writes never come near it.
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


# -- PostgreSQL --------------------------------------------------------------------------------


class _PostgresConnection(Connection):
    def __init__(self, db: asyncpg.Connection) -> None:
        self._db = db

    async def fetch(self, sql: str, params: Params = ()) -> list[Row]:
        query, values = bind(sql, params)
        return [tuple(row) for row in await self._db.fetch(query, *values)]

    async def execute(self, sql: str, params: Params = ()) -> int:
        query, values = bind(sql, params)
        status = await self._db.execute(query, *values)
        return _affected(status)

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        listed = [tuple(row) for row in rows]
        if listed:
            await self._db.executemany(_numbered(sql)[0], listed)


class PostgresEngine(Engine):
    """A pool of asyncpg connections to one PostgreSQL database (its tables in the connection's
    `search_path`). Reads take any connection; a write transaction holds the advisory lock."""

    dialect = POSTGRESQL

    def __init__(self, url: str, pool: asyncpg.Pool) -> None:
        import asyncpg

        self.name = _without_password(url)
        self.pool = pool
        self.integrity_errors = (asyncpg.IntegrityConstraintViolationError,)

    @classmethod
    async def open(
        cls, url: str, busy_timeout: float, pool_size: int, settings: dict[str, str] | None = None
    ) -> PostgresEngine:
        import asyncpg

        server_settings = {"lock_timeout": f"{int(busy_timeout * 1000)}ms"} | (settings or {})
        pool = await asyncpg.create_pool(
            url, min_size=1, max_size=pool_size, server_settings=server_settings, timeout=busy_timeout
        )
        return cls(url, pool)

    async def fetch(self, sql: str, params: Params = ()) -> list[Row]:
        query, values = bind(sql, params)
        return [tuple(row) for row in await self.pool.fetch(query, *values)]

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        async with self.pool.acquire() as db, db.transaction():
            await db.execute(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")
            yield _PostgresConnection(db)

    async def close(self) -> None:
        await self.pool.close()

    async def columns(self, table: str) -> list[str]:
        rows = await self.fetch(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position",
            (table,),
        )
        return [row[0] for row in rows]

    async def schema_version(self) -> int:
        # under the write lock: CREATE TABLE IF NOT EXISTS is not safe against another process
        # creating the same table at the same moment (processes started together, say)
        async with self.transaction() as db:
            await db.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT)"
            )
            found = await db.value("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
        return int(found)

    async def apply_migration(self, number: int, script: str) -> None:
        async with self.transaction() as db:
            # two processes starting at once: the second finds the work done once it has the lock
            if await db.value("SELECT 1 FROM schema_migrations WHERE version = ?", (number,)):
                return
            await db.execute(script)  # no parameters, several statements: the simple query protocol
            await db.execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES (?, now()::text)", (number,)
            )

    async def listen(self, callback: Callable[[], None]) -> Callable[[], Awaitable[None]]:
        """Call `callback` whenever any process commits a change (LISTEN/NOTIFY); returns the
        coroutine function that stops listening."""
        connection = await self.pool.acquire()

        def notified(*_: object) -> None:
            callback()

        await connection.add_listener(CHANGES_CHANNEL, notified)

        async def stop() -> None:
            await connection.remove_listener(CHANGES_CHANNEL, notified)
            await self.pool.release(connection)

        return stop


def bind(sql: str, params: Params) -> tuple[str, list[Any]]:
    """`sql` with `$n` placeholders, and the values in their order."""
    query, names = _numbered(sql)
    if isinstance(params, dict):
        return query, [params[name] for name in names]
    return query, list(params)


_LITERAL_OR_PARAMETER = re.compile(r"'(?:[^']|'')*'|(?<![:\w]):([A-Za-z_]\w*)|\?")


@functools.lru_cache(maxsize=512)
def _numbered(sql: str) -> tuple[str, tuple[str, ...]]:
    """`:name` and `?` placeholders (outside quoted literals) as `$1, $2 …`; the names in the
    order their numbers were given (a name used twice keeps one number)."""
    names: list[str] = []
    counter = 0

    def number(match: re.Match[str]) -> str:
        nonlocal counter
        text = match.group(0)
        if text.startswith("'"):
            return text
        if text == "?":
            counter += 1
            return f"${counter}"
        name = match.group(1)
        if name not in names:
            names.append(name)
        return f"${names.index(name) + 1}"

    return _LITERAL_OR_PARAMETER.sub(number, sql), tuple(names)


def _affected(status: str) -> int:
    """asyncpg's command status (`UPDATE 1`, `INSERT 0 3`, `DELETE 0`) -> rows changed."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


def _without_password(url: str) -> str:
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)
