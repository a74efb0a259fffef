-- The link index: a read model kept beside the log, derived from it and rebuildable at any time
-- (never part of the hash chain; rows are meant to be replaced and deleted). A row says that node
-- `from_node` reaches node `to_node`, first asserted by the event at `position`. Nodes are ids
-- only (stream names and pseudo-nodes), never personal data. Rows belong to a generation: the
-- live one, or one being built beside it. Nodes compare byte-wise (collation "C").
CREATE TABLE link_index (
    generation  BIGINT NOT NULL,
    from_node   TEXT COLLATE "C" NOT NULL,
    to_node     TEXT COLLATE "C" NOT NULL,
    position    BIGINT NOT NULL,                -- the first event that asserted the link
    PRIMARY KEY (generation, from_node, to_node)
);

-- Where the index stands: the live generation and the log position (with that event's hash)
-- whose links it holds, all NULL until a generation is made live; and the greatest generation
-- number handed out, so that a new build never reuses one. Every link-index write locks this
-- row first (SELECT … FOR UPDATE).
CREATE TABLE link_index_head (
    id               INTEGER PRIMARY KEY CHECK (id = 1),
    live_generation  BIGINT,
    position         BIGINT,
    hash             BYTEA CHECK (hash IS NULL OR octet_length(hash) = 32),
    last_generation  BIGINT NOT NULL,
    CHECK ((live_generation IS NULL) = (position IS NULL) AND (position IS NULL) = (hash IS NULL))
);
INSERT INTO link_index_head (id, live_generation, position, hash, last_generation) VALUES (1, NULL, NULL, NULL, 0);
