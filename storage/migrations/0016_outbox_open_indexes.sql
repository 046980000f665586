-- The claim's index holds the rows waiting to be sent, not every message ever sent: a
-- delivery then leaves no entry behind in it (the hottest write in Muster touches one
-- index fewer), and the index stays the size of the queue as the outbox grows. Rows left
-- 'sending' by a crash are found through an index of their own at start.
DROP INDEX outbox_due;
CREATE INDEX outbox_due ON outbox(priority, next_attempt_at) WHERE status = 'pending';
CREATE INDEX outbox_sending ON outbox(id) WHERE status = 'sending';
