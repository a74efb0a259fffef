-- A whole append in one statement, for a writer that knows the log as it left it at its last
-- commit. The writer has sealed the events against the head it committed last, with the stream
-- versions and the Merkle tree's edge it knew then; this function takes the append lock, and
-- writes only if that head is still the head (nobody has appended since, so everything the
-- writer sealed against is still true) and none of the command ids the group carries
-- (`command_ids`: those of every request, refused ones included, for a retried command is
-- answered from the register before its expected version is looked at) is already in the
-- register, which the writer cannot know. Otherwise it writes nothing and returns false, and
-- the writer does the append the long way (smes_append_prepare, then the rows, then COMMIT).
--
-- Sent on its own, outside any explicit transaction, the statement is its own transaction: the
-- lock is held until its commit is flushed and the client is answered after that, so one round
-- trip appends, where the long way makes four. As in smes_append_prepare, the function is
-- VOLATILE, so each statement in it takes a fresh snapshot: the head read after the lock sees
-- every commit made before the lock was granted.
CREATE FUNCTION smes_append_known(
    lock_key          BIGINT,
    known_head        BIGINT,
    command_ids       TEXT[],
    new_positions     BIGINT[],
    new_streams       TEXT[],
    new_versions      BIGINT[],
    new_event_types   TEXT[],
    new_occurred_at   BIGINT[],
    new_recorded_at   BIGINT,
    new_records       TEXT[],
    new_hashes        BYTEA[],
    cmd_ids           TEXT[],
    cmd_streams       TEXT[],
    cmd_first_positions BIGINT[],
    cmd_last_positions BIGINT[],
    cmd_first_versions BIGINT[],
    cmd_last_versions BIGINT[],
    cmd_digests       BYTEA[],
    node_levels       INTEGER[],
    node_indices      BIGINT[],
    node_hashes       BYTEA[],
    edge_size         BIGINT,
    edge_subtrees     BYTEA,
    notify_channel    TEXT,
    notify_head       TEXT
) RETURNS BOOLEAN LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    current_head BIGINT;
BEGIN
    PERFORM pg_advisory_xact_lock(lock_key);
    SELECT e.position INTO current_head FROM events e ORDER BY e.position DESC LIMIT 1;
    IF coalesce(current_head, 0) <> known_head THEN
        RETURN false;
    END IF;
    IF cardinality(command_ids) > 0
       AND EXISTS (SELECT 1 FROM commands c WHERE c.command_id = ANY(command_ids)) THEN
        RETURN false;
    END IF;
    INSERT INTO events (position, stream, version, event_type, occurred_at, recorded_at, record, hash)
        SELECT u.p, u.s, u.v, u.t, u.o, new_recorded_at, u.r, u.h
        FROM unnest(new_positions, new_streams, new_versions, new_event_types, new_occurred_at,
                    new_records, new_hashes) AS u(p, s, v, t, o, r, h);
    IF cardinality(cmd_ids) > 0 THEN
        INSERT INTO commands (command_id, stream, first_position, last_position, first_version,
                              last_version, recorded_at, request_digest)
            SELECT u.c, u.s, u.fp, u.lp, u.fv, u.lv, new_recorded_at, u.d
            FROM unnest(cmd_ids, cmd_streams, cmd_first_positions, cmd_last_positions,
                        cmd_first_versions, cmd_last_versions, cmd_digests) AS u(c, s, fp, lp, fv, lv, d);
    END IF;
    IF cardinality(node_levels) > 0 THEN
        INSERT INTO merkle_nodes (level, idx, hash)
            SELECT * FROM unnest(node_levels, node_indices, node_hashes);
    END IF;
    IF edge_size IS NOT NULL THEN
        UPDATE merkle_frontier SET size = edge_size, subtrees = edge_subtrees WHERE id = 1;
    END IF;
    IF notify_head IS NOT NULL THEN
        PERFORM pg_notify(notify_channel, notify_head);
    END IF;
    RETURN true;
END;
$$;
