-- /timeline picks its events and counts them from the span indexes alone, visiting only the rows
-- it shows. Both indexes hold live events only, but SQLite reads a row to test `deleted_at IS
-- NULL` unless the index has the column, and events longer than a year need start_ord beside
-- end_ord: thousands of them end after a big server's early years, and each was a row visited.
DROP INDEX events_by_span;
CREATE INDEX events_by_span ON events (scope, start_ord, end_ord, deleted_at) WHERE deleted_at IS NULL;
DROP INDEX events_long;
CREATE INDEX events_long ON events (scope, end_ord, start_ord, deleted_at)
    WHERE deleted_at IS NULL AND end_ord - start_ord > 366;
