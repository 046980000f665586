-- Paid broadcasts: a directive marked urgent goes out with Telegram's allow_paid_broadcast.
-- The cap and the composer's estimate are kept in whole Stars as shown to the author;
-- paid_charged counts the messages sent beyond the free rate (0.1 Star each), as the
-- delivery engine estimated them; paid_refused_at is when Telegram said the bot's Star
-- balance was too low (the rest went at the free rate).
ALTER TABLE directives ADD COLUMN paid INTEGER NOT NULL DEFAULT 0;
ALTER TABLE directives ADD COLUMN paid_cap_stars INTEGER;
ALTER TABLE directives ADD COLUMN paid_estimate_stars INTEGER;
ALTER TABLE directives ADD COLUMN paid_charged INTEGER NOT NULL DEFAULT 0;
ALTER TABLE directives ADD COLUMN paid_refused_at TEXT;
