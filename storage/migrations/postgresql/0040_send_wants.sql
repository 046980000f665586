-- Twin of ../0040_send_wants.sql: a reply waiting for a shared window, until when.
CREATE TABLE send_wants (
    budget  TEXT PRIMARY KEY,
    until   DOUBLE PRECISION NOT NULL
);
