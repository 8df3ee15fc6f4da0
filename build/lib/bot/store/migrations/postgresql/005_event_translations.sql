-- PostgreSQL twin of bot/migrations/005_event_translations.sql: the same statement.
ALTER TABLE events ADD COLUMN translations TEXT NOT NULL DEFAULT '{}';
