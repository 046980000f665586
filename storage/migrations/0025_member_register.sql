-- The member register: the people each unit expects, joined or not (issue #18).
-- phone and email are personal data: erased with the member (storage/privacy.py).
CREATE TABLE register_entries (
    id           INTEGER PRIMARY KEY,
    unit_id      INTEGER NOT NULL REFERENCES units(id),
    name         TEXT NOT NULL,
    phone        TEXT,
    email        TEXT,
    external_id  TEXT UNIQUE,
    -- The member who joined through the entry's personal invite.
    member_id    INTEGER UNIQUE REFERENCES members(id),
    -- The personal invite, stored hashed like every invite token.
    invite_hash  TEXT UNIQUE,
    active       INTEGER NOT NULL DEFAULT 1,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX register_entries_unit ON register_entries(unit_id, active);
