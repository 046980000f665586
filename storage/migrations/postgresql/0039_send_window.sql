-- Twin of ../0039_send_window.sql: the shared send budget as a sliding window of sends.
DROP TABLE send_pace;
CREATE TABLE send_window (
    budget       TEXT NOT NULL,
    slot         INTEGER NOT NULL,
    counts_from  DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (budget, slot)
);
