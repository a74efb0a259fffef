-- The event log on PostgreSQL: the same tables as on SQLite. `record` holds the canonical bytes
-- that `hash` covers, as TEXT (never jsonb, which re-encodes). The other columns index the
-- record for reads and are checked against it by verification.
CREATE TABLE events (
    position     BIGINT  PRIMARY KEY,           -- global, gapless, commit order, from 1
    stream       TEXT    NOT NULL,
    version      BIGINT  NOT NULL,              -- per stream, gapless, from 1
    event_type   TEXT    NOT NULL,
    occurred_at  BIGINT  NOT NULL,              -- business time, microseconds since 1970 UTC
    recorded_at  BIGINT  NOT NULL,              -- record time, microseconds since 1970 UTC
    record       TEXT    NOT NULL,              -- canonical record bytes (hashed as stored)
    hash         BYTEA   NOT NULL CHECK (octet_length(hash) = 32),
    UNIQUE (stream, version)
);

-- Commands already appended: the idempotency keys.
CREATE TABLE commands (
    command_id      TEXT    PRIMARY KEY,
    stream          TEXT    NOT NULL,
    first_position  BIGINT  NOT NULL,
    last_position   BIGINT  NOT NULL,
    first_version   BIGINT  NOT NULL,
    last_version    BIGINT  NOT NULL,
    recorded_at     BIGINT  NOT NULL,
    request_digest  BYTEA   NOT NULL CHECK (octet_length(request_digest) = 32)
);

-- Facts about the log itself (its id, the record format it was created with).
CREATE TABLE log_meta (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);

-- Nothing that was committed is ever changed or removed. The trigger's argument is the message,
-- with %s standing for the refused operation.
CREATE FUNCTION smes_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%', format(TG_ARGV[0], TG_OP) USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER events_refuse_update BEFORE UPDATE ON events FOR EACH ROW
    EXECUTE FUNCTION smes_refuse_change('the event log is append-only: %s of events is refused');
CREATE TRIGGER events_refuse_delete BEFORE DELETE ON events FOR EACH ROW
    EXECUTE FUNCTION smes_refuse_change('the event log is append-only: %s of events is refused');
CREATE TRIGGER events_refuse_truncate BEFORE TRUNCATE ON events FOR EACH STATEMENT
    EXECUTE FUNCTION smes_refuse_change('the event log is append-only: %s of events is refused');
CREATE TRIGGER commands_refuse_update BEFORE UPDATE ON commands FOR EACH ROW
    EXECUTE FUNCTION smes_refuse_change('the command register is append-only: %s is refused');
CREATE TRIGGER commands_refuse_delete BEFORE DELETE ON commands FOR EACH ROW
    EXECUTE FUNCTION smes_refuse_change('the command register is append-only: %s is refused');
CREATE TRIGGER commands_refuse_truncate BEFORE TRUNCATE ON commands FOR EACH STATEMENT
    EXECUTE FUNCTION smes_refuse_change('the command register is append-only: %s is refused');
CREATE TRIGGER log_meta_refuse_update BEFORE UPDATE ON log_meta FOR EACH ROW
    EXECUTE FUNCTION smes_refuse_change('log facts are append-only: %s is refused');
CREATE TRIGGER log_meta_refuse_delete BEFORE DELETE ON log_meta FOR EACH ROW
    EXECUTE FUNCTION smes_refuse_change('log facts are append-only: %s is refused');
CREATE TRIGGER log_meta_refuse_truncate BEFORE TRUNCATE ON log_meta FOR EACH STATEMENT
    EXECUTE FUNCTION smes_refuse_change('log facts are append-only: %s is refused');
