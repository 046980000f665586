-- Several Muster instances on one PostgreSQL (issue #20): each registers itself with a
-- lease it renews while alive, and stamps the outbox rows it claims with its id, so that
-- recovery takes back only the rows of an instance whose lease ran out, never a live
-- one's in flight. SQLite (one process) keeps taking back everything at start and never
-- writes these; the tables are here so that both stores have one schema.
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;

CREATE TABLE instances (
    id          TEXT PRIMARY KEY,
    host        TEXT NOT NULL,
    pid         INTEGER NOT NULL,
    role        TEXT NOT NULL DEFAULT 'worker',
    started_at  TEXT NOT NULL,
    renewed_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);

-- The bot's overall send budget shared by the instances: the earliest moment (seconds
-- since the epoch) the next send may go; each grant moves it on by one send's share of a
-- second (bot/delivery/lease.py, SharedBudget).
CREATE TABLE send_pace (
    name     TEXT PRIMARY KEY,
    next_at  REAL NOT NULL
);
