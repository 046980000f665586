-- A chat's messages go out in the order they were queued, within a priority: the claim
-- skips a row while an older row to the same chat, as urgent or more, is still pending
-- (waiting for its retry). This index answers that question for one chat.
CREATE INDEX outbox_chat_pending ON outbox(chat_id, priority, id) WHERE status = 'pending';
