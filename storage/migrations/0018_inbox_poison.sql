-- An update that is JSON but cannot be read as an update (a message that is a string, a
-- date that is not a timestamp) is set aside as poison: kept with the reason, marked
-- processed so that neither the replay at start nor /health's backlog waits for it, and
-- pruned with the rest. NULL for every update that could be read.
ALTER TABLE inbox ADD COLUMN poison TEXT;
