-- Directives, their recipients and acknowledgements, and the outbox every bulk send goes through.

ALTER TABLE members ADD COLUMN unreachable_since TEXT;  -- set on 403 / chat not found

CREATE TABLE directives (
    id                   INTEGER PRIMARY KEY,
    author_member_id     INTEGER REFERENCES members(id),
    author_telegram_id   INTEGER NOT NULL,
    from_unit_id         INTEGER NOT NULL REFERENCES units(id),  -- shown as "Directive from …"
    text                 TEXT NOT NULL,        -- Telegram HTML
    attachment_kind      TEXT CHECK (attachment_kind IN ('photo', 'document')),
    attachment_file_id   TEXT,
    attachment_name      TEXT,
    ack_required         INTEGER NOT NULL DEFAULT 0,
    ack_deadline         TEXT,
    send_at              TEXT NOT NULL,
    status               TEXT NOT NULL
                         CHECK (status IN ('scheduled', 'sending', 'sent', 'cancelled')),
    recipients           INTEGER NOT NULL DEFAULT 0,
    progress_chat_id     INTEGER,
    progress_message_id  INTEGER,
    progress_text        TEXT,
    reminded_at          TEXT,
    escalated_at         TEXT,
    created_at           TEXT NOT NULL,
    finished_at          TEXT,
    cancelled_at         TEXT
);
CREATE INDEX directives_status ON directives(status, send_at);

-- Selected targets: a unit with everything below it, or the unit alone.
CREATE TABLE directive_targets (
    directive_id  INTEGER NOT NULL REFERENCES directives(id),
    unit_id       INTEGER NOT NULL REFERENCES units(id),
    subtree       INTEGER NOT NULL,
    PRIMARY KEY (directive_id, unit_id)
);

-- Who a directive went to (fixed when sending starts), and who acknowledged it when.
CREATE TABLE directive_recipients (
    directive_id  INTEGER NOT NULL REFERENCES directives(id),
    member_id     INTEGER NOT NULL REFERENCES members(id),
    unit_id       INTEGER NOT NULL REFERENCES units(id),
    acked_at      TEXT,
    PRIMARY KEY (directive_id, member_id)
);
CREATE INDEX directive_recipients_unit ON directive_recipients(unit_id, directive_id);

-- Everything sent in bulk or on a schedule: drained by one worker under Telegram's limits.
-- Lower priority numbers go first, so reminders and summaries overtake a large directive.
CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY,
    kind             TEXT NOT NULL,
    chat_id          INTEGER NOT NULL,
    member_id        INTEGER REFERENCES members(id),
    directive_id     INTEGER REFERENCES directives(id),
    priority         INTEGER NOT NULL,
    payload          TEXT NOT NULL DEFAULT '{}',
    status           TEXT NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'sending', 'sent', 'unreachable', 'failed',
                                       'cancelled')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT NOT NULL,
    message_id       INTEGER,
    sent_at          TEXT,
    error            TEXT,
    created_at       TEXT NOT NULL
);
CREATE INDEX outbox_due ON outbox(status, priority, next_attempt_at);
CREATE INDEX outbox_directive ON outbox(directive_id, kind, status);
CREATE INDEX outbox_member ON outbox(member_id);
