-- Everything an append transaction reads once it holds the append lock, in one call (one round
-- trip while every other writer waits): it takes the transaction-scoped advisory lock, then
-- reads the head, the Merkle tree's right edge (unless the caller already holds it at the head's
-- size), the current version of each named stream and the register entries of the named command
-- ids. The function is VOLATILE, so each statement in it takes a fresh snapshot: the reads after
-- the lock see every commit made before the lock was granted (PostgreSQL's rule for volatile
-- functions under READ COMMITTED). `stream_versions` follows the order of `streams`, 0 for a
-- stream with no events; the `command_*` arrays hold the found entries, in no particular order.
CREATE FUNCTION smes_append_prepare(
    lock_key     BIGINT,
    streams      TEXT[],
    command_ids  TEXT[],
    cached_size  BIGINT
) RETURNS TABLE (
    head_position          BIGINT,
    head_hash              BYTEA,
    head_recorded_at       BIGINT,
    frontier_size          BIGINT,
    frontier_subtrees      BYTEA,
    stream_versions        BIGINT[],
    command_found          TEXT[],
    command_streams        TEXT[],
    command_first_positions BIGINT[],
    command_last_positions BIGINT[],
    command_first_versions BIGINT[],
    command_last_versions  BIGINT[],
    command_recorded_at    BIGINT[],
    command_digests        BYTEA[]
) LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(lock_key);
    SELECT e.position, e.hash, e.recorded_at INTO head_position, head_hash, head_recorded_at
        FROM events e ORDER BY e.position DESC LIMIT 1;
    IF cached_size IS DISTINCT FROM coalesce(head_position, 0) THEN
        SELECT f.size, f.subtrees INTO frontier_size, frontier_subtrees FROM merkle_frontier f WHERE f.id = 1;
    END IF;
    stream_versions := ARRAY(
        SELECT coalesce((SELECT e.version FROM events e WHERE e.stream = s.name ORDER BY e.version DESC LIMIT 1), 0)
        FROM unnest(streams) WITH ORDINALITY AS s(name, n) ORDER BY s.n);
    IF cardinality(command_ids) > 0 THEN
        SELECT coalesce(array_agg(c.command_id), '{}'), coalesce(array_agg(c.stream), '{}'),
               coalesce(array_agg(c.first_position), '{}'), coalesce(array_agg(c.last_position), '{}'),
               coalesce(array_agg(c.first_version), '{}'), coalesce(array_agg(c.last_version), '{}'),
               coalesce(array_agg(c.recorded_at), '{}'), coalesce(array_agg(c.request_digest), '{}')
          INTO command_found, command_streams, command_first_positions, command_last_positions,
               command_first_versions, command_last_versions, command_recorded_at, command_digests
          FROM commands c WHERE c.command_id = ANY(command_ids);
    ELSE
        command_found := '{}';
        command_streams := '{}';
        command_first_positions := '{}';
        command_last_positions := '{}';
        command_first_versions := '{}';
        command_last_versions := '{}';
        command_recorded_at := '{}';
        command_digests := '{}';
    END IF;
    RETURN NEXT;
END;
$$;
