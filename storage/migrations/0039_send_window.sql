-- The overall send budget shared by several instances (bot/delivery/lease.py,
-- SharedBudget) as a sliding window of the bot's last sends instead of a next moment:
-- a row per send the window holds ('telegram': delivery.rate_per_second of them; 'paid':
-- the paid broadcasts' rate), each with the time its send counts from at Telegram (in
-- flight: a bound ahead; answered: its answer less the shortest round trip's floor). A
-- send takes the row whose time left the window, so no second holds more than the rows,
-- however late a process sends what it took. SQLite's one process never writes it.
DROP TABLE send_pace;
CREATE TABLE send_window (
    budget       TEXT NOT NULL,
    slot         INTEGER NOT NULL,
    counts_from  REAL NOT NULL,   -- seconds since the epoch
    PRIMARY KEY (budget, slot)
);
