-- Twin of ../0037_instances.sql: instance leases, the outbox's claimed_by, the shared
-- send budget.
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;

CREATE TABLE instances (
    id          TEXT PRIMARY KEY,
    host        TEXT NOT NULL,
    pid         BIGINT NOT NULL,
    role        TEXT NOT NULL DEFAULT 'worker',
    started_at  TEXT NOT NULL,
    renewed_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);

CREATE TABLE send_pace (
    name     TEXT PRIMARY KEY,
    next_at  DOUBLE PRECISION NOT NULL
);

-- PostgreSQL only (tests/unit/test_pg_schema.py lists them): what the claim asks of
-- another instance's sends. A chat with a row in flight anywhere waits for it, and a
-- chat's next send keeps its interval from the last one, whichever instance sent it.
-- SQLite's one process knows both in memory and keeps its hottest write one index lighter.
CREATE INDEX outbox_chat_sending ON outbox(chat_id) WHERE status = 'sending';
CREATE INDEX outbox_chat_sent ON outbox(chat_id, sent_at) WHERE status = 'sent';
