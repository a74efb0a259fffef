-- A command id is bound to its command: from now on the request digest of each entry in the
-- register is the SHA-256 of the command in canonical form (taken before its personal data is
-- sealed) when the caller gives one, so a retry whose sealed parts were encrypted afresh is the
-- same command, and another command under the same id is refused. Entries written before hold
-- the digest of their events, which differs on every retry of a command that seals personal
-- data: `binds_command` false keeps them under the earlier rule (the same id on the same stream
-- is a retry). Adding the column with the default false marks every entry already there; the
-- default then becomes true, so every entry the writers register from now on (they do not name
-- the column) binds its command, and only a copy of a log names it, to keep the source's value.
ALTER TABLE commands ADD COLUMN binds_command BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE commands ALTER COLUMN binds_command SET DEFAULT true;
