-- Personal data keys: one 256-bit key per person, outside the events table. Envelopes in event
-- payloads name a key by `key_id`. Unlike the log, these rows are meant to be deleted: deleting
-- a person's key ("forgetting") leaves their envelopes in the hash-chained log but unreadable.
CREATE TABLE personal_data_keys (
    person      TEXT    PRIMARY KEY,            -- the person's id (UUID)
    key_id      TEXT    NOT NULL UNIQUE,        -- named by sealed envelopes
    key         BYTEA   NOT NULL CHECK (octet_length(key) = 32),
    created_at  BIGINT  NOT NULL                -- microseconds since 1970 UTC
);

-- Actors: the pseudonymous ids carried in event metadata, with their names sealed under the
-- actor's own person key (forgetting the person erases the name).
CREATE TABLE actors (
    actor       TEXT PRIMARY KEY,               -- `actor-<uuid>`
    person      TEXT NOT NULL,
    key_id      TEXT NOT NULL,
    nonce       TEXT NOT NULL,
    ciphertext  TEXT NOT NULL
);
