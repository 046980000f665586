-- Coordinators' summaries. A run row is written in the transaction that queues the
-- summary, so a committee gets one summary per kind and period, also across restarts.
CREATE TABLE summary_runs (
    unit_id  INTEGER NOT NULL REFERENCES units(id),
    kind     TEXT NOT NULL CHECK (kind IN ('daily', 'weekly')),
    period   TEXT NOT NULL,   -- the local day (daily) or the week's last day (weekly)
    due_at   TEXT NOT NULL,
    done_at  TEXT NOT NULL,
    PRIMARY KEY (unit_id, kind, period)
);

-- A group chat registered to receive a committee's summaries too.
CREATE TABLE summary_chats (
    unit_id        INTEGER NOT NULL REFERENCES units(id),
    chat_id        INTEGER NOT NULL,
    registered_by  INTEGER REFERENCES members(id),
    registered_at  TEXT NOT NULL,
    PRIMARY KEY (unit_id, chat_id)
);

