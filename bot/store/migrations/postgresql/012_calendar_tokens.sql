-- PostgreSQL twin of bot/migrations/012_calendar_tokens.sql: the same table, ids as BIGINT.
CREATE TABLE calendar_tokens (
    guild_id     BIGINT  PRIMARY KEY,
    token        TEXT    NOT NULL,
    token_hash   TEXT    NOT NULL UNIQUE,
    with_bundled INTEGER NOT NULL DEFAULT 1,
    title        TEXT    NOT NULL,
    created_by   BIGINT,
    created_at   TEXT    NOT NULL
);
