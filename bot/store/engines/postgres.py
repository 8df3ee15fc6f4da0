"""The PostgreSQL engine (asyncpg): a pool of connections, every write under one advisory lock."""

from __future__ import annotations

import functools
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from bot.store.engines.common import POSTGRESQL, Connection, Engine, Params, Row

if TYPE_CHECKING:
    import asyncpg

WRITE_LOCK = 0x616C6D61  # "alma": the advisory lock every PostgreSQL write transaction holds
CHANGES_CHANNEL = "almanac_changes"  # NOTIFY'd by migration 008's trigger on PostgreSQL


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

        self.name = without_password(url)
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


def without_password(url: str) -> str:
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)
