-- A day's events are read from event_days alone, never visiting each event's row (at a million
-- events a busy day's rows lie on hundreds of pages): the first day each event covers is kept
-- here for the order, and a removed event keeps no days (they are written again if it returns).
ALTER TABLE event_days ADD COLUMN start_ord INTEGER NOT NULL DEFAULT 0;
UPDATE event_days SET start_ord = (SELECT e.start_ord FROM events e WHERE e.id = event_days.event_id);
DELETE FROM event_days WHERE event_id IN (SELECT id FROM events WHERE deleted_at IS NOT NULL);
