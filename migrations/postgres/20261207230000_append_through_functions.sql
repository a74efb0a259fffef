-- Appends only through the store's own functions. The role the application writes with gets
-- EXECUTE on these functions and no INSERT, UPDATE or DELETE on the log's tables: the functions
-- run with their owner's rights (SECURITY DEFINER, search_path pinned at the end of this file)
-- and check every row against the chain before it is kept, so a row that does not extend the
-- chain exactly as the store seals it is refused by the database itself (docs/eventlog.md,
-- "Roles and what each can do").

-- One row per append: the positions it wrote, the role logged in to the database when it wrote
-- them (session_user, which a SECURITY DEFINER function does not change) and the database's own
-- clock at that moment. Written only by smes_append_write; never changed. Appends made before
-- this table existed have no row.
CREATE TABLE appends (
    first_position  BIGINT  PRIMARY KEY,
    last_position   BIGINT  NOT NULL CHECK (last_position >= first_position),
    appended_by     TEXT    NOT NULL,           -- session_user
    appended_at     BIGINT  NOT NULL            -- database clock, microseconds since 1970 UTC
);

CREATE TRIGGER appends_refuse_update BEFORE UPDATE ON appends FOR EACH ROW
    EXECUTE FUNCTION smes_refuse_change('the register of appends is append-only: %s is refused');
CREATE TRIGGER appends_refuse_delete BEFORE DELETE ON appends FOR EACH ROW
    EXECUTE FUNCTION smes_refuse_change('the register of appends is append-only: %s is refused');
CREATE TRIGGER appends_refuse_truncate BEFORE TRUNCATE ON appends FOR EACH STATEMENT
    EXECUTE FUNCTION smes_refuse_change('the register of appends is append-only: %s is refused');

-- Where a large append's events wait, sent by binary COPY, until smes_append_write checks them
-- and moves them into `events` in the same transaction (and empties the table). The writing
-- role may only insert here; nothing here is part of the log until it has been moved.
CREATE UNLOGGED TABLE append_staging (
    position     BIGINT,
    stream       TEXT,
    version      BIGINT,
    event_type   TEXT,
    occurred_at  BIGINT,
    recorded_at  BIGINT,
    record       TEXT,
    hash         BYTEA
);

-- Refuses an append with `detail`; a NULL detail (nothing wrong) is never passed in, for the
-- function is STRICT: `coalesce(smes_refuse_append(problem), true)` is true when there is no
-- problem and raises when there is one.
CREATE FUNCTION smes_refuse_append(detail TEXT) RETURNS BOOLEAN LANGUAGE plpgsql STRICT AS $$
BEGIN
    RAISE EXCEPTION 'append refused: %', detail USING ERRCODE = 'integrity_constraint_violation';
END;
$$;

-- A time as a record writes it, in microseconds since 1970 UTC.
CREATE FUNCTION smes_record_micros(time_text TEXT) RETURNS BIGINT LANGUAGE sql STABLE AS $$
    SELECT (extract(epoch FROM time_text::timestamptz) * 1000000)::bigint
$$;

-- The top-level members of a record before its metadata, as JSON: in the canonical layout they
-- come first and hold only scalars, so this is all a row's columns are compared with, without
-- parsing the metadata and payload. (`,"metadata":` cannot occur inside a JSON string, whose
-- quotes are escaped.)
CREATE FUNCTION smes_record_head(record TEXT) RETURNS JSON LANGUAGE sql IMMUTABLE AS $$
    SELECT (left(record, strpos(record, ',"metadata":') - 1) || '}')::json
$$;

-- The last 80 bytes of a canonical record that links to `previous_hash`: its last member,
-- `prev_hash`, has a fixed length. (Bytes, not text: a text's end is found by counting its
-- characters from the start.)
CREATE FUNCTION smes_record_tail(previous_hash BYTEA) RETURNS BYTEA LANGUAGE sql IMMUTABLE AS $$
    SELECT convert_to(',"prev_hash":"' || encode(previous_hash, 'hex') || '"}', 'UTF8')
$$;

-- What is wrong with a new row of `events` on its own, NULL if nothing: its columns against its
-- record, and its hash against its record's bytes, as `smes verify` checks them
-- (crates/verify/src/chain.rs and walk.rs). `rec_*` are the record's own members. The record
-- format is 1, the only one there is. How the row follows the one before it is checked once
-- the append's rows are in (smes_append_write).
CREATE FUNCTION smes_row_problem(
    col_position     BIGINT,
    col_stream       TEXT,
    col_version      BIGINT,
    col_event_type   TEXT,
    col_occurred_at  BIGINT,
    col_recorded_at  BIGINT,
    col_record       TEXT,
    col_hash         BYTEA,
    rec_format       INTEGER,
    rec_position     BIGINT,
    rec_stream       TEXT,
    rec_version      BIGINT,
    rec_type         TEXT,
    rec_occurred_at  TEXT,
    rec_recorded_at  TEXT
) RETURNS TEXT LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN rec_format IS DISTINCT FROM 1 THEN
            format('position %s: the record''s format is %s, not 1', col_position, rec_format)
        WHEN rec_position IS DISTINCT FROM col_position THEN
            format('position %s: the position column says %s but the record says %s', col_position, col_position, rec_position)
        WHEN rec_stream IS DISTINCT FROM col_stream THEN
            format('position %s: the stream column says %s but the record says %s', col_position, col_stream, rec_stream)
        WHEN rec_version IS DISTINCT FROM col_version THEN
            format('position %s: the version column says %s but the record says %s', col_position, col_version, rec_version)
        WHEN rec_type IS DISTINCT FROM col_event_type THEN
            format('position %s: the event_type column says %s but the record says %s', col_position, col_event_type, rec_type)
        WHEN smes_record_micros(rec_occurred_at) IS DISTINCT FROM col_occurred_at THEN
            format('position %s: the occurred_at column says %s but the record says %s', col_position, col_occurred_at, rec_occurred_at)
        WHEN smes_record_micros(rec_recorded_at) IS DISTINCT FROM col_recorded_at THEN
            format('position %s: the recorded_at column says %s but the record says %s', col_position, col_recorded_at, rec_recorded_at)
        WHEN col_hash IS DISTINCT FROM sha256(convert_to(col_record, 'UTF8')) THEN
            format('position %s: the hash %s is not the hash of the record, %s', col_position, encode(col_hash, 'hex'),
                   encode(sha256(convert_to(col_record, 'UTF8')), 'hex'))
    END
$$;

-- The head of the log: position, hash and record time of the last event (0, the genesis hash
-- and the earliest time for an empty log).
CREATE FUNCTION smes_head(OUT head_position BIGINT, OUT head_hash BYTEA, OUT head_recorded_at BIGINT)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    SELECT e.position, e.hash, e.recorded_at INTO head_position, head_hash, head_recorded_at
        FROM events e ORDER BY e.position DESC LIMIT 1;
    IF head_position IS NULL THEN
        head_position := 0;
        head_hash := '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea;
        head_recorded_at := -9223372036854775808;
    END IF;
END;
$$;

-- Writes an append: the events waiting in append_staging (when `staged`) and then those in the
-- arrays, the command register's entries, the completed Merkle nodes and the tree's right edge
-- (`edge_size` NULL: unchanged), and one row of `appends`; then announces the new head on the
-- channel smes_log. It takes the append lock itself (the writer may hold it already), and
-- refuses, writing nothing, whatever does not fit:
--
-- - each event must come at the next position after the head (gapless), carry a record of
--   format 1 whose position, stream, version, type, business time and record time are those of
--   its columns, link to the previous event's hash, not go back in record time, and be stored
--   with the SHA-256 of its record's bytes;
-- - each stream's versions go on from the stream's version before the append, one by one;
-- - each command entry must end among the events of this append and describe one append of its
--   stream (positions, versions, record time as the events say), under a new command id;
-- - each Merkle node must lie within the log, and the edge must neither lie beyond the log nor
--   go back, with one subtree hash per set bit of its size. The hashes of nodes and edge are
--   checked by `smes verify`, which rebuilds the tree from the events.
--
-- Returns the new head position.
CREATE FUNCTION smes_append_write(
    staged               BOOLEAN,
    new_positions        BIGINT[],
    new_streams          TEXT[],
    new_versions         BIGINT[],
    new_event_types      TEXT[],
    new_occurred_at      BIGINT[],
    new_recorded_at      BIGINT[],
    new_records          TEXT[],
    new_hashes           BYTEA[],
    cmd_ids              TEXT[],
    cmd_streams          TEXT[],
    cmd_first_positions  BIGINT[],
    cmd_last_positions   BIGINT[],
    cmd_first_versions   BIGINT[],
    cmd_last_versions    BIGINT[],
    cmd_recorded_at      BIGINT[],
    cmd_digests          BYTEA[],
    cmd_binds            BOOLEAN[],
    node_levels          INTEGER[],
    node_indices         BIGINT[],
    node_hashes          BYTEA[],
    edge_size            BIGINT,
    edge_subtrees        BYTEA
) RETURNS BIGINT LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    before_position    BIGINT;
    before_hash        BYTEA;
    before_recorded_at BIGINT;
    head_position      BIGINT;
    bad_detail         TEXT;
    stored_edge      BIGINT;
BEGIN
    -- The key of the append lock ("smes-log" in ASCII), as the writers take it.
    PERFORM pg_advisory_xact_lock(8317415632180899687);
    SELECT h.head_position, h.head_hash, h.head_recorded_at INTO before_position, before_hash, before_recorded_at
        FROM smes_head() h;
    head_position := before_position;

    -- Each row is checked against its own record as it is inserted; how the rows follow each
    -- other and the head is checked once they are all in, below.
    IF staged THEN
        LOCK TABLE append_staging IN ACCESS EXCLUSIVE MODE;
        INSERT INTO events (position, stream, version, event_type, occurred_at, recorded_at, record, hash)
            SELECT s.position, s.stream, s.version, s.event_type, s.occurred_at, s.recorded_at, s.record, s.hash
            FROM append_staging s,
                 json_to_record(smes_record_head(s.record)) AS r(format INTEGER, position BIGINT, stream TEXT,
                                                                version BIGINT, type TEXT, occurred_at TEXT,
                                                                recorded_at TEXT)
            WHERE coalesce(smes_refuse_append(smes_row_problem(
                s.position, s.stream, s.version, s.event_type, s.occurred_at, s.recorded_at, s.record, s.hash,
                r.format, r.position, r.stream, r.version, r.type, r.occurred_at, r.recorded_at)), true);
        TRUNCATE append_staging;
    END IF;
    IF cardinality(new_positions) > 0 THEN
        INSERT INTO events (position, stream, version, event_type, occurred_at, recorded_at, record, hash)
            SELECT u.p, u.s, u.v, u.t, u.o, u.ra, u.rec, u.h
            FROM unnest(new_positions, new_streams, new_versions, new_event_types, new_occurred_at,
                        new_recorded_at, new_records, new_hashes) AS u(p, s, v, t, o, ra, rec, h),
                 json_to_record(smes_record_head(u.rec)) AS r(format INTEGER, position BIGINT, stream TEXT,
                                                             version BIGINT, type TEXT, occurred_at TEXT,
                                                             recorded_at TEXT)
            WHERE coalesce(smes_refuse_append(smes_row_problem(
                u.p, u.s, u.v, u.t, u.o, u.ra, u.rec, u.h,
                r.format, r.position, r.stream, r.version, r.type, r.occurred_at, r.recorded_at)), true);
    END IF;
    SELECT h.head_position INTO head_position FROM smes_head() h;

    IF head_position > before_position THEN
        -- The new rows in position order, each against the one before it (the head before the
        -- first): the next position, a link to its hash (the record's fixed tail names it), no
        -- earlier record time; and each against the stream's previous event: the next version.
        -- The first event of a stream in this append follows the stream's version before it
        -- (version 1 needs no check: the unique (stream, version) key refuses it on a stream
        -- that has events). Only narrow columns are kept for the windows.
        SELECT CASE
                   WHEN x.position <> x.previous_position + 1 THEN
                       format('position %s: expected position %s next (positions are gapless)',
                              x.position, x.previous_position + 1)
                   WHEN x.tail IS DISTINCT FROM smes_record_tail(x.previous_hash) THEN
                       format('position %s: the record links to %s but the previous hash is %s', x.position,
                              convert_from(substring(x.tail FROM 15 FOR 64), 'UTF8'), encode(x.previous_hash, 'hex'))
                   WHEN x.recorded_at < x.previous_recorded_at THEN
                       format('position %s: its record time is earlier than the previous event''s', x.position)
                   ELSE
                       format('position %s: stream %s is at version %s before it, so version %s is refused',
                              x.position, x.stream,
                              coalesce(x.previous_in_append,
                                       (SELECT max(y.version) FROM events y
                                        WHERE y.stream = x.stream AND y.position <= before_position), 0),
                              x.version)
               END
            INTO bad_detail
            FROM (SELECT n.*,
                         lag(n.position, 1, before_position) OVER by_position AS previous_position,
                         lag(n.hash, 1, before_hash) OVER by_position AS previous_hash,
                         lag(n.recorded_at, 1, before_recorded_at) OVER by_position AS previous_recorded_at,
                         lag(n.version) OVER by_stream AS previous_in_append
                  FROM (SELECT e.position, e.stream, e.version, e.recorded_at, e.hash, substring(convert_to(e.record, 'UTF8') FROM octet_length(e.record) - 79) AS tail
                        FROM events e WHERE e.position > before_position AND e.position <= head_position
                        OFFSET 0) n
                  WINDOW by_position AS (ORDER BY n.position),
                         by_stream AS (PARTITION BY n.stream ORDER BY n.position)) x
            WHERE x.position <> x.previous_position + 1
               OR x.tail IS DISTINCT FROM smes_record_tail(x.previous_hash)
               OR x.recorded_at < x.previous_recorded_at
               OR CASE WHEN x.previous_in_append IS NULL
                       THEN x.version <> 1 AND NOT coalesce(
                                (SELECT y.position <= before_position FROM events y
                                 WHERE y.stream = x.stream AND y.version = x.version - 1), false)
                       ELSE x.version <> x.previous_in_append + 1 END
            ORDER BY x.position LIMIT 1;
        IF bad_detail IS NOT NULL THEN
            PERFORM smes_refuse_append(bad_detail);
        END IF;
    END IF;

    IF cardinality(cmd_ids) > 0 THEN
        INSERT INTO commands (command_id, stream, first_position, last_position, first_version, last_version,
                              recorded_at, request_digest, binds_command)
            SELECT u.c, u.s, u.fp, u.lp, u.fv, u.lv, u.ra, u.d, coalesce(u.b, true)
            FROM unnest(cmd_ids, cmd_streams, cmd_first_positions, cmd_last_positions, cmd_first_versions,
                        cmd_last_versions, cmd_recorded_at, cmd_digests, cmd_binds) AS u(c, s, fp, lp, fv, lv, ra, d, b)
                 LEFT JOIN events f ON f.position = u.fp
                 LEFT JOIN events l ON l.position = u.lp
            WHERE coalesce(smes_refuse_append(CASE
                WHEN u.lp IS NULL OR u.lp <= before_position OR u.lp > head_position THEN
                    format('command %s: its last position %s is not among the events of this append', u.c, u.lp)
                WHEN u.lp < u.fp OR u.lv < u.fv OR u.lp - u.fp <> u.lv - u.fv THEN
                    format('command %s: its positions and versions do not describe one append', u.c)
                WHEN f.stream IS DISTINCT FROM u.s OR l.stream IS DISTINCT FROM u.s THEN
                    format('command %s: its stream is not the stream of the events at its positions', u.c)
                WHEN f.version IS DISTINCT FROM u.fv OR l.version IS DISTINCT FROM u.lv THEN
                    format('command %s: its versions are not those of the events at its positions', u.c)
                WHEN f.recorded_at IS DISTINCT FROM u.ra THEN
                    format('command %s: its record time is not that of its events', u.c)
            END), true);
    END IF;

    IF cardinality(node_levels) > 0 THEN
        INSERT INTO merkle_nodes (level, idx, hash)
            SELECT u.l, u.i, u.h FROM unnest(node_levels, node_indices, node_hashes) AS u(l, i, h)
            WHERE coalesce(smes_refuse_append(CASE
                WHEN u.l IS NULL OR u.i IS NULL OR u.l < 8 OR u.l > 62 OR u.i < 0 OR u.i >= (head_position >> u.l) THEN
                    format('the Merkle node at level %s, index %s does not lie within the log''s %s events',
                           u.l, u.i, head_position)
            END), true);
    END IF;
    IF edge_size IS NOT NULL THEN
        SELECT f.size INTO stored_edge FROM merkle_frontier f WHERE f.id = 1;
        IF edge_size < stored_edge OR edge_size > head_position
           OR octet_length(edge_subtrees) IS DISTINCT FROM 32 * length(replace(edge_size::bit(64)::text, '0', '')) THEN
            PERFORM smes_refuse_append(format(
                'the Merkle tree''s edge of size %s does not fit a log of %s events whose stored edge has size %s',
                edge_size, head_position, stored_edge));
        END IF;
        UPDATE merkle_frontier SET size = edge_size, subtrees = edge_subtrees WHERE id = 1;
    END IF;

    IF head_position > before_position THEN
        INSERT INTO appends (first_position, last_position, appended_by, appended_at)
            VALUES (before_position + 1, head_position, session_user,
                    (extract(epoch FROM clock_timestamp()) * 1000000)::bigint);
        PERFORM pg_notify('smes_log', head_position::text);
    END IF;
    RETURN head_position;
END;
$$;

-- The one-statement append of a writer that knows the log as it left it at its last commit
-- (it replaces the function of 20261206050000_append_known.sql): under the append lock, writes
-- the group with smes_append_write only if `known_head` is still the head and none of
-- `command_ids` is in the register; otherwise writes nothing and returns false.
DROP FUNCTION smes_append_known(BIGINT, BIGINT, TEXT[], BIGINT[], TEXT[], BIGINT[], TEXT[], BIGINT[], BIGINT, TEXT[],
                                BYTEA[], TEXT[], TEXT[], BIGINT[], BIGINT[], BIGINT[], BIGINT[], BYTEA[], INTEGER[],
                                BIGINT[], BYTEA[], BIGINT, BYTEA, TEXT, TEXT);

CREATE FUNCTION smes_append_known(
    known_head           BIGINT,
    command_ids          TEXT[],
    new_positions        BIGINT[],
    new_streams          TEXT[],
    new_versions         BIGINT[],
    new_event_types      TEXT[],
    new_occurred_at      BIGINT[],
    new_recorded_at      BIGINT[],
    new_records          TEXT[],
    new_hashes           BYTEA[],
    cmd_ids              TEXT[],
    cmd_streams          TEXT[],
    cmd_first_positions  BIGINT[],
    cmd_last_positions   BIGINT[],
    cmd_first_versions   BIGINT[],
    cmd_last_versions    BIGINT[],
    cmd_recorded_at      BIGINT[],
    cmd_digests          BYTEA[],
    cmd_binds            BOOLEAN[],
    node_levels          INTEGER[],
    node_indices         BIGINT[],
    node_hashes          BYTEA[],
    edge_size            BIGINT,
    edge_subtrees        BYTEA
) RETURNS BOOLEAN LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    current_head BIGINT;
BEGIN
    PERFORM pg_advisory_xact_lock(8317415632180899687);
    SELECT e.position INTO current_head FROM events e ORDER BY e.position DESC LIMIT 1;
    IF coalesce(current_head, 0) <> known_head THEN
        RETURN false;
    END IF;
    IF cardinality(command_ids) > 0
       AND EXISTS (SELECT 1 FROM commands c WHERE c.command_id = ANY(command_ids)) THEN
        RETURN false;
    END IF;
    PERFORM smes_append_write(false, new_positions, new_streams, new_versions, new_event_types, new_occurred_at,
                              new_recorded_at, new_records, new_hashes, cmd_ids, cmd_streams, cmd_first_positions,
                              cmd_last_positions, cmd_first_versions, cmd_last_versions, cmd_recorded_at,
                              cmd_digests, cmd_binds, node_levels, node_indices, node_hashes, edge_size,
                              edge_subtrees);
    RETURN true;
END;
$$;

-- Keeps a signed checkpoint with the log, unless the same one is kept already (then false). Its
-- tree size must lie within the log.
CREATE FUNCTION smes_keep_checkpoint(origin TEXT, tree_size BIGINT, note TEXT, stored_at BIGINT)
RETURNS BOOLEAN LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    head BIGINT;
    kept INTEGER;
BEGIN
    SELECT coalesce(max(e.position), 0) INTO head FROM events e;
    IF tree_size < 0 OR tree_size > head THEN
        RAISE EXCEPTION 'checkpoint refused: tree size % lies beyond the log''s % events', tree_size, head
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    INSERT INTO checkpoints (origin, tree_size, note, stored_at) VALUES (origin, tree_size, note, stored_at)
        ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS kept = ROW_COUNT;
    RETURN kept = 1;
END;
$$;

-- The writing functions run with their owner's rights, with the search path pinned to the
-- schema they were created in (and temporary objects last, so none can stand in for a table),
-- and only roles granted EXECUTE may call them: PostgreSQL lets every role execute a new
-- function unless its owner revokes that. smes_append_prepare keeps its caller's rights (it only
-- reads) but is revoked from PUBLIC too, so that only a writing role takes the append lock.
DO $$
DECLARE
    writing REGPROCEDURE;
BEGIN
    FOR writing IN
        SELECT p.oid::regprocedure FROM pg_proc p
        WHERE p.pronamespace = (SELECT n.oid FROM pg_namespace n WHERE n.nspname = current_schema())
          AND p.proname IN ('smes_append_write', 'smes_append_known', 'smes_keep_checkpoint')
    LOOP
        EXECUTE format('ALTER FUNCTION %s SECURITY DEFINER SET search_path = %I, pg_temp '
                       'SET max_parallel_workers_per_gather = 0 SET work_mem = ''64MB''',
                       writing, current_schema());
        EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', writing);
    END LOOP;
    EXECUTE 'REVOKE EXECUTE ON FUNCTION smes_append_prepare(BIGINT, TEXT[], TEXT[], BIGINT) FROM PUBLIC';
END;
$$;
