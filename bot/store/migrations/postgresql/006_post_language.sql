-- PostgreSQL twin of bot/migrations/006_post_language.sql: the same statement.
ALTER TABLE guild_settings ADD COLUMN post_language TEXT;
