-- The escalation ladder (issue #18): each step of a directive's chase, done or skipped,
-- recorded once (the primary key) in the transaction that queues its messages, so a
-- restart neither repeats a step nor loses one. ``rung`` is the step's place in the
-- organisation's ladder (directives.ladder); ``count`` what it did (messages queued).
CREATE TABLE directive_steps (
    directive_id INTEGER NOT NULL REFERENCES directives(id) ON DELETE CASCADE,
    rung         INTEGER NOT NULL,
    step         TEXT NOT NULL,
    due_at       TEXT NOT NULL,
    done_at      TEXT NOT NULL,
    skipped      INTEGER NOT NULL DEFAULT 0,
    count        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (directive_id, rung)
) WITHOUT ROWID;

-- The next rung to run (999: the chase is over): the tick asks, per rung, only for the
-- directives still below it whose step is due (a rung counts from when a directive
-- started sending, or from its deadline), through an index, whatever the number of
-- directives sent and of those still chased.
ALTER TABLE directives ADD COLUMN ladder_next INTEGER NOT NULL DEFAULT 0;
CREATE INDEX directives_chase_send ON directives(ladder_next, send_at) WHERE ack_required = 1;
CREATE INDEX directives_chase_deadline ON directives(ladder_next, ack_deadline)
    WHERE ack_required = 1;

-- Directives chased before the ladder: the default ladder is "remind at the deadline"
-- (rung 0), then "the secretaries after the grace" (rung 1), as reminded_at and
-- escalated_at recorded them.
INSERT INTO directive_steps (directive_id, rung, step, due_at, done_at)
SELECT id, 0, 'remind', ack_deadline, reminded_at FROM directives
WHERE ack_required = 1 AND reminded_at IS NOT NULL;
INSERT INTO directive_steps (directive_id, rung, step, due_at, done_at)
SELECT id, 1, 'secretaries', ack_deadline, escalated_at FROM directives
WHERE ack_required = 1 AND escalated_at IS NOT NULL;
UPDATE directives SET ladder_next = CASE
    WHEN ack_required = 0 OR status = 'cancelled' OR escalated_at IS NOT NULL THEN 999
    WHEN reminded_at IS NOT NULL THEN 1
    ELSE 0 END;
