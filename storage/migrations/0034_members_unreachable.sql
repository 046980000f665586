-- The few members known to have blocked the bot (or whose chat is gone), per unit: the
-- reach figures (storage/register.py, README "Reach per unit") count them in every
-- summary without reading every member.
CREATE INDEX members_unreachable ON members(unit_id) WHERE unreachable_since IS NOT NULL;
