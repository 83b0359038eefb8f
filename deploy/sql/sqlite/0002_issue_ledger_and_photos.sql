-- Grid: the issue ledger, the issue summary index and issue photos.
--
-- IssueEvents is append-only: one row per step of an issue, never updated. KPIs are computed
-- from it. Rows are keyed by (IssueId, Seq) so that replaying a history inserts nothing twice.
-- Times are UTC text in one fixed-width ISO 8601 form, so text order is time order.

CREATE TABLE IF NOT EXISTS IssueEvents
(
    IssueId       TEXT    NOT NULL,
    Seq           INTEGER NOT NULL,
    CommunityCode TEXT    NOT NULL,
    CellCode      TEXT    NOT NULL,
    CategoryCode  TEXT    NOT NULL,
    Action        TEXT    NOT NULL,
    FromStatus    TEXT    NULL,
    ToStatus      TEXT    NOT NULL,
    AtUtc         TEXT    NOT NULL,
    Actor         TEXT    NOT NULL,
    DeadlineUtc   TEXT    NULL,
    AssigneeKind  TEXT    NULL,
    AssigneeId    TEXT    NULL,
    Score         INTEGER NULL,
    Passed        INTEGER NULL,
    PRIMARY KEY (IssueId, Seq)
) WITHOUT ROWID;

CREATE INDEX IF NOT EXISTS IX_IssueEvents_Community_At ON IssueEvents (CommunityCode, AtUtc);

-- The latest summary of every issue (JSON), for listings that include closed issues.
-- Only a newer version replaces a row.
CREATE TABLE IF NOT EXISTS Issues
(
    IssueId       TEXT    NOT NULL PRIMARY KEY,
    CommunityCode TEXT    NOT NULL,
    CellCode      TEXT    NOT NULL,
    Status        TEXT    NOT NULL,
    Version       INTEGER NOT NULL,
    UpdatedUtc    TEXT    NOT NULL,
    Summary       TEXT    NOT NULL
);

CREATE INDEX IF NOT EXISTS IX_Issues_Cell ON Issues (CellCode, Status, UpdatedUtc);
CREATE INDEX IF NOT EXISTS IX_Issues_Community ON Issues (CommunityCode, Status, UpdatedUtc);

-- Before/after photos, in the database rather than loose files, so backups hold everything.
CREATE TABLE IF NOT EXISTS IssuePhotos
(
    PhotoId     TEXT    NOT NULL PRIMARY KEY,
    IssueId     TEXT    NOT NULL,
    Kind        TEXT    NOT NULL,
    ContentType TEXT    NOT NULL,
    SizeBytes   INTEGER NOT NULL,
    Sha256      TEXT    NOT NULL,
    AtUtc       TEXT    NOT NULL,
    CreatedBy   TEXT    NOT NULL,
    Bytes       BLOB    NOT NULL
);

CREATE INDEX IF NOT EXISTS IX_IssuePhotos_Issue ON IssuePhotos (IssueId);
