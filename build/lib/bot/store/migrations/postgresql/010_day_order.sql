-- PostgreSQL twin of bot/migrations/010_day_order.sql.
ALTER TABLE event_days ADD COLUMN start_ord INTEGER NOT NULL DEFAULT 0;
UPDATE event_days d SET start_ord = e.start_ord FROM events e WHERE e.id = d.event_id;
DELETE FROM event_days WHERE event_id IN (SELECT id FROM events WHERE deleted_at IS NOT NULL);
