-- Signed checkpoints the Secretariat has published (C2SP signed notes), kept with the log so
-- that they can be handed to auditors later. A checkpoint is a commitment: never changed.
CREATE TABLE checkpoints (
    origin     TEXT    NOT NULL,
    tree_size  BIGINT  NOT NULL,
    note       TEXT    NOT NULL,
    stored_at  BIGINT  NOT NULL,                -- microseconds since 1970 UTC
    PRIMARY KEY (origin, tree_size, note)
);

CREATE TRIGGER checkpoints_refuse_update BEFORE UPDATE ON checkpoints FOR EACH ROW
    EXECUTE FUNCTION smes_refuse_change('published checkpoints are append-only: %s is refused');
CREATE TRIGGER checkpoints_refuse_delete BEFORE DELETE ON checkpoints FOR EACH ROW
    EXECUTE FUNCTION smes_refuse_change('published checkpoints are append-only: %s is refused');
CREATE TRIGGER checkpoints_refuse_truncate BEFORE TRUNCATE ON checkpoints FOR EACH STATEMENT
    EXECUTE FUNCTION smes_refuse_change('published checkpoints are append-only: %s is refused');
