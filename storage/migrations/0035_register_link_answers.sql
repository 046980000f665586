-- The first answer to a register link offer (issue #18) decides it for every copy sent to
-- the unit's secretaries: "Not the same person" is remembered so that another copy's Link
-- is refused and the pair is never offered again; a Link is remembered with who pressed it
-- so that a later decline can name them. by_member_id: NULL when the answerer was no member.
CREATE TABLE register_link_answers (
    member_id INTEGER NOT NULL REFERENCES members(id),
    entry_id INTEGER NOT NULL REFERENCES register_entries(id),
    same INTEGER NOT NULL CHECK (same IN (0, 1)),
    by_member_id INTEGER REFERENCES members(id),
    at TEXT NOT NULL,
    PRIMARY KEY (member_id, entry_id)
) WITHOUT ROWID;

-- Erasing an entry finds its rows by entry.
CREATE INDEX register_link_answers_entry ON register_link_answers (entry_id);
