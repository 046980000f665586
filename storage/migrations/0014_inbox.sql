-- Every update from Telegram, stored before Telegram is told it was received (polling:
-- before the next getUpdates confirms it; webhook: before the 200), replayed after a crash
-- until it is marked processed, and ignored if it comes again.
CREATE TABLE inbox (
    update_id     INTEGER PRIMARY KEY,
    payload       TEXT NOT NULL,       -- the update's JSON, as received
    received_at   TEXT NOT NULL,
    processed_at  TEXT
);
CREATE INDEX inbox_unprocessed ON inbox(update_id) WHERE processed_at IS NULL;
CREATE INDEX inbox_processed ON inbox(processed_at) WHERE processed_at IS NOT NULL;
