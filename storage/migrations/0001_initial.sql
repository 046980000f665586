-- Organisation tree, members, roles, invites, join requests, audit log and PTB persistence.

CREATE TABLE units (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    parent_id   INTEGER REFERENCES units(id),
    -- Materialised path of ids, '/1/7/42/': a subtree is one indexed prefix scan.
    path        TEXT NOT NULL UNIQUE,
    depth       INTEGER NOT NULL,
    timezone    TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX units_parent ON units(parent_id);

CREATE TABLE members (
    id            INTEGER PRIMARY KEY,
    telegram_id   INTEGER UNIQUE,
    display_name  TEXT NOT NULL,
    username      TEXT,
    language      TEXT NOT NULL DEFAULT 'en',
    unit_id       INTEGER NOT NULL REFERENCES units(id),
    active        INTEGER NOT NULL DEFAULT 1,
    joined_at     TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX members_unit ON members(unit_id, active);
CREATE INDEX members_username ON members(username COLLATE NOCASE);

-- Being a member of one's unit is implied by members.unit_id; roles hold the rest.
CREATE TABLE roles (
    member_id   INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    role        TEXT NOT NULL CHECK (role IN ('secretary', 'coordinator')),
    granted_at  TEXT NOT NULL,
    PRIMARY KEY (member_id, unit_id, role)
);
CREATE INDEX roles_unit ON roles(unit_id, role);

CREATE TABLE invites (
    id                 INTEGER PRIMARY KEY,
    token_hash         TEXT NOT NULL UNIQUE,
    unit_id            INTEGER NOT NULL REFERENCES units(id),
    role               TEXT NOT NULL CHECK (role IN ('member', 'secretary', 'coordinator')),
    max_uses           INTEGER,
    uses               INTEGER NOT NULL DEFAULT 0,
    expires_at         TEXT NOT NULL,
    requires_approval  INTEGER NOT NULL DEFAULT 0,
    created_by         INTEGER REFERENCES members(id),
    created_at         TEXT NOT NULL,
    revoked_at         TEXT
);
CREATE INDEX invites_unit ON invites(unit_id);

CREATE TABLE join_requests (
    id            INTEGER PRIMARY KEY,
    invite_id     INTEGER NOT NULL REFERENCES invites(id),
    telegram_id   INTEGER NOT NULL,
    display_name  TEXT NOT NULL,
    username      TEXT,
    language      TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'approved', 'rejected')),
    created_at    TEXT NOT NULL,
    decided_by    INTEGER REFERENCES members(id),
    decided_at    TEXT
);
CREATE UNIQUE INDEX join_requests_one_pending
    ON join_requests(telegram_id, invite_id) WHERE status = 'pending';

CREATE TABLE audit_log (
    id                 INTEGER PRIMARY KEY,
    at                 TEXT NOT NULL,
    actor_telegram_id  INTEGER,
    action             TEXT NOT NULL,
    outcome            TEXT NOT NULL CHECK (outcome IN ('ok', 'denied')),
    unit_id            INTEGER REFERENCES units(id),
    detail             TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log(at);

-- PTB persistence (JSON documents): conversations and per-user data survive a restart.
CREATE TABLE ptb_conversations (
    name   TEXT NOT NULL,
    key    TEXT NOT NULL,
    state  TEXT NOT NULL,
    PRIMARY KEY (name, key)
);
CREATE TABLE ptb_user_data (
    user_id  INTEGER PRIMARY KEY,
    data     TEXT NOT NULL
);
CREATE TABLE ptb_chat_data (
    chat_id  INTEGER PRIMARY KEY,
    data     TEXT NOT NULL
);
