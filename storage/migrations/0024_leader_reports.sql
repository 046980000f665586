-- The leaders' daily report (issue #17): one report per form, unit and local day, filed by
-- whoever of the unit's role holders submits first and changeable until the form's due time.

CREATE TABLE leader_reports (
    id          INTEGER PRIMARY KEY,
    form        TEXT NOT NULL,                          -- the configured form's id
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    day         TEXT NOT NULL,                          -- the unit's local day
    member_id   INTEGER REFERENCES members(id),         -- who filed or last changed it
    answers     TEXT NOT NULL,                          -- JSON, by question id
    filed_at    TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    -- the day first: a day's reports of a form, and retention's pass over old days
    UNIQUE (day, form, unit_id)
);

-- Each reminder, escalation and digest of a form, once per timezone and day: the schedule
-- claims its slot in the transaction that queues the messages, so a restart repeats nothing.
CREATE TABLE leader_report_runs (
    form      TEXT NOT NULL,
    timezone  TEXT NOT NULL,
    day       TEXT NOT NULL,
    slot      TEXT NOT NULL,
    done_at   TEXT NOT NULL,
    PRIMARY KEY (form, timezone, day, slot)
);
