"""What the two database engines behind the store share: SQLite (aiosqlite, the default;
`bot/store/engines/sqlite.py`) and PostgreSQL (asyncpg; `bot/store/engines/postgres.py`), each with
its connection handling, transactions and migrations.

The store's SQL is written once, in the syntax both engines share (`ON CONFLICT … DO NOTHING`,
`RETURNING id`, columns qualified in `DO UPDATE`), with `:name` or `?` parameters; PostgreSQL gets
them as `$1, $2 …`. What cannot be shared is a dialect fragment in the store (the `json_each` of
a tag search) or a migration file of each dialect.

Writes are serialised on both: SQLite has one writer per file by design; on PostgreSQL every
write transaction first takes one advisory lock, so a claim of a daily post or an import's
duplicate check reads and writes as if it were alone, across any number of processes and machines.
"""

from __future__ import annotations

import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    pass

Params = dict[str, Any] | Sequence[Any]
Row = tuple[Any, ...]
SQLITE, POSTGRESQL = "sqlite", "postgresql"


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

    async def ping(self) -> None:
        await self.fetch("SELECT 1")

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
    """The numbered migration scripts of one dialect: `bot/store/migrations/` for SQLite,
    `bot/store/migrations/postgresql/` for PostgreSQL, the same numbers and names in both."""
    folder = resources.files("bot.store.migrations")
    if dialect == POSTGRESQL:
        folder = folder / "postgresql"
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            found.append((int(entry.name.split("_", 1)[0]), entry.read_text(encoding="utf-8")))
    return sorted(found)
