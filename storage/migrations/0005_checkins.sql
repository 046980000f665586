-- Daily check-ins: one per member per local day; answers as JSON keyed by question id, so
-- a form changed later does not break what was stored.
CREATE TABLE checkins (
    id          INTEGER PRIMARY KEY,
    member_id   INTEGER NOT NULL REFERENCES members(id),
    unit_id     INTEGER NOT NULL REFERENCES units(id),  -- the member's unit that day
    day         TEXT NOT NULL,                          -- local date, YYYY-MM-DD
    answers     TEXT NOT NULL,
    excused     INTEGER NOT NULL DEFAULT 0,
    flagged     INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    UNIQUE (member_id, day)
);
CREATE INDEX checkins_day_unit ON checkins(day, unit_id);
