-- PostgreSQL twin of bot/migrations/008_change_feed.sql: the same table, filled by one trigger
-- function, which also NOTIFYs `almanac_changes` so that listening processes look at once.
CREATE TABLE changes (
    seq      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- never reused, like AUTOINCREMENT
    kind     TEXT   NOT NULL,
    event_id BIGINT NOT NULL,
    scope    BIGINT NOT NULL,
    at       TEXT   NOT NULL
             DEFAULT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
);
CREATE INDEX changes_by_time ON changes (at);

CREATE FUNCTION record_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    row_now RECORD := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
BEGIN
    IF TG_TABLE_NAME = 'events' THEN
        INSERT INTO changes (kind, event_id, scope) VALUES ('event', row_now.id, row_now.scope);
    ELSE
        INSERT INTO changes (kind, event_id, scope) VALUES ('hidden', row_now.event_id, row_now.guild_id);
    END IF;
    PERFORM pg_notify('almanac_changes', '');
    RETURN NULL;
END;
$$;
CREATE TRIGGER changes_event AFTER INSERT OR UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION record_change();
CREATE TRIGGER changes_hidden AFTER INSERT OR DELETE ON hidden_events
    FOR EACH ROW EXECUTE FUNCTION record_change();
