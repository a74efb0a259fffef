-- The same checks as 20261207230000_append_through_functions.sql, made cheap enough for bulk
-- appends, and the events of a large append written once. That version parsed each record's
-- members before its metadata as JSON, converted its two times with `extract` and checked the
-- chain in a second pass that read the new rows back from `events`; a bulk append of 5,000
-- events spent longer checking its rows than inserting them, and a large
-- append's events were written twice (into `append_staging` by COPY, then into `events`).
--
-- Now each row is compared with its record as text: the record's members before its metadata
-- must be exactly the canonical text that its columns give (a `LIKE` pattern built from them,
-- in which only the event id and the schema version, which no column holds, are left open),
-- and its hash, its link to the previous event's hash and its record time are checked against
-- the previous row in the same pass, as the rows are inserted: the arrays carry each row's
-- predecessor beside it. Only the stream versions need a second, narrow pass. The writer sends
-- a large append's events in the arrays too (binary parameters), so they are written once;
-- `append_staging` is still read when `staged` is true, through the same checks.
--
-- What the database refuses changes in two points, recorded in docs/eventlog.md ("Roles and
-- what each can do"): it compares the columns with the record's canonical text instead of a
-- JSON reading of it, so it now refuses a head that says the same as its columns but is not
-- written canonically, and no longer refuses a record whose id or schema version is not
-- well-formed JSON; such a record fails `smes verify` ("the record is malformed"), which decodes
-- every record, at its position.

-- A time as a record writes it ("2013-04-01T09:00:00.000000Z", UTC), from microseconds since
-- 1970: the whole seconds through to_timestamp (exact for whole seconds) and the microseconds
-- added as an interval.
CREATE FUNCTION smes_record_time_text(micros BIGINT) RETURNS TEXT LANGUAGE sql STABLE AS $$
    SELECT to_char((to_timestamp(micros / 1000000) AT TIME ZONE 'UTC') + (micros % 1000000) * interval '1 microsecond',
                   'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
$$;

-- `text` as a LIKE pattern that matches only itself (the default escape is the backslash).
CREATE FUNCTION smes_like_literal(text TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE AS $$
    SELECT replace(replace(replace(text, '\', '\\'), '%', '\%'), '_', '\_')
$$;

-- The members before the metadata that a canonical record of these columns has, as a LIKE
-- pattern: format 1, then position, stream, version, an id of 36 characters, type, a schema
-- version of at least one character, business time and record time, in this order and as the
-- store writes them (crates/verify/src/record.rs). The text it is matched against ends before
-- the record's first `,"metadata":` (which cannot occur inside a JSON string, whose quotes are
-- escaped), so the times are the last members before the metadata.
CREATE FUNCTION smes_record_head_pattern(
    col_position      BIGINT,
    col_stream        TEXT,
    col_version       BIGINT,
    col_event_type    TEXT,
    occurred_at_text  TEXT,
    recorded_at_text  TEXT
) RETURNS TEXT LANGUAGE sql STABLE AS $$
    SELECT concat('{"format":1,"position":', col_position, ',"stream":', smes_like_literal(to_json(col_stream)::text),
                  ',"version":', col_version, ',"id":"____________________________________","type":',
                  smes_like_literal(to_json(col_event_type)::text), ',"schema\_version":_%,"occurred\_at":"',
                  occurred_at_text, '","recorded\_at":"', recorded_at_text, '"')
$$;

-- Why a record's members before its metadata are not the canonical text of its columns: the
-- first column that disagrees with the member of its name, read as JSON as `smes verify` reads
-- it (only called for a row that is refused). A record whose head is not JSON, or whose members
-- agree with the columns but are not written canonically, is refused as such.
CREATE FUNCTION smes_head_problem(
    col_position     BIGINT,
    col_stream       TEXT,
    col_version      BIGINT,
    col_event_type   TEXT,
    col_occurred_at  BIGINT,
    col_recorded_at  BIGINT,
    col_record       TEXT
) RETURNS TEXT LANGUAGE plpgsql STABLE AS $$
DECLARE
    problem TEXT;
BEGIN
    BEGIN
        SELECT smes_row_problem(col_position, col_stream, col_version, col_event_type, col_occurred_at,
                                col_recorded_at, col_record, sha256(convert_to(col_record, 'UTF8')),
                                r.format, r.position, r.stream, r.version, r.type, r.occurred_at, r.recorded_at)
            INTO problem
            FROM json_to_record(smes_record_head(col_record)) AS r(format INTEGER, position BIGINT, stream TEXT,
                                                                   version BIGINT, type TEXT, occurred_at TEXT,
                                                                   recorded_at TEXT);
    EXCEPTION WHEN others THEN
        problem := NULL;
    END;
    RETURN coalesce(problem, format('position %s: the record''s members before its metadata are not the canonical '
                                    'text of its columns', col_position));
END;
$$;

-- What is wrong with a new row of `events`, NULL if nothing: its position against the one
-- expected next, its columns against its record, its hash against its record's bytes (as
-- `smes verify` checks them, crates/verify/src/chain.rs), and its link and record time against
-- the previous event's hash and record time. `record_bytes` are the record's UTF-8 bytes and
-- `recorded_at_text` is the record time column as a record writes it (the caller formats it
-- once for the many rows of an append that share it). The record's last 80 bytes are its
-- `prev_hash` member, which has a fixed length.
CREATE FUNCTION smes_event_problem(
    expected_position     BIGINT,
    previous_hash         BYTEA,
    previous_recorded_at  BIGINT,
    col_position          BIGINT,
    col_stream            TEXT,
    col_version           BIGINT,
    col_event_type        TEXT,
    col_occurred_at       BIGINT,
    col_recorded_at       BIGINT,
    col_record            TEXT,
    col_hash              BYTEA,
    record_bytes          BYTEA,
    recorded_at_text      TEXT
) RETURNS TEXT LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN col_position IS DISTINCT FROM expected_position THEN
            format('position %s: expected position %s next (positions are gapless)', col_position, expected_position)
        WHEN (split_part(col_record, ',"metadata":', 1)
              LIKE smes_record_head_pattern(col_position, col_stream, col_version, col_event_type,
                                            smes_record_time_text(col_occurred_at), recorded_at_text)) IS NOT TRUE THEN
            smes_head_problem(col_position, col_stream, col_version, col_event_type, col_occurred_at, col_recorded_at,
                              col_record)
        WHEN col_hash IS DISTINCT FROM sha256(record_bytes) THEN
            format('position %s: the hash %s is not the hash of the record, %s', col_position, encode(col_hash, 'hex'),
                   encode(sha256(record_bytes), 'hex'))
        WHEN substring(record_bytes FROM octet_length(record_bytes) - 79)
             IS DISTINCT FROM (',"prev_hash":"' || encode(previous_hash, 'hex') || '"}')::bytea THEN
            format('position %s: the record links to %s but the previous hash is %s', col_position,
                   convert_from(substring(record_bytes FROM octet_length(record_bytes) - 65 FOR 64), 'UTF8'),
                   encode(previous_hash, 'hex'))
        WHEN col_recorded_at < previous_recorded_at THEN
            format('position %s: its record time is earlier than the previous event''s', col_position)
    END
$$;

-- Writes an append: the events waiting in append_staging (when `staged`) and then those in the
-- arrays, the command register's entries, the completed Merkle nodes and the tree's right edge
-- (`edge_size` NULL: unchanged), and one row of `appends`; then announces the new head on the
-- channel smes_log. It takes the append lock itself (the writer may hold it already), and
-- refuses, writing nothing, whatever does not fit:
--
-- - each event must come at the next position after the head (gapless), carry a record of
--   format 1 whose members before its metadata are the canonical text of its position, stream,
--   version, type, business time and record time columns, link to the previous event's hash,
--   not go back in record time, and be stored with the SHA-256 of its record's bytes;
-- - each stream's versions go on from the stream's version before the append, one by one;
-- - each command entry must end among the events of this append and describe one append of its
--   stream (positions, versions, record time as the events say), under a new command id;
-- - each Merkle node must lie within the log, and the edge must neither lie beyond the log nor
--   go back, with one subtree hash per set bit of its size. The hashes of nodes and edge are
--   checked by `smes verify`, which rebuilds the tree from the events.
--
-- Returns the new head position.
CREATE OR REPLACE FUNCTION smes_append_write(
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
    events_given       BIGINT;
    group_recorded_at  BIGINT;
    group_recorded_at_text TEXT;
    bad_detail         TEXT;
    stored_edge        BIGINT;
    staged_positions   BIGINT[];
    staged_streams     TEXT[];
    staged_versions    BIGINT[];
    staged_types       TEXT[];
    staged_occurred_at BIGINT[];
    staged_recorded_at BIGINT[];
    staged_records     TEXT[];
    staged_hashes      BYTEA[];
BEGIN
    -- The key of the append lock ("smes-log" in ASCII), as the writers take it.
    PERFORM pg_advisory_xact_lock(8317415632180899687);
    SELECT h.head_position, h.head_hash, h.head_recorded_at INTO before_position, before_hash, before_recorded_at
        FROM smes_head() h;
    head_position := before_position;

    -- Staged events come first, in position order, then those in the arrays.
    IF staged THEN
        LOCK TABLE append_staging IN ACCESS EXCLUSIVE MODE;
        SELECT array_agg(s.position ORDER BY s.position), array_agg(s.stream ORDER BY s.position),
               array_agg(s.version ORDER BY s.position), array_agg(s.event_type ORDER BY s.position),
               array_agg(s.occurred_at ORDER BY s.position), array_agg(s.recorded_at ORDER BY s.position),
               array_agg(s.record ORDER BY s.position), array_agg(s.hash ORDER BY s.position)
            INTO staged_positions, staged_streams, staged_versions, staged_types, staged_occurred_at,
                 staged_recorded_at, staged_records, staged_hashes
            FROM append_staging s;
        TRUNCATE append_staging;
        IF staged_positions IS NOT NULL THEN
            new_positions := staged_positions || new_positions;
            new_streams := staged_streams || new_streams;
            new_versions := staged_versions || new_versions;
            new_event_types := staged_types || new_event_types;
            new_occurred_at := staged_occurred_at || new_occurred_at;
            new_recorded_at := staged_recorded_at || new_recorded_at;
            new_records := staged_records || new_records;
            new_hashes := staged_hashes || new_hashes;
        END IF;
    END IF;

    events_given := coalesce(cardinality(new_positions), 0);
    IF events_given > 0 THEN
        IF cardinality(new_streams) IS DISTINCT FROM events_given
           OR cardinality(new_versions) IS DISTINCT FROM events_given
           OR cardinality(new_event_types) IS DISTINCT FROM events_given
           OR cardinality(new_occurred_at) IS DISTINCT FROM events_given
           OR cardinality(new_recorded_at) IS DISTINCT FROM events_given
           OR cardinality(new_records) IS DISTINCT FROM events_given
           OR cardinality(new_hashes) IS DISTINCT FROM events_given THEN
            PERFORM smes_refuse_append(format('the %s events'' columns are not all of that length', events_given));
        END IF;
        -- Each row is checked as it is inserted, against its record and against the row before
        -- it, which the hashes and record times shifted by one (the head's first) put beside it;
        -- the i-th row must be at the i-th position after the head. The arrays are unnested in
        -- the select list, in step (all have one length), which streams their elements; in FROM
        -- they would first be copied into a tuple store.
        group_recorded_at := new_recorded_at[1];
        group_recorded_at_text := smes_record_time_text(group_recorded_at);
        INSERT INTO events (position, stream, version, event_type, occurred_at, recorded_at, record, hash)
            SELECT u.p, u.s, u.v, u.t, u.o, u.ra, u.rec, u.h
            FROM (SELECT x.*, convert_to(x.rec, 'UTF8') AS bytes
                  FROM (SELECT unnest(new_positions) AS p, unnest(new_streams) AS s, unnest(new_versions) AS v,
                               unnest(new_event_types) AS t, unnest(new_occurred_at) AS o,
                               unnest(new_recorded_at) AS ra, unnest(new_records) AS rec, unnest(new_hashes) AS h,
                               unnest((before_hash || new_hashes)[1:events_given]) AS previous_hash,
                               unnest((before_recorded_at || new_recorded_at)[1:events_given]) AS previous_recorded_at,
                               generate_series(1, events_given) AS i) x
                  OFFSET 0) u
            WHERE coalesce(smes_refuse_append(smes_event_problem(
                      before_position + u.i, u.previous_hash, u.previous_recorded_at,
                      u.p, u.s, u.v, u.t, u.o, u.ra, u.rec, u.h, u.bytes,
                      CASE WHEN u.ra = group_recorded_at THEN group_recorded_at_text
                           ELSE smes_record_time_text(u.ra) END)), true);
        head_position := before_position + events_given;

        -- Each row against the stream's previous event: the next version. The first event of a
        -- stream in this append follows the stream's version before it (version 1 needs no
        -- check: the unique (stream, version) key refuses it on a stream that has events).
        SELECT format('position %s: stream %s is at version %s before it, so version %s is refused',
                      before_position + x.i, x.s,
                      coalesce(x.previous_in_append,
                               (SELECT max(y.version) FROM events y
                                WHERE y.stream = x.s AND y.position <= before_position), 0),
                      x.v)
            INTO bad_detail
            FROM (SELECT u.i, u.s, u.v, lag(u.v) OVER (PARTITION BY u.s ORDER BY u.i) AS previous_in_append
                  FROM unnest(new_streams, new_versions) WITH ORDINALITY AS u(s, v, i)) x
            WHERE CASE WHEN x.previous_in_append IS NULL
                       THEN x.v <> 1 AND NOT coalesce(
                                (SELECT y.position <= before_position FROM events y
                                 WHERE y.stream = x.s AND y.version = x.v - 1), false)
                       ELSE x.v <> x.previous_in_append + 1 END
            ORDER BY x.i LIMIT 1;
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

-- CREATE OR REPLACE keeps the function's owner and grants but resets its attributes: it runs
-- with its owner's rights again, with the search path pinned to the schema it was created in
-- (temporary objects last, so none can stand in for a table), and only roles granted EXECUTE
-- may call it, as 20261207230000_append_through_functions.sql set.
DO $$
DECLARE
    writing REGPROCEDURE;
BEGIN
    FOR writing IN
        SELECT p.oid::regprocedure FROM pg_proc p
        WHERE p.pronamespace = (SELECT n.oid FROM pg_namespace n WHERE n.nspname = current_schema())
          AND p.proname IN ('smes_append_write')
    LOOP
        EXECUTE format('ALTER FUNCTION %s SECURITY DEFINER SET search_path = %I, pg_temp '
                       'SET max_parallel_workers_per_gather = 0 SET work_mem = ''64MB''',
                       writing, current_schema());
        EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', writing);
    END LOOP;
END;
$$;
