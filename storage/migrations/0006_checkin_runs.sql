-- Each check-in reminder slot and each window close, once per timezone and local day: the
-- row is written in the transaction that queues the reminders, so a restart never repeats it.
CREATE TABLE checkin_runs (
    timezone  TEXT NOT NULL,
    day       TEXT NOT NULL,
    slot      TEXT NOT NULL,  -- 'HH:MM' of a reminder, or 'close'
    done_at   TEXT NOT NULL,
    PRIMARY KEY (timezone, day, slot)
);
CREATE INDEX checkins_member_day ON checkins(member_id, day);
