-- Bearer tokens of the HTTP API. Only a token's SHA-256 hash is kept, never the token, with the
-- name it was created under, the role it grants and the pseudonymous actor id that commands sent
-- with it record. A revoked token keeps its row (and its name) with the time it was revoked.
CREATE TABLE api_tokens (
    name        TEXT    PRIMARY KEY,
    token_hash  TEXT    NOT NULL UNIQUE,        -- hex SHA-256 of the token
    role        TEXT    NOT NULL CHECK (role IN ('secretariat', 'auditor', 'observer')),
    actor       TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,               -- microseconds since 1970 UTC
    revoked_at  INTEGER                         -- microseconds since 1970 UTC, NULL while valid
) STRICT, WITHOUT ROWID;
