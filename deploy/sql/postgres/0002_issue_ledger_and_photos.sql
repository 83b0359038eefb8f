-- Grid on PostgreSQL: the issue ledger (the audit trail of every issue), the issue summary
-- index and issue photos. The same tables as deploy/sql/sqlite/0002, in PostgreSQL's types.
--
-- issue_events is append-only: one row per step of an issue, never updated; KPIs and the
-- audit trail are read from it. Keyed by (issue_id, seq) so that a replayed history inserts
-- nothing twice.

CREATE TABLE issue_events
(
    issue_id       text        NOT NULL,
    seq            integer     NOT NULL,
    community_code text        NOT NULL,
    cell_code      text        NOT NULL,
    category_code  text        NOT NULL,
    action         text        NOT NULL,
    from_status    text        NULL,
    to_status      text        NOT NULL,
    at_utc         timestamptz NOT NULL,
    actor          text        NOT NULL,
    deadline_utc   timestamptz NULL,
    assignee_kind  text        NULL,
    assignee_id    text        NULL,
    score          integer     NULL,
    passed         boolean     NULL,
    PRIMARY KEY (issue_id, seq)
);

CREATE INDEX ix_issue_events_community_at ON issue_events (community_code, at_utc);

-- The latest summary of every issue, for listings that include closed issues.
-- Only a newer version replaces a row.
CREATE TABLE issues
(
    issue_id       text        NOT NULL PRIMARY KEY,
    community_code text        NOT NULL,
    cell_code      text        NOT NULL,
    status         text        NOT NULL,
    version        integer     NOT NULL,
    updated_utc    timestamptz NOT NULL,
    summary        jsonb       NOT NULL
);

CREATE INDEX ix_issues_cell ON issues (cell_code, status, updated_utc);
CREATE INDEX ix_issues_community ON issues (community_code, status, updated_utc);

-- Before/after photos, in the database rather than loose files, so one backup holds everything.
CREATE TABLE issue_photos
(
    photo_id     text        NOT NULL PRIMARY KEY,
    issue_id     text        NOT NULL,
    kind         text        NOT NULL,
    content_type text        NOT NULL,
    size_bytes   integer     NOT NULL,
    sha256       text        NOT NULL,
    at_utc       timestamptz NOT NULL,
    created_by   text        NOT NULL,
    bytes        bytea       NOT NULL
);

CREATE INDEX ix_issue_photos_issue ON issue_photos (issue_id);
