-- Several instances sharing one PostgreSQL (webhook mode): each update is stored with the
-- chat it belongs to (its chat, else its sender, else 0), and a chat's unprocessed updates
-- are handled by the one instance that claims the chat, until it has none in hand or its
-- claim runs out (a dead instance's, renewed no more). One process on SQLite never claims:
-- the column stays NULL and the table empty.
ALTER TABLE inbox ADD COLUMN chat_key INTEGER;
CREATE INDEX inbox_unprocessed_chat ON inbox(chat_key, update_id) WHERE processed_at IS NULL;
CREATE TABLE chat_claims (
    chat_key  INTEGER PRIMARY KEY,
    instance  TEXT NOT NULL,
    until     TEXT NOT NULL   -- renewed every second or so while the instance lives
);
CREATE INDEX chat_claims_instance ON chat_claims(instance);
