-- /timeline asks for events overlapping a span. Events up to a year long are found by a bounded
-- range on start_ord (they must start at most 366 days before the span); the few longer ones by
-- this partial index, so neither query walks every earlier event of the scope.
CREATE INDEX events_long ON events (scope, end_ord)
    WHERE deleted_at IS NULL AND end_ord - start_ord > 366;
