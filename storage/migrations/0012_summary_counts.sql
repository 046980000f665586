-- Counts a committee's summary (and /members) reads instead of walking every member and
-- every check-in of the day: 200,000 members took seconds, these take milliseconds.
-- Triggers keep them in the statement that changes what they count, so they are never
-- stale, whichever code path writes. What they count is exactly what
-- storage/checkins.py unit_days defined by joins before: a check-in counts for its
-- member's CURRENT unit, and only while the member is active; so moving a member or
-- (de)activating one moves all of their check-ins' counts along.

-- Active members per unit.
CREATE TABLE unit_member_counts (
    unit_id  INTEGER PRIMARY KEY,
    members  INTEGER NOT NULL
);

-- Check-ins per local day and per current unit of their (active) members; ``excused`` is
-- the sum of their ``excused`` flags.
CREATE TABLE checkin_counts (
    day      TEXT NOT NULL,
    unit_id  INTEGER NOT NULL,
    checked  INTEGER NOT NULL,
    excused  INTEGER NOT NULL,
    PRIMARY KEY (day, unit_id)
) WITHOUT ROWID;

INSERT INTO unit_member_counts (unit_id, members)
SELECT unit_id, COUNT(*) FROM members WHERE active = 1 GROUP BY unit_id;

INSERT INTO checkin_counts (day, unit_id, checked, excused)
SELECT c.day, m.unit_id, COUNT(*), SUM(c.excused) FROM checkins c
JOIN members m ON m.id = c.member_id WHERE m.active = 1 GROUP BY c.day, m.unit_id;

-- A member enters the counts of a unit (inserted active, reactivated, moved in) with every
-- check-in they have, and leaves those of their old unit (deactivated, moved out, deleted).
-- A member inserted or deleted has none: the foreign key keeps check-ins from outliving
-- their member, so a new member's id is nobody's yet.
CREATE TRIGGER members_count_in AFTER INSERT ON members WHEN NEW.active = 1
BEGIN
    INSERT INTO unit_member_counts (unit_id, members) VALUES (NEW.unit_id, 1)
    ON CONFLICT (unit_id) DO UPDATE SET members = members + 1;
END;

CREATE TRIGGER members_count_out AFTER DELETE ON members WHEN OLD.active = 1
BEGIN
    UPDATE unit_member_counts SET members = members - 1 WHERE unit_id = OLD.unit_id;
END;

CREATE TRIGGER members_count_moved_in AFTER UPDATE OF unit_id, active ON members
WHEN NEW.active = 1 AND (OLD.active IS NOT 1 OR OLD.unit_id IS NOT NEW.unit_id)
BEGIN
    INSERT INTO unit_member_counts (unit_id, members) VALUES (NEW.unit_id, 1)
    ON CONFLICT (unit_id) DO UPDATE SET members = members + 1;
    INSERT INTO checkin_counts (day, unit_id, checked, excused)
    SELECT c.day, NEW.unit_id, 1, c.excused FROM checkins c WHERE c.member_id = NEW.id
    ON CONFLICT (day, unit_id) DO UPDATE
    SET checked = checked + excluded.checked, excused = excused + excluded.excused;
END;

CREATE TRIGGER members_count_moved_out AFTER UPDATE OF unit_id, active ON members
WHEN OLD.active = 1 AND (NEW.active IS NOT 1 OR OLD.unit_id IS NOT NEW.unit_id)
BEGIN
    UPDATE unit_member_counts SET members = members - 1 WHERE unit_id = OLD.unit_id;
    INSERT INTO checkin_counts (day, unit_id, checked, excused)
    SELECT c.day, OLD.unit_id, -1, -c.excused FROM checkins c WHERE c.member_id = OLD.id
    ON CONFLICT (day, unit_id) DO UPDATE
    SET checked = checked + excluded.checked, excused = excused + excluded.excused;
END;

-- A check-in counts for its member's current unit while the member is active.
CREATE TRIGGER checkins_count_in AFTER INSERT ON checkins
BEGIN
    INSERT INTO checkin_counts (day, unit_id, checked, excused)
    SELECT NEW.day, m.unit_id, 1, NEW.excused FROM members m
    WHERE m.id = NEW.member_id AND m.active = 1
    ON CONFLICT (day, unit_id) DO UPDATE
    SET checked = checked + excluded.checked, excused = excused + excluded.excused;
END;

-- Answers replaced the same day may change ``excused`` (check-ins are edited in place).
CREATE TRIGGER checkins_count_changed AFTER UPDATE OF member_id, day, excused ON checkins
BEGIN
    UPDATE checkin_counts SET checked = checked - 1, excused = excused - OLD.excused
    WHERE day = OLD.day
    AND unit_id = (SELECT unit_id FROM members WHERE id = OLD.member_id AND active = 1);
    INSERT INTO checkin_counts (day, unit_id, checked, excused)
    SELECT NEW.day, m.unit_id, 1, NEW.excused FROM members m
    WHERE m.id = NEW.member_id AND m.active = 1
    ON CONFLICT (day, unit_id) DO UPDATE
    SET checked = checked + excluded.checked, excused = excused + excluded.excused;
END;

CREATE TRIGGER checkins_count_out AFTER DELETE ON checkins
BEGIN
    UPDATE checkin_counts SET checked = checked - 1, excused = excused - OLD.excused
    WHERE day = OLD.day
    AND unit_id = (SELECT unit_id FROM members WHERE id = OLD.member_id AND active = 1);
END;

-- The corrections to the counts for one day: members who joined after the day ended
-- (counted now, not then), and the few leave periods that overlap the day.
CREATE INDEX members_joined ON members(joined_at, active, unit_id);
CREATE INDEX leave_days ON leave(last_day, first_day) WHERE cancelled_at IS NULL;
-- Flagged check-ins of a day, without reading the day's other check-ins (nor, for these
-- few, the table: the index holds what the summary shows).
CREATE INDEX checkins_flagged ON checkins(day, flagged, member_id, answers) WHERE flagged = 1;

-- Directives: what storage/summaries.py directives counted by joining each recipient to
-- their deliveries (outbox rows of kind 'directive'), per directive and recipient's unit.
-- A recipient counts once per delivery, or once if none (so ``recipients`` and ``acked``
-- count joined rows, as the join did); ``sent`` counts the deliveries sent. A directive
-- has one delivery per recipient, but nothing in the schema says so, so the triggers
-- follow the join whatever the rows. This index is how they find a recipient's
-- deliveries and a delivery's recipient.
CREATE INDEX outbox_directive_member ON outbox(directive_id, member_id)
WHERE kind = 'directive';

CREATE TABLE directive_counts (
    directive_id  INTEGER NOT NULL,
    unit_id       INTEGER NOT NULL,
    recipients    INTEGER NOT NULL,
    acked         INTEGER NOT NULL,
    sent          INTEGER NOT NULL,
    PRIMARY KEY (directive_id, unit_id)
) WITHOUT ROWID;

INSERT INTO directive_counts (directive_id, unit_id, recipients, acked, sent)
SELECT r.directive_id, r.unit_id, COUNT(*), COUNT(r.acked_at), SUM(o.status IS 'sent')
FROM directive_recipients r LEFT JOIN outbox o ON o.directive_id = r.directive_id
AND o.member_id = r.member_id AND o.kind = 'directive'
GROUP BY r.directive_id, r.unit_id;

-- A recipient added or removed, with their deliveries: once per delivery, or once.
CREATE TRIGGER directive_recipients_count_in AFTER INSERT ON directive_recipients
BEGIN
    INSERT INTO directive_counts (directive_id, unit_id, recipients, acked, sent)
    SELECT NEW.directive_id, NEW.unit_id, MAX(1, COUNT(*)),
           (NEW.acked_at IS NOT NULL) * MAX(1, COUNT(*)), COALESCE(SUM(o.status = 'sent'), 0)
    FROM outbox o WHERE o.directive_id = NEW.directive_id AND o.member_id = NEW.member_id
    AND o.kind = 'directive'
    ON CONFLICT (directive_id, unit_id) DO UPDATE SET recipients = recipients + excluded.recipients,
    acked = acked + excluded.acked, sent = sent + excluded.sent;
END;

CREATE TRIGGER directive_recipients_count_out AFTER DELETE ON directive_recipients
BEGIN
    UPDATE directive_counts SET recipients = recipients - x.n,
    acked = acked - (OLD.acked_at IS NOT NULL) * x.n, sent = sent - x.s
    FROM (SELECT MAX(1, COUNT(*)) AS n, COALESCE(SUM(o.status = 'sent'), 0) AS s FROM outbox o
          WHERE o.directive_id = OLD.directive_id AND o.member_id = OLD.member_id
          AND o.kind = 'directive') AS x
    WHERE directive_id = OLD.directive_id AND unit_id = OLD.unit_id;
END;

-- Acknowledged (or anything else of the recipient changed): out as it was, in as it is.
CREATE TRIGGER directive_recipients_count_changed
AFTER UPDATE OF directive_id, member_id, unit_id, acked_at ON directive_recipients
BEGIN
    UPDATE directive_counts SET recipients = recipients - x.n,
    acked = acked - (OLD.acked_at IS NOT NULL) * x.n, sent = sent - x.s
    FROM (SELECT MAX(1, COUNT(*)) AS n, COALESCE(SUM(o.status = 'sent'), 0) AS s FROM outbox o
          WHERE o.directive_id = OLD.directive_id AND o.member_id = OLD.member_id
          AND o.kind = 'directive') AS x
    WHERE directive_id = OLD.directive_id AND unit_id = OLD.unit_id;
    INSERT INTO directive_counts (directive_id, unit_id, recipients, acked, sent)
    SELECT NEW.directive_id, NEW.unit_id, MAX(1, COUNT(*)),
           (NEW.acked_at IS NOT NULL) * MAX(1, COUNT(*)), COALESCE(SUM(o.status = 'sent'), 0)
    FROM outbox o WHERE o.directive_id = NEW.directive_id AND o.member_id = NEW.member_id
    AND o.kind = 'directive'
    ON CONFLICT (directive_id, unit_id) DO UPDATE SET recipients = recipients + excluded.recipients,
    acked = acked + excluded.acked, sent = sent + excluded.sent;
END;

-- A delivery added or removed: sent if it was; and a recipient's second (third …)
-- delivery is one more joined row. (The WHEN clauses leave other outbox rows alone.)
CREATE TRIGGER outbox_directive_count_in AFTER INSERT ON outbox
WHEN NEW.kind = 'directive' AND (NEW.status = 'sent' OR EXISTS (
    SELECT 1 FROM outbox o WHERE o.directive_id = NEW.directive_id
    AND o.member_id = NEW.member_id AND o.kind = 'directive' AND o.id != NEW.id))
BEGIN
    UPDATE directive_counts SET sent = sent + (NEW.status = 'sent'),
    recipients = recipients + (x.n > 1), acked = acked + (x.n > 1) * (r.acked_at IS NOT NULL)
    FROM directive_recipients r,
         (SELECT COUNT(*) AS n FROM outbox o WHERE o.directive_id = NEW.directive_id
          AND o.member_id = NEW.member_id AND o.kind = 'directive') AS x
    WHERE r.directive_id = NEW.directive_id AND r.member_id = NEW.member_id
    AND directive_counts.directive_id = r.directive_id AND directive_counts.unit_id = r.unit_id
    AND (NEW.status = 'sent' OR x.n > 1);
END;

CREATE TRIGGER outbox_directive_count_out AFTER DELETE ON outbox WHEN OLD.kind = 'directive'
BEGIN
    UPDATE directive_counts SET sent = sent - (OLD.status = 'sent'),
    recipients = recipients - (x.n > 0), acked = acked - (x.n > 0) * (r.acked_at IS NOT NULL)
    FROM directive_recipients r,
         (SELECT COUNT(*) AS n FROM outbox o WHERE o.directive_id = OLD.directive_id
          AND o.member_id = OLD.member_id AND o.kind = 'directive') AS x
    WHERE r.directive_id = OLD.directive_id AND r.member_id = OLD.member_id
    AND directive_counts.directive_id = r.directive_id AND directive_counts.unit_id = r.unit_id;
END;

-- Sent, or no longer: the delivery engine's updates (status only).
CREATE TRIGGER outbox_directive_count_status AFTER UPDATE OF status ON outbox
WHEN NEW.kind = 'directive' AND OLD.kind IS NEW.kind
AND OLD.directive_id IS NEW.directive_id AND OLD.member_id IS NEW.member_id
AND (OLD.status = 'sent') IS NOT (NEW.status = 'sent')
BEGIN
    UPDATE directive_counts SET sent = sent + (NEW.status = 'sent') - (OLD.status = 'sent')
    WHERE directive_id = NEW.directive_id
    AND unit_id = (SELECT r.unit_id FROM directive_recipients r
                   WHERE r.directive_id = NEW.directive_id AND r.member_id = NEW.member_id);
END;

-- A delivery made another's (no code does; the counts follow all the same): out of the
-- old recipient's counts as if deleted, into the new one's as if inserted.
CREATE TRIGGER outbox_directive_count_moved AFTER UPDATE OF kind, directive_id, member_id
ON outbox WHEN (OLD.kind = 'directive' OR NEW.kind = 'directive')
AND (OLD.kind IS NOT NEW.kind OR OLD.directive_id IS NOT NEW.directive_id
     OR OLD.member_id IS NOT NEW.member_id)
BEGIN
    UPDATE directive_counts SET sent = sent - (OLD.status = 'sent'),
    recipients = recipients - (x.n > 0), acked = acked - (x.n > 0) * (r.acked_at IS NOT NULL)
    FROM directive_recipients r,
         (SELECT COUNT(*) AS n FROM outbox o WHERE o.directive_id = OLD.directive_id
          AND o.member_id = OLD.member_id AND o.kind = 'directive') AS x
    WHERE OLD.kind = 'directive'
    AND r.directive_id = OLD.directive_id AND r.member_id = OLD.member_id
    AND directive_counts.directive_id = r.directive_id AND directive_counts.unit_id = r.unit_id;
    UPDATE directive_counts SET sent = sent + (NEW.status = 'sent'),
    recipients = recipients + (x.n > 1), acked = acked + (x.n > 1) * (r.acked_at IS NOT NULL)
    FROM directive_recipients r,
         (SELECT COUNT(*) AS n FROM outbox o WHERE o.directive_id = NEW.directive_id
          AND o.member_id = NEW.member_id AND o.kind = 'directive') AS x
    WHERE NEW.kind = 'directive'
    AND r.directive_id = NEW.directive_id AND r.member_id = NEW.member_id
    AND directive_counts.directive_id = r.directive_id AND directive_counts.unit_id = r.unit_id;
END;
