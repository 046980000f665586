-- Grid duty. A grid (street, community, village) belongs to a unit; a shift puts one
-- member on one grid for a span of time. The shift row is also the schedule: each step
-- (ask to confirm, remind, cut-off, start prompt, no-show, end prompt) is a timestamp
-- column set once when it is done, so a restart neither repeats nor skips a step.
CREATE TABLE grids (
    id          INTEGER PRIMARY KEY,
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    lat         REAL,             -- optional centre (WGS84) and radius
    lon         REAL,
    radius_m    INTEGER,
    active      INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX grids_unit ON grids(unit_id);

CREATE TABLE shifts (
    id                  INTEGER PRIMARY KEY,
    grid_id             INTEGER NOT NULL REFERENCES grids(id),
    unit_id             INTEGER NOT NULL REFERENCES units(id),  -- the grid's unit
    member_id           INTEGER REFERENCES members(id),  -- NULL while open for cover
    starts_at           TEXT NOT NULL,   -- instants (UTC)
    ends_at             TEXT NOT NULL,
    day                 TEXT NOT NULL,   -- local date of the start, YYYY-MM-DD
    -- assigned → confirmed → started → completed; or declined/unconfirmed → open (cover
    -- needed) → confirmed (covered); or no_show; or cancelled.
    status              TEXT NOT NULL DEFAULT 'assigned',
    series_id           INTEGER,         -- weekly repeats share the first shift's id
    created_by          INTEGER REFERENCES members(id),
    created_at          TEXT NOT NULL,
    confirm_asked_at    TEXT,
    reminded_at         TEXT,
    confirmed_at        TEXT,
    declined_at         TEXT,
    decline_reason      TEXT,
    declined_member_id  INTEGER REFERENCES members(id),
    cover_opened_at     TEXT,
    covered_at          TEXT,
    start_prompted_at   TEXT,
    started_at          TEXT,
    start_lat           REAL,
    start_lon           REAL,
    start_distance_m    INTEGER,         -- from the grid's centre, when both are known
    end_prompted_at     TEXT,
    ended_at            TEXT,
    report              TEXT,            -- JSON answers keyed by question id
    no_show_at          TEXT,
    cancelled_at        TEXT
);
CREATE INDEX shifts_status_start ON shifts(status, starts_at);
CREATE INDEX shifts_member_start ON shifts(member_id, starts_at);
CREATE INDEX shifts_unit_day ON shifts(unit_id, day);
CREATE INDEX shifts_grid_day ON shifts(grid_id, day);

-- Who was offered an open shift (so they can be told it was taken).
CREATE TABLE cover_offers (
    shift_id    INTEGER NOT NULL REFERENCES shifts(id),
    member_id   INTEGER NOT NULL REFERENCES members(id),
    offered_at  TEXT NOT NULL,
    PRIMARY KEY (shift_id, member_id)
);

-- Reported while on duty: sent to the secretary at once and kept for the summary.
CREATE TABLE incidents (
    id             INTEGER PRIMARY KEY,
    shift_id       INTEGER NOT NULL REFERENCES shifts(id),
    member_id      INTEGER NOT NULL REFERENCES members(id),
    unit_id        INTEGER NOT NULL REFERENCES units(id),
    day            TEXT NOT NULL,
    at             TEXT NOT NULL,
    text           TEXT,
    photo_file_id  TEXT,
    lat            REAL,
    lon            REAL
);
CREATE INDEX incidents_unit_day ON incidents(unit_id, day);
