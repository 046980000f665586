-- Two duty steps that 0008's columns do not record (see bot/duty/schedule.py).
-- cutoff_at: the cut-off is behind the shift: it was opened for cover unconfirmed, or its
--   member was asked only after the cut-off (a late assignment), and then has until the
--   start to answer instead of being passed over at once.
-- uncovered_at: an open shift nobody took by its start was reported to the secretaries.
ALTER TABLE shifts ADD COLUMN cutoff_at TEXT;
ALTER TABLE shifts ADD COLUMN uncovered_at TEXT;
