-- Fallback channels (issue #18): email over SMTP and an HTTP (SMS) gateway, drained from
-- the outbox with the same guarantees as Telegram's rows, in a lane of their own.
-- A row's channel ('telegram', 'email', 'gateway') and, off Telegram, the address it goes
-- to (an email address or an E.164 number: personal data, erased with its person).
ALTER TABLE outbox ADD COLUMN channel TEXT NOT NULL DEFAULT 'telegram';
ALTER TABLE outbox ADD COLUMN address TEXT;
-- Each lane claims its own pending rows: Telegram's claim must not walk a channel's queue.
DROP INDEX outbox_due;
CREATE INDEX outbox_due ON outbox(channel, priority, next_attempt_at) WHERE status = 'pending';

-- When a directive's fallback fired (once; the rows below were queued in that transaction).
ALTER TABLE directives ADD COLUMN fallback_at TEXT;

-- Who got a directive by a fallback channel, one row per directive and register entry,
-- and how they answered without Telegram. Its outbox row carries the entry in its payload.
CREATE TABLE fallback_recipients (
    directive_id   INTEGER NOT NULL REFERENCES directives(id),
    entry_id       INTEGER NOT NULL REFERENCES register_entries(id),
    -- The member, when the person joined (blocked the bot, or silent).
    member_id      INTEGER REFERENCES members(id),
    channel        TEXT NOT NULL,
    -- The SMS reply code ("reply 4821 to acknowledge"), matched with the sender's number.
    code           TEXT NOT NULL,
    acked_at       TEXT,
    answer_choice  INTEGER,
    -- How the acknowledgement came: 'email' (the signed link) or 'gateway' (a reply code).
    via            TEXT,
    PRIMARY KEY (directive_id, entry_id)
);
CREATE INDEX fallback_recipients_code ON fallback_recipients(code, acked_at);
