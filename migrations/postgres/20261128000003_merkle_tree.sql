-- The RFC 6962 Merkle tree over the log. Leaf i is SHA-256(0x00 || hash of the event at
-- position i + 1). Perfect subtrees of 256 leaves or more are kept here as they complete;
-- smaller ones are hashed on demand from the events' hashes.
CREATE TABLE merkle_nodes (
    level  INTEGER NOT NULL,                          -- log2 of the number of leaves (>= 8)
    idx    BIGINT  NOT NULL,                          -- first leaf >> level
    hash   BYTEA   NOT NULL CHECK (octet_length(hash) = 32),
    PRIMARY KEY (level, idx)
);

-- The right edge of the tree (one subtree hash per set bit of its size, largest first), saved
-- whenever a stored subtree completes: at most 255 leaves, hashed from the events, lie beyond it.
CREATE TABLE merkle_frontier (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    size      BIGINT  NOT NULL,
    subtrees  BYTEA   NOT NULL
);
INSERT INTO merkle_frontier (id, size, subtrees) VALUES (1, 0, '\x'::bytea);

CREATE TRIGGER merkle_nodes_refuse_update BEFORE UPDATE ON merkle_nodes FOR EACH ROW
    EXECUTE FUNCTION smes_refuse_change('Merkle nodes are append-only: %s is refused');
CREATE TRIGGER merkle_nodes_refuse_delete BEFORE DELETE ON merkle_nodes FOR EACH ROW
    EXECUTE FUNCTION smes_refuse_change('Merkle nodes are append-only: %s is refused');
CREATE TRIGGER merkle_nodes_refuse_truncate BEFORE TRUNCATE ON merkle_nodes FOR EACH STATEMENT
    EXECUTE FUNCTION smes_refuse_change('Merkle nodes are append-only: %s is refused');
CREATE TRIGGER merkle_frontier_refuse_delete BEFORE DELETE ON merkle_frontier FOR EACH ROW
    EXECUTE FUNCTION smes_refuse_change('the Merkle frontier cannot be deleted (%s refused)');
CREATE TRIGGER merkle_frontier_refuse_truncate BEFORE TRUNCATE ON merkle_frontier FOR EACH STATEMENT
    EXECUTE FUNCTION smes_refuse_change('the Merkle frontier cannot be deleted (%s refused)');
