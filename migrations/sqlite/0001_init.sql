-- dealbot store, SQLite flavour. Times are Unix seconds (UTC). Keep in step with
-- migrations/postgres/0001_init.sql: the same tables, columns and indexes, SQLite types.

-- One row per question answered (or declined).
CREATE TABLE answers (
    id          TEXT PRIMARY KEY,
    at          INTEGER NOT NULL,
    platform    TEXT NOT NULL,
    channel     TEXT,
    user_hash   TEXT NOT NULL,
    -- NULL when store.questions = false.
    question    TEXT,
    normalized  TEXT,
    intent      TEXT,
    answered    INTEGER NOT NULL,
    confidence  REAL NOT NULL,
    verdict     TEXT
);
CREATE INDEX answers_at ON answers (at);

-- One vote per user per answer: a replayed click changes nothing, a changed vote updates.
CREATE TABLE feedback (
    answer_id   TEXT NOT NULL,
    user_hash   TEXT NOT NULL,
    vote        TEXT NOT NULL CHECK (vote IN ('up', 'down')),
    at          INTEGER NOT NULL,
    PRIMARY KEY (answer_id, user_hash)
);
CREATE INDEX feedback_at ON feedback (at);

-- Conversation contexts: an opaque JSON document per conversation key.
CREATE TABLE contexts (
    key         TEXT PRIMARY KEY,
    data        TEXT NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX contexts_expires_at ON contexts (expires_at);

-- De-duplication keys (Slack event ids, interaction ids): the first replica to insert one wins.
CREATE TABLE claims (
    key         TEXT PRIMARY KEY,
    at          INTEGER NOT NULL
);
CREATE INDEX claims_at ON claims (at);

-- Store-wide values, such as the generated user hash key.
CREATE TABLE meta (
    name        TEXT PRIMARY KEY,
    value       TEXT NOT NULL
);
