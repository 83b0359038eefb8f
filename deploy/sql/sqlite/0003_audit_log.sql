-- Grid: the audit trail. One row per state-changing request (and per export of personal data):
-- who, when, what, from where, with what outcome. Append-only: the triggers refuse any change
-- or deletion, so a row once written stays as written.

CREATE TABLE IF NOT EXISTS AuditLog
(
    Seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    AtUtc         TEXT    NOT NULL,
    Username      TEXT    NOT NULL,
    Role          TEXT    NOT NULL,
    Method        TEXT    NOT NULL,
    Path          TEXT    NOT NULL,
    Route         TEXT    NOT NULL,
    Status        INTEGER NOT NULL,
    RemoteAddress TEXT    NOT NULL,
    DurationMs    INTEGER NOT NULL,
    Detail        TEXT    NOT NULL
);

CREATE INDEX IF NOT EXISTS IX_AuditLog_At ON AuditLog (AtUtc);
CREATE INDEX IF NOT EXISTS IX_AuditLog_User_At ON AuditLog (Username, AtUtc);

CREATE TRIGGER IF NOT EXISTS AuditLog_NoUpdate BEFORE UPDATE ON AuditLog
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER IF NOT EXISTS AuditLog_NoDelete BEFORE DELETE ON AuditLog
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
