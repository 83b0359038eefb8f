-- Grid: grain state for Orleans' ADO.NET storage provider on SQLite.
--
-- The provider finds its statements by key in OrleansQuery and binds the parameters
-- @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString (the state
-- name), @GrainIdExtensionString, @ServiceId, @GrainStateVersion and @PayloadBinary.
-- It reads back PayloadBinary and Version, or NewGrainStateVersion after a change.
--
-- Unlike the hashed, index-only layout of the server databases, SQLite gets a real
-- primary key over the natural key: the file is local, keys are short, and a key
-- lookup is then a single B-tree search with no collision pruning.
--
-- A grain without a key extension is stored with '' so that the key column can be
-- part of the primary key (NULLs never collide in a SQLite unique index).

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  TEXT NOT NULL PRIMARY KEY,
    QueryText TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS OrleansStorage
(
    ServiceId        TEXT    NOT NULL,
    GrainTypeString  TEXT    NOT NULL,
    GrainIdN0        INTEGER NOT NULL,
    GrainIdN1        INTEGER NOT NULL,
    GrainIdExtension TEXT    NOT NULL,
    GrainIdHash      INTEGER NOT NULL,
    GrainTypeHash    INTEGER NOT NULL,
    PayloadBinary    BLOB    NULL,
    Version          INTEGER NOT NULL,
    ModifiedUtc      TEXT    NOT NULL,
    PRIMARY KEY (ServiceId, GrainTypeString, GrainIdN0, GrainIdN1, GrainIdExtension)
) WITHOUT ROWID;

-- Read: at most one row. A cleared state keeps its row (and version) with no payload.
INSERT OR REPLACE INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadFromStorageKey', '
SELECT PayloadBinary, Version
FROM OrleansStorage
WHERE ServiceId = @ServiceId
  AND GrainTypeString = @GrainTypeString
  AND GrainIdN0 = @GrainIdN0
  AND GrainIdN1 = @GrainIdN1
  AND GrainIdExtension = COALESCE(@GrainIdExtensionString, '''');
');

-- Write with optimistic concurrency. Exactly one of the three statements yields a row:
--   first write (no version known)  -> insert, version 1, unless a row already exists;
--   known version matches           -> update, version + 1;
--   known version does not match    -> the caller''s version comes back unchanged,
-- which the provider reports as an InconsistentStateException. A first write that
-- meets an existing row yields nothing, which the provider also treats as a conflict.
INSERT OR REPLACE INTO OrleansQuery (QueryKey, QueryText) VALUES ('WriteToStorageKey', '
INSERT INTO OrleansStorage (ServiceId, GrainTypeString, GrainIdN0, GrainIdN1, GrainIdExtension,
                            GrainIdHash, GrainTypeHash, PayloadBinary, Version, ModifiedUtc)
SELECT @ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, COALESCE(@GrainIdExtensionString, ''''),
       @GrainIdHash, @GrainTypeHash, @PayloadBinary, 1, strftime(''%Y-%m-%dT%H:%M:%fZ'', ''now'')
WHERE @GrainStateVersion IS NULL
ON CONFLICT DO NOTHING
RETURNING Version AS NewGrainStateVersion;

UPDATE OrleansStorage
SET PayloadBinary = @PayloadBinary,
    Version = Version + 1,
    ModifiedUtc = strftime(''%Y-%m-%dT%H:%M:%fZ'', ''now'')
WHERE @GrainStateVersion IS NOT NULL
  AND ServiceId = @ServiceId
  AND GrainTypeString = @GrainTypeString
  AND GrainIdN0 = @GrainIdN0
  AND GrainIdN1 = @GrainIdN1
  AND GrainIdExtension = COALESCE(@GrainIdExtensionString, '''')
  AND Version = @GrainStateVersion
RETURNING Version AS NewGrainStateVersion;

SELECT @GrainStateVersion AS NewGrainStateVersion
WHERE @GrainStateVersion IS NOT NULL AND changes() = 0;
');

-- Clear keeps the row so that the version keeps counting up across clear and re-create.
INSERT OR REPLACE INTO OrleansQuery (QueryKey, QueryText) VALUES ('ClearStorageKey', '
UPDATE OrleansStorage
SET PayloadBinary = NULL,
    Version = Version + 1,
    ModifiedUtc = strftime(''%Y-%m-%dT%H:%M:%fZ'', ''now'')
WHERE ServiceId = @ServiceId
  AND GrainTypeString = @GrainTypeString
  AND GrainIdN0 = @GrainIdN0
  AND GrainIdN1 = @GrainIdN1
  AND GrainIdExtension = COALESCE(@GrainIdExtensionString, '''')
  AND Version = @GrainStateVersion
RETURNING Version AS NewGrainStateVersion;

SELECT @GrainStateVersion AS NewGrainStateVersion
WHERE @GrainStateVersion IS NOT NULL AND changes() = 0;
');

-- Delete (used when DeleteStateOnClear is set): the row goes; the answer is the next version.
INSERT OR REPLACE INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteStorageKey', '
DELETE FROM OrleansStorage
WHERE ServiceId = @ServiceId
  AND GrainTypeString = @GrainTypeString
  AND GrainIdN0 = @GrainIdN0
  AND GrainIdN1 = @GrainIdN1
  AND GrainIdExtension = COALESCE(@GrainIdExtensionString, '''')
  AND Version = @GrainStateVersion
RETURNING Version + 1 AS NewGrainStateVersion;

SELECT @GrainStateVersion AS NewGrainStateVersion
WHERE @GrainStateVersion IS NOT NULL AND changes() = 0;
');
