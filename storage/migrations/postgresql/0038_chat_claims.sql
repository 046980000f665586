-- The twin of storage/migrations/0038_chat_claims.sql: which instance handles which chat's
-- updates (see there).
ALTER TABLE inbox ADD COLUMN chat_key BIGINT;
CREATE INDEX inbox_unprocessed_chat ON inbox(chat_key, update_id) WHERE processed_at IS NULL;
CREATE TABLE chat_claims (
    chat_key  BIGINT PRIMARY KEY,
    instance  TEXT NOT NULL,
    until     TEXT NOT NULL
);
CREATE INDEX chat_claims_instance ON chat_claims(instance);
