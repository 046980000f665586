-- Reach per unit (issue #18; README "Reach per unit" defines the figures), kept per unit by
-- triggers as migration 0012 keeps unit_member_counts: reading it for a summary is a row
-- per unit, where joining 200,000 register entries to their members took half a second.
--
-- reach_people is every person a unit expects, as the definitions say it: each active
-- register entry (in the entry's unit; joined when a Telegram account is linked, on
-- Telegram when that member is active and not known to have blocked the bot) and each
-- active member on no active entry (in the member's unit, joined, no address). Whether a
-- channel takes an email or a phone is configuration, not data, so unit_reach keeps those
-- off Telegram by the addresses they have, and the query adds up what is configured.
CREATE VIEW reach_people AS
SELECT 'e' AS kind, e.id AS key, e.member_id AS member_id, e.unit_id AS unit_id,
       m.telegram_id IS NOT NULL AS joined,
       COALESCE(m.active = 1 AND m.telegram_id IS NOT NULL AND m.unreachable_since IS NULL, 0)
           AS telegram,
       e.email IS NOT NULL AS email, e.phone IS NOT NULL AS phone
FROM register_entries e LEFT JOIN members m ON m.id = e.member_id
WHERE e.active = 1
UNION ALL
SELECT 'm', m.id, m.id, m.unit_id, 1,
       m.telegram_id IS NOT NULL AND m.unreachable_since IS NULL, 0, 0
FROM members m
WHERE m.active = 1
  AND NOT EXISTS (SELECT 1 FROM register_entries e WHERE e.member_id = m.id AND e.active = 1);

CREATE TABLE unit_reach (
    unit_id    INTEGER PRIMARY KEY,
    expected   INTEGER NOT NULL,
    joined     INTEGER NOT NULL,
    telegram   INTEGER NOT NULL,
    off_both   INTEGER NOT NULL,  -- not on Telegram, with an email and a phone
    off_email  INTEGER NOT NULL,  -- ... with an email only
    off_phone  INTEGER NOT NULL   -- ... with a phone only
);

INSERT INTO unit_reach
SELECT unit_id, COUNT(*), SUM(joined), SUM(telegram),
       SUM(NOT telegram AND email AND phone), SUM(NOT telegram AND email AND NOT phone),
       SUM(NOT telegram AND phone AND NOT email)
FROM reach_people GROUP BY unit_id;

-- A change to the people takes those it touches out of the counts before it (their rows
-- of reach_people as they were) and puts them back after it (as they are), by inserting
-- into reach_change: the entry (entry_id) and the members on no entry (member_a,
-- member_b) it may touch; its trigger reads reach_people by those keys, which SQLite
-- pushes into both halves of the view (an index search each, not a scan).
CREATE VIEW reach_change (sign, entry_id, member_a, member_b) AS SELECT 0, 0, 0, 0 WHERE 0;

CREATE TRIGGER reach_change_apply INSTEAD OF INSERT ON reach_change
BEGIN
    INSERT INTO unit_reach
    SELECT unit_id, NEW.sign * COUNT(*), NEW.sign * SUM(joined), NEW.sign * SUM(telegram),
           NEW.sign * SUM(NOT telegram AND email AND phone),
           NEW.sign * SUM(NOT telegram AND email AND NOT phone),
           NEW.sign * SUM(NOT telegram AND phone AND NOT email)
    FROM reach_people
    WHERE (kind = 'e' AND key = NEW.entry_id)
       OR (kind = 'm' AND member_id IN (NEW.member_a, NEW.member_b))
    GROUP BY unit_id
    ON CONFLICT (unit_id) DO UPDATE SET expected = expected + excluded.expected,
        joined = joined + excluded.joined, telegram = telegram + excluded.telegram,
        off_both = off_both + excluded.off_both, off_email = off_email + excluded.off_email,
        off_phone = off_phone + excluded.off_phone;
END;

-- A member: their entry's row, or their own.
CREATE TRIGGER reach_member_out BEFORE UPDATE OF active, unit_id, telegram_id,
    unreachable_since ON members
BEGIN
    INSERT INTO reach_change VALUES
        (-1, (SELECT id FROM register_entries WHERE member_id = OLD.id), OLD.id, NULL);
END;

CREATE TRIGGER reach_member_in AFTER UPDATE OF active, unit_id, telegram_id,
    unreachable_since ON members
BEGIN
    INSERT INTO reach_change VALUES
        (1, (SELECT id FROM register_entries WHERE member_id = NEW.id), NEW.id, NULL);
END;

-- A new member is on no entry yet (the bulk path: one row's counts, no view read) ...
CREATE TRIGGER reach_member_added AFTER INSERT ON members
WHEN NEW.active = 1 AND NOT EXISTS (SELECT 1 FROM register_entries WHERE member_id = NEW.id)
BEGIN
    INSERT INTO unit_reach VALUES (NEW.unit_id, 1, 1,
        NEW.telegram_id IS NOT NULL AND NEW.unreachable_since IS NULL, 0, 0, 0)
    ON CONFLICT (unit_id) DO UPDATE SET expected = expected + excluded.expected,
        joined = joined + excluded.joined, telegram = telegram + excluded.telegram,
        off_both = off_both + excluded.off_both, off_email = off_email + excluded.off_email,
        off_phone = off_phone + excluded.off_phone;
END;

-- ... unless an entry named their id before they were inserted.
CREATE TRIGGER reach_member_added_linked AFTER INSERT ON members
WHEN EXISTS (SELECT 1 FROM register_entries WHERE member_id = NEW.id)
BEGIN
    INSERT INTO reach_change VALUES
        (1, (SELECT id FROM register_entries WHERE member_id = NEW.id), NEW.id, NULL);
END;

CREATE TRIGGER reach_member_removed BEFORE DELETE ON members
BEGIN
    INSERT INTO reach_change VALUES
        (-1, (SELECT id FROM register_entries WHERE member_id = OLD.id), OLD.id, NULL);
END;

-- An entry: its row, and the rows of the members it was and is linked to.
CREATE TRIGGER reach_entry_out BEFORE UPDATE OF unit_id, active, member_id, email, phone
    ON register_entries
BEGIN
    INSERT INTO reach_change VALUES (-1, OLD.id, OLD.member_id, NEW.member_id);
END;

CREATE TRIGGER reach_entry_in AFTER UPDATE OF unit_id, active, member_id, email, phone
    ON register_entries
BEGIN
    INSERT INTO reach_change VALUES (1, NEW.id, OLD.member_id, NEW.member_id);
END;

CREATE TRIGGER reach_entry_linking BEFORE INSERT ON register_entries
WHEN NEW.member_id IS NOT NULL
BEGIN
    INSERT INTO reach_change VALUES (-1, NULL, NEW.member_id, NULL);
END;

-- A new entry nobody joined through yet (an import's: one row's counts, no view read) ...
CREATE TRIGGER reach_entry_added AFTER INSERT ON register_entries
WHEN NEW.member_id IS NULL AND NEW.active = 1
BEGIN
    INSERT INTO unit_reach VALUES (NEW.unit_id, 1, 0, 0,
        NEW.email IS NOT NULL AND NEW.phone IS NOT NULL,
        NEW.email IS NOT NULL AND NEW.phone IS NULL,
        NEW.phone IS NOT NULL AND NEW.email IS NULL)
    ON CONFLICT (unit_id) DO UPDATE SET expected = expected + excluded.expected,
        joined = joined + excluded.joined, telegram = telegram + excluded.telegram,
        off_both = off_both + excluded.off_both, off_email = off_email + excluded.off_email,
        off_phone = off_phone + excluded.off_phone;
END;

-- ... or one linked to a member already.
CREATE TRIGGER reach_entry_added_linked AFTER INSERT ON register_entries
WHEN NEW.member_id IS NOT NULL
BEGIN
    INSERT INTO reach_change VALUES (1, NEW.id, NEW.member_id, NULL);
END;

CREATE TRIGGER reach_entry_removed BEFORE DELETE ON register_entries
BEGIN
    INSERT INTO reach_change VALUES (-1, OLD.id, OLD.member_id, NULL);
END;

CREATE TRIGGER reach_entry_unlinked AFTER DELETE ON register_entries
WHEN OLD.member_id IS NOT NULL
BEGIN
    INSERT INTO reach_change VALUES (1, NULL, OLD.member_id, NULL);
END;
