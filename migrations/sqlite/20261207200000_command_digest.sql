-- A command id is bound to its command: from now on the request digest of each entry in the
-- register is the SHA-256 of the command in canonical form (taken before its personal data is
-- sealed) when the caller gives one, so a retry whose sealed parts were encrypted afresh is the
-- same command, and another command under the same id is refused. Entries written before hold
-- the digest of their events, which differs on every retry of a command that seals personal
-- data: `binds_command` = 0 keeps them under the earlier rule (the same id on the same stream is
-- a retry). The writer sets it to 1 on every entry it registers; the default covers the entries
-- already there.
ALTER TABLE commands ADD COLUMN binds_command INTEGER NOT NULL DEFAULT 0 CHECK (binds_command IN (0, 1));
