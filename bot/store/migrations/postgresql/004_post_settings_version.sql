-- PostgreSQL twin of bot/migrations/004_post_settings_version.sql: the same statement.
ALTER TABLE guild_settings ADD COLUMN posts_version INTEGER NOT NULL DEFAULT 0;
