-- PostgreSQL twin of bot/migrations/003_long_events.sql: the same statement.
CREATE INDEX events_long ON events (scope, end_ord)
    WHERE deleted_at IS NULL AND end_ord - start_ord > 366;
