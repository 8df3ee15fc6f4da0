-- PostgreSQL twin of bot/migrations/007_post_intro.sql: the same statement.
ALTER TABLE guild_settings ADD COLUMN post_intro TEXT;
