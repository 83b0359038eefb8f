-- Grid on PostgreSQL: the audit trail (deploy/sql/sqlite/0003 in PostgreSQL's types). One row
-- per state-changing request and per export of personal data: who, when, what, from where,
-- with what outcome. Append-only: triggers refuse any update, delete or truncate, so a row
-- once written stays as written (a database owner can still drop the triggers: restrict who
-- owns the schema, see deploy/RUNBOOK.md).

CREATE TABLE audit_log
(
    seq            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at_utc         timestamptz NOT NULL,
    username       text        NOT NULL,
    role           text        NOT NULL,
    method         text        NOT NULL,
    path           text        NOT NULL,
    route          text        NOT NULL,
    status         integer     NOT NULL,
    remote_address text        NOT NULL,
    duration_ms    integer     NOT NULL,
    detail         text        NOT NULL
);

CREATE INDEX ix_audit_log_at ON audit_log (at_utc);
CREATE INDEX ix_audit_log_user_at ON audit_log (username, at_utc);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END
$fn$;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
