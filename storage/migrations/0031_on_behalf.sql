-- On behalf (issue #18): a secretary who reached a silent member by phone records what
-- they said (acknowledged, answered) or that they could not be reached. It counts as the
-- member's answer, marked with who recorded it.

-- Who recorded the current acknowledgement or answer by phone (NULL: the member, on
-- Telegram or a fallback channel); the member's own later answer clears it.
ALTER TABLE directive_recipients ADD COLUMN on_behalf_by INTEGER REFERENCES members(id);
-- "Could not be reached", with the secretary's reason; it counts only while silent.
ALTER TABLE directive_recipients ADD COLUMN unreached TEXT;

-- Every phone record (history kept; the current one is on the recipient row), and
-- whether the member has been told of it (they are, the next time they write to the bot).
CREATE TABLE directive_phone (
    id            INTEGER PRIMARY KEY,
    directive_id  INTEGER NOT NULL REFERENCES directives(id),
    member_id     INTEGER NOT NULL REFERENCES members(id),
    by_member_id  INTEGER REFERENCES members(id),
    outcome       TEXT NOT NULL CHECK (outcome IN ('acknowledged', 'answered', 'unreached')),
    choice        INTEGER,
    number        INTEGER,
    reason        TEXT,
    at            TEXT NOT NULL,
    told_at       TEXT
);
CREATE INDEX directive_phone_member ON directive_phone(directive_id, member_id);
CREATE INDEX directive_phone_untold ON directive_phone(member_id) WHERE told_at IS NULL;
CREATE INDEX directive_phone_erase ON directive_phone(by_member_id);

-- The answers' history says which were recorded on behalf.
ALTER TABLE directive_answers ADD COLUMN on_behalf_by INTEGER;
DROP TRIGGER directive_answers_kept;
CREATE TRIGGER directive_answers_kept
AFTER UPDATE OF answer_choice, answer_number, answer_reason, answered_at ON directive_recipients
WHEN NEW.answer_choice IS NOT NULL AND (OLD.answer_choice IS NOT NEW.answer_choice
    OR OLD.answer_number IS NOT NEW.answer_number OR OLD.answered_at IS NOT NEW.answered_at
    OR (NEW.answer_reason IS NOT NULL AND OLD.answer_reason IS NOT NEW.answer_reason))
BEGIN
    INSERT INTO directive_answers (directive_id, member_id, choice, number, reason, at,
                                   on_behalf_by)
    VALUES (NEW.directive_id, NEW.member_id, NEW.answer_choice, NEW.answer_number,
            NEW.answer_reason, COALESCE(NEW.answered_at, ''), NEW.on_behalf_by);
END;
