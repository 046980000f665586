-- How far back personal details were already erased (data retention), so each pass only
-- looks at the days since.
CREATE TABLE retention_state (
    name        TEXT PRIMARY KEY,   -- 'details'
    done_until  TEXT NOT NULL       -- local days before this one are erased (YYYY-MM-DD)
);
