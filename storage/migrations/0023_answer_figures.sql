-- The summary's figures (issue #17): per local day, unit and reported question (and
-- choice, '' for other questions) how many answered, the sum and the largest number, and
-- how many answers flagged a problem. Each check-in (and each ended shift's report, its
-- questions keyed 'duty.<id>') carries its own contribution in ``figures`` (a JSON array
-- of [question, choice, number, flagged], worked out at save with that day's form:
-- bot/kit/figures.py); these triggers add it up in the statement that saves it. A day's figures count for the unit the member checked in
-- from (checkins.unit_id) and are a record of the day, so they stay exact when details
-- go: retention and erasure set ``figures`` to NULL (no trigger fires), a check-in
-- deleted keeps its figures. Check-ins saved before this migration have none.
ALTER TABLE checkins ADD COLUMN figures TEXT;

CREATE TABLE answer_figures (
    day       TEXT NOT NULL,
    unit_id   INTEGER NOT NULL,
    question  TEXT NOT NULL,
    choice    TEXT NOT NULL,
    answers   INTEGER NOT NULL,
    total     REAL NOT NULL,
    top       REAL,
    flagged   INTEGER NOT NULL,
    PRIMARY KEY (day, unit_id, question, choice)
) WITHOUT ROWID;

-- Adding one filed form's figures, in one place for every trigger below: a row inserted
-- into this view is added up, never stored.
CREATE VIEW figures_added (day, unit_id, figures) AS SELECT day, unit_id, figures FROM checkins
WHERE 0;

CREATE TRIGGER figures_added_in INSTEAD OF INSERT ON figures_added
BEGIN
    INSERT INTO answer_figures (day, unit_id, question, choice, answers, total, top, flagged)
    SELECT NEW.day, NEW.unit_id, j.value ->> 0, j.value ->> 1, 1,
           COALESCE(j.value ->> 2, 0), j.value ->> 2, j.value ->> 3
    FROM json_each(NEW.figures) AS j WHERE true
    ON CONFLICT (day, unit_id, question, choice) DO UPDATE
    SET answers = answers + 1, total = total + excluded.total, flagged = flagged + excluded.flagged,
        top = CASE WHEN top IS NULL OR excluded.top > top THEN excluded.top ELSE top END;
END;

CREATE TRIGGER checkins_figures_in AFTER INSERT ON checkins WHEN NEW.figures IS NOT NULL
BEGIN
    INSERT INTO figures_added (day, unit_id, figures) VALUES (NEW.day, NEW.unit_id, NEW.figures);
END;

-- An edit the same day: out as it was, in as it is. A largest number taken out is looked
-- for again among that unit's check-ins of the day (a few dozen rows, by checkins_day_unit);
-- one erased that same day is no longer among them (edits end when the day closes, and
-- retention erases only closed days).
CREATE TRIGGER checkins_figures_changed AFTER UPDATE OF figures, unit_id, day ON checkins
WHEN NEW.figures IS NOT NULL
BEGIN
    UPDATE answer_figures SET answers = answers - 1, total = total - COALESCE(j.value ->> 2, 0),
        flagged = flagged - (j.value ->> 3),
        top = CASE WHEN (j.value ->> 2) >= top THEN NULL ELSE top END
    FROM json_each(OLD.figures) AS j
    WHERE OLD.figures IS NOT NULL AND answer_figures.day = OLD.day
    AND answer_figures.unit_id = OLD.unit_id AND answer_figures.question = j.value ->> 0
    AND answer_figures.choice = j.value ->> 1;
    UPDATE answer_figures SET top = (
        SELECT MAX(j.value ->> 2) FROM checkins c, json_each(c.figures) AS j
        WHERE c.day = answer_figures.day AND c.unit_id = answer_figures.unit_id
        AND c.id != NEW.id AND j.value ->> 0 = answer_figures.question
        AND j.value ->> 1 = answer_figures.choice)
    WHERE day = OLD.day AND unit_id = OLD.unit_id AND top IS NULL AND choice = '';
    INSERT INTO figures_added (day, unit_id, figures) VALUES (NEW.day, NEW.unit_id, NEW.figures);
END;

-- An end-of-duty report, filed once: for the grid's unit, on the shift's day.
ALTER TABLE shifts ADD COLUMN figures TEXT;

CREATE TRIGGER shifts_figures_in AFTER UPDATE OF figures ON shifts
WHEN NEW.figures IS NOT NULL AND OLD.figures IS NULL
BEGIN
    INSERT INTO figures_added (day, unit_id, figures) VALUES (NEW.day, NEW.unit_id, NEW.figures);
END;
