-- Flags are cases (issue #17): one case per flagged answer of a check-in, followed up by
-- the secretary (handled, with an optional note) or passed up the tree (escalated).

CREATE TABLE flag_cases (
    id            INTEGER PRIMARY KEY,
    checkin_id    INTEGER NOT NULL REFERENCES checkins(id),
    question      TEXT NOT NULL,                          -- the flagged question's id
    member_id     INTEGER NOT NULL REFERENCES members(id),
    unit_id       INTEGER NOT NULL REFERENCES units(id),  -- the member's unit that day
    day           TEXT NOT NULL,                          -- the check-in's local day
    opened_at     TEXT NOT NULL,
    state         TEXT NOT NULL DEFAULT 'open',           -- open, escalated, handled, withdrawn
    -- Who holds it now: the people with rung_role on rung_unit_id; level counts the
    -- climbs. moved_at (opened or last escalated) starts the wait before the next climb.
    level         INTEGER NOT NULL DEFAULT 0,
    rung_unit_id  INTEGER REFERENCES units(id),
    rung_role     TEXT,
    moved_at      TEXT NOT NULL,
    escalated_by  INTEGER REFERENCES members(id),         -- NULL: by itself (or never)
    top           INTEGER NOT NULL DEFAULT 0,             -- no rung above: climbs no more
    handled_by    INTEGER REFERENCES members(id),
    handled_at    TEXT,                                   -- or withdrawn: closed, either way
    note          TEXT,
    UNIQUE (checkin_id, question)
);
-- What is open (handled_at IS NULL: the tick, /flags, the summary) and what closed after a
-- moment (a past day's summary): none of them reads the cases closed long ago, which pile up.
CREATE INDEX flag_cases_closed ON flag_cases(handled_at);
CREATE INDEX flag_cases_member ON flag_cases(member_id);

-- A member who edits the day's check-in so that nothing is flagged any more takes the flag
-- back: its cases still open are withdrawn (and audited) in the statement that saves the
-- edit, so the fast path of an unflagged check-in stays one statement. A check-in still
-- flagged, but on other questions, is sorted out by the service in its transaction.
CREATE TRIGGER flag_cases_withdrawn AFTER UPDATE OF flagged ON checkins
WHEN OLD.flagged = 1 AND NEW.flagged = 0
BEGIN
    INSERT INTO audit_log (at, actor_telegram_id, action, outcome, unit_id, detail)
    SELECT NEW.updated_at, m.telegram_id, 'flag_withdrawn', 'ok', c.unit_id, 'case ' || c.id
    FROM flag_cases c JOIN members m ON m.id = c.member_id
    WHERE c.checkin_id = NEW.id AND c.handled_at IS NULL;
    UPDATE flag_cases SET state = 'withdrawn', handled_at = NEW.updated_at
    WHERE checkin_id = NEW.id AND handled_at IS NULL;
END;
