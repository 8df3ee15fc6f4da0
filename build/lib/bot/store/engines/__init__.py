"""The two database engines behind the store: SQLite (aiosqlite, the default) and PostgreSQL
(asyncpg, when DATABASE_URL names a server), each with its connections, transactions and
migrations; `common` holds what both share."""
