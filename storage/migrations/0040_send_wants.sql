-- Replies first across instances (bot/delivery/lease.py, SharedBudget): a reply to a
-- person that finds its window full says so here, until a moment a little ahead that it
-- moves on while it waits; the other instances' outbox sends take no row of that window
-- meanwhile, so the next row to come free is the reply's, as one instance's pacer gives
-- it. SQLite's one process never writes it.
CREATE TABLE send_wants (
    budget  TEXT PRIMARY KEY,
    until   REAL NOT NULL   -- seconds since the epoch
);
