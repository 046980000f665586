-- Questions (issue #16): a directive may ask for one of a few answers, perhaps with a
-- number or a reason; answers roll up the tree as headcounts per unit.

-- What it asks, as JSON (bot/directives/questions.py); NULL: ✅ only, as before. A question
-- rides on the acknowledgement machinery: it is sent with ack_required = 1 and a deadline,
-- and an answer acknowledges (acked_at), so reminders and escalations chase exactly those
-- who answered nothing.
ALTER TABLE directives ADD COLUMN question TEXT;

-- A recipient's current answer, on their recipient row: the roll-up reads it there, and
-- that row's unit_id was fixed when sending started, so a member moved later still
-- counts in the unit where they were when asked (the headcount the author watches does
-- not shift under them while people are moved). The choice is an index into the
-- question's choices; answered_at is the latest press or follow-up.
ALTER TABLE directive_recipients ADD COLUMN answer_choice INTEGER;
ALTER TABLE directive_recipients ADD COLUMN answer_number INTEGER;
ALTER TABLE directive_recipients ADD COLUMN answer_reason TEXT;
ALTER TABLE directive_recipients ADD COLUMN answered_at TEXT;
-- Erasing a member, or retention, blanks reasons (storage/privacy.py): the few rows that
-- hold one are found without reading every recipient.
CREATE INDEX directive_recipients_reason ON directive_recipients(member_id, answered_at)
WHERE answer_reason IS NOT NULL;

-- Every press and change (history kept; the current one is on the recipient row). Written
-- by the trigger below, so recording an answer stays one statement.
CREATE TABLE directive_answers (
    id            INTEGER PRIMARY KEY,
    directive_id  INTEGER NOT NULL REFERENCES directives(id),
    member_id     INTEGER NOT NULL REFERENCES members(id),
    choice        INTEGER NOT NULL,
    number        INTEGER,
    reason        TEXT,
    at            TEXT NOT NULL
);
CREATE INDEX directive_answers_member ON directive_answers(directive_id, member_id, id);
CREATE INDEX directive_answers_erase ON directive_answers(member_id);
CREATE INDEX directive_answers_reason ON directive_answers(at) WHERE reason IS NOT NULL;

-- A new choice, number or time is a new row; a reason blanked (erasure) is not.
CREATE TRIGGER directive_answers_kept
AFTER UPDATE OF answer_choice, answer_number, answer_reason, answered_at ON directive_recipients
WHEN NEW.answer_choice IS NOT NULL AND (OLD.answer_choice IS NOT NEW.answer_choice
    OR OLD.answer_number IS NOT NEW.answer_number OR OLD.answered_at IS NOT NEW.answered_at
    OR (NEW.answer_reason IS NOT NULL AND OLD.answer_reason IS NOT NEW.answer_reason))
BEGIN
    INSERT INTO directive_answers (directive_id, member_id, choice, number, reason, at)
    VALUES (NEW.directive_id, NEW.member_id, NEW.answer_choice, NEW.answer_number,
            NEW.answer_reason, COALESCE(NEW.answered_at, ''));
END;

-- Current answers per directive, recipient's unit and choice, with the sum of their
-- numbers: the headcount reads these (a few rows a unit) instead of every recipient.
-- Kept by triggers in the statement that changes an answer, like migration 0012's
-- directive_counts (which give the recipients per unit).
CREATE TABLE answer_counts (
    directive_id  INTEGER NOT NULL,
    unit_id       INTEGER NOT NULL,
    choice        INTEGER NOT NULL,
    members       INTEGER NOT NULL,
    number_sum    INTEGER NOT NULL,
    PRIMARY KEY (directive_id, unit_id, choice)
) WITHOUT ROWID;

CREATE TRIGGER answer_counts_in AFTER INSERT ON directive_recipients
WHEN NEW.answer_choice IS NOT NULL
BEGIN
    INSERT INTO answer_counts (directive_id, unit_id, choice, members, number_sum)
    VALUES (NEW.directive_id, NEW.unit_id, NEW.answer_choice, 1, COALESCE(NEW.answer_number, 0))
    ON CONFLICT (directive_id, unit_id, choice) DO UPDATE
    SET members = members + 1, number_sum = number_sum + excluded.number_sum;
END;

CREATE TRIGGER answer_counts_out AFTER DELETE ON directive_recipients
WHEN OLD.answer_choice IS NOT NULL
BEGIN
    UPDATE answer_counts SET members = members - 1,
    number_sum = number_sum - COALESCE(OLD.answer_number, 0)
    WHERE directive_id = OLD.directive_id AND unit_id = OLD.unit_id
    AND choice = OLD.answer_choice;
END;

CREATE TRIGGER answer_counts_changed
AFTER UPDATE OF directive_id, unit_id, answer_choice, answer_number ON directive_recipients
WHEN OLD.answer_choice IS NOT NEW.answer_choice OR OLD.answer_number IS NOT NEW.answer_number
    OR OLD.unit_id IS NOT NEW.unit_id OR OLD.directive_id IS NOT NEW.directive_id
BEGIN
    UPDATE answer_counts SET members = members - 1,
    number_sum = number_sum - COALESCE(OLD.answer_number, 0)
    WHERE OLD.answer_choice IS NOT NULL AND directive_id = OLD.directive_id
    AND unit_id = OLD.unit_id AND choice = OLD.answer_choice;
    INSERT INTO answer_counts (directive_id, unit_id, choice, members, number_sum)
    SELECT NEW.directive_id, NEW.unit_id, NEW.answer_choice, 1, COALESCE(NEW.answer_number, 0)
    WHERE NEW.answer_choice IS NOT NULL
    ON CONFLICT (directive_id, unit_id, choice) DO UPDATE
    SET members = members + 1, number_sum = number_sum + excluded.number_sum;
END;
