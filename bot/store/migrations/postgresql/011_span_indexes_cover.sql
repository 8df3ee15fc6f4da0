-- PostgreSQL twin of bot/migrations/011_span_indexes_cover.sql (PostgreSQL tests a partial
-- index's condition itself, but the long events' start_ord belongs in the index here too).
DROP INDEX events_long;
CREATE INDEX events_long ON events (scope, end_ord, start_ord)
    WHERE deleted_at IS NULL AND end_ord - start_ord > 366;
