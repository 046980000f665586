-- Leave: days on which a member is excused from checking in and is not reminded.
CREATE TABLE leave (
    id            INTEGER PRIMARY KEY,
    member_id     INTEGER NOT NULL REFERENCES members(id),
    first_day     TEXT NOT NULL,  -- local dates, inclusive
    last_day      TEXT NOT NULL,
    reason        TEXT NOT NULL,  -- a checkin.leave_reasons id
    recorded_by   INTEGER REFERENCES members(id),
    created_at    TEXT NOT NULL,
    cancelled_at  TEXT
);
CREATE INDEX leave_member ON leave(member_id, last_day);
