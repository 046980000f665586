-- The approval requests sent to secretaries, so that a decision can retire all of them.
CREATE TABLE join_request_messages (
    request_id  INTEGER NOT NULL REFERENCES join_requests(id),
    chat_id     INTEGER NOT NULL,
    message_id  INTEGER NOT NULL,
    language    TEXT NOT NULL,
    PRIMARY KEY (request_id, chat_id, message_id)
);
