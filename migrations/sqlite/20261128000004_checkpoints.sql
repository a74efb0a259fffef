-- Signed checkpoints the Secretariat has published (C2SP signed notes), kept with the log so
-- that they can be handed to auditors later. A checkpoint is a commitment: never changed.
CREATE TABLE checkpoints (
    origin     TEXT    NOT NULL,
    tree_size  INTEGER NOT NULL,
    note       TEXT    NOT NULL,
    stored_at  INTEGER NOT NULL,                -- microseconds since 1970 UTC
    PRIMARY KEY (origin, tree_size, note)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER checkpoints_refuse_update BEFORE UPDATE ON checkpoints
BEGIN SELECT RAISE(ABORT, 'published checkpoints are append-only: UPDATE is refused'); END;
CREATE TRIGGER checkpoints_refuse_delete BEFORE DELETE ON checkpoints
BEGIN SELECT RAISE(ABORT, 'published checkpoints are append-only: DELETE is refused'); END;
