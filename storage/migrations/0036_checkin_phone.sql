-- "Checked in" by phone (issue #18): a secretary who reached a member who had not checked
-- in records it for the day still open, or that they could not reach them.

-- Who recorded the check-in by phone (NULL: the member, in chat). The member's own
-- check-in the same day replaces it (the trigger below).
ALTER TABLE checkins ADD COLUMN on_behalf_by INTEGER REFERENCES members(id);

-- Every phone record of a check-in day: the check-ins made so (the check-in itself is the
-- row of checkins above, counted as any other by 0012's triggers) and the calls that did
-- not reach the member, with the secretary's reason; and whether the member has been told
-- (the next time they write to the bot). unit_id: the unit they were listed in.
CREATE TABLE checkin_phone (
    id            INTEGER PRIMARY KEY,
    member_id     INTEGER NOT NULL REFERENCES members(id),
    unit_id       INTEGER NOT NULL REFERENCES units(id),
    day           TEXT NOT NULL,
    by_member_id  INTEGER REFERENCES members(id),
    outcome       TEXT NOT NULL CHECK (outcome IN ('checked_in', 'unreached')),
    reason        TEXT,
    at            TEXT NOT NULL,
    told_at       TEXT
);
-- /members reads a day's records of its units; the workbook, one member's of a day.
CREATE INDEX checkin_phone_day_unit ON checkin_phone(day, unit_id);
CREATE INDEX checkin_phone_member ON checkin_phone(member_id, day);
-- Asked before every private message: only the untold are indexed.
CREATE INDEX checkin_phone_untold ON checkin_phone(member_id) WHERE told_at IS NULL;

-- The member's own check-in the same day (a save sets updated_at; retention and erasure
-- do not) replaces the one recorded for them: it is theirs from then on.
CREATE TRIGGER checkins_saved_by_member AFTER UPDATE OF updated_at ON checkins
WHEN OLD.on_behalf_by IS NOT NULL AND NEW.updated_at IS NOT OLD.updated_at
BEGIN
    UPDATE checkins SET on_behalf_by = NULL WHERE id = NEW.id;
END;
