-- The event log. One row per event; `record` holds the canonical bytes that `hash` covers.
-- The other columns index the record for reads and are checked against it by verification.
CREATE TABLE events (
    position     INTEGER PRIMARY KEY,          -- global, gapless, commit order, from 1
    stream       TEXT    NOT NULL,
    version      INTEGER NOT NULL,              -- per stream, gapless, from 1
    event_type   TEXT    NOT NULL,
    occurred_at  INTEGER NOT NULL,              -- business time, microseconds since 1970 UTC
    recorded_at  INTEGER NOT NULL,              -- record time, microseconds since 1970 UTC
    record       TEXT    NOT NULL,              -- canonical record bytes (hashed as stored)
    hash         BLOB    NOT NULL CHECK (length(hash) = 32),
    UNIQUE (stream, version)
) STRICT;

-- Commands already appended: the idempotency keys. An append that carries a known command id
-- returns the earlier outcome and writes nothing.
CREATE TABLE commands (
    command_id      TEXT    PRIMARY KEY,
    stream          TEXT    NOT NULL,
    first_position  INTEGER NOT NULL,
    last_position   INTEGER NOT NULL,
    first_version   INTEGER NOT NULL,
    last_version    INTEGER NOT NULL,
    recorded_at     INTEGER NOT NULL,
    request_digest  BLOB    NOT NULL CHECK (length(request_digest) = 32)
) STRICT, WITHOUT ROWID;

-- Facts about the log itself (its id, the record format it was created with).
CREATE TABLE log_meta (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- Nothing that was committed is ever changed or removed.
CREATE TRIGGER events_refuse_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only: UPDATE of events is refused'); END;
CREATE TRIGGER events_refuse_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only: DELETE of events is refused'); END;
CREATE TRIGGER commands_refuse_update BEFORE UPDATE ON commands
BEGIN SELECT RAISE(ABORT, 'the command register is append-only: UPDATE is refused'); END;
CREATE TRIGGER commands_refuse_delete BEFORE DELETE ON commands
BEGIN SELECT RAISE(ABORT, 'the command register is append-only: DELETE is refused'); END;
CREATE TRIGGER log_meta_refuse_update BEFORE UPDATE ON log_meta
BEGIN SELECT RAISE(ABORT, 'log facts are append-only: UPDATE is refused'); END;
CREATE TRIGGER log_meta_refuse_delete BEFORE DELETE ON log_meta
BEGIN SELECT RAISE(ABORT, 'log facts are append-only: DELETE is refused'); END;
