-- Members whose chat command menu no longer matches their roles. A change made where no
-- bot runs (the CLI) is marked here, in its own transaction; the running bot's tick sets
-- the menu and clears the mark.
CREATE TABLE menu_refresh (
    member_id  INTEGER PRIMARY KEY REFERENCES members(id),
    since      TEXT NOT NULL
);
