-- The RFC 6962 Merkle tree over the log. Leaf i is SHA-256(0x00 || hash of the event at
-- position i + 1). Perfect subtrees of 256 leaves or more are kept here as they complete;
-- smaller ones are hashed on demand from the events' hashes.
CREATE TABLE merkle_nodes (
    level  INTEGER NOT NULL,                          -- log2 of the number of leaves (>= 8)
    idx    INTEGER NOT NULL,                          -- first leaf >> level
    hash   BLOB    NOT NULL CHECK (length(hash) = 32),
    PRIMARY KEY (level, idx)
) STRICT, WITHOUT ROWID;

-- The right edge of the tree (one subtree hash per set bit of its size, largest first), saved
-- whenever a stored subtree completes: at most 255 leaves, hashed from the events, lie beyond it.
CREATE TABLE merkle_frontier (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    size      INTEGER NOT NULL,
    subtrees  BLOB    NOT NULL
) STRICT;
INSERT INTO merkle_frontier (id, size, subtrees) VALUES (1, 0, x'');

CREATE TRIGGER merkle_nodes_refuse_update BEFORE UPDATE ON merkle_nodes
BEGIN SELECT RAISE(ABORT, 'Merkle nodes are append-only: UPDATE is refused'); END;
CREATE TRIGGER merkle_nodes_refuse_delete BEFORE DELETE ON merkle_nodes
BEGIN SELECT RAISE(ABORT, 'Merkle nodes are append-only: DELETE is refused'); END;
CREATE TRIGGER merkle_frontier_refuse_delete BEFORE DELETE ON merkle_frontier
BEGIN SELECT RAISE(ABORT, 'the Merkle frontier cannot be deleted'); END;
