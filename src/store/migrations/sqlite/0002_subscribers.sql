-- Digest subscribers, their regions, and the send ledger (exactly-once per subscriber and day).
-- Times are Unix seconds (INTEGER) so that both backends compare them the same way.
CREATE TABLE subscribers (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    email           TEXT NOT NULL UNIQUE,          -- lower-cased address
    created_at      INTEGER NOT NULL,
    confirmed_at    INTEGER,                       -- NULL until the confirmation link is used
    confirm_sent_at INTEGER,                       -- last confirmation mail (rate limit)
    last_error      TEXT,                          -- last permanent delivery failure
    failed_at       INTEGER
);

CREATE TABLE subscriptions (
    subscriber_id INTEGER NOT NULL REFERENCES subscribers(id) ON DELETE CASCADE,
    region        TEXT NOT NULL,                   -- 6-digit adcode (county, prefecture or province)
    PRIMARY KEY (subscriber_id, region)
);

CREATE TABLE digest_ledger (
    subscriber_id INTEGER NOT NULL REFERENCES subscribers(id) ON DELETE CASCADE,
    day           TEXT NOT NULL,                   -- digest day, YYYY-MM-DD
    status        TEXT NOT NULL CHECK (status IN ('claimed', 'sent', 'failed', 'rejected', 'empty')),
    owner         TEXT NOT NULL,                   -- which run claimed it
    lease_until   INTEGER NOT NULL,                -- a claim older than this may be taken over
    attempts      INTEGER NOT NULL DEFAULT 1,
    editions      INTEGER NOT NULL DEFAULT 0,
    through_day   TEXT,                            -- newest edition day the digest covered
    message_id    TEXT,
    content_at    INTEGER,                   -- when the digest's content was read (next one starts there)
    error         TEXT,
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (subscriber_id, day)
);
CREATE INDEX digest_ledger_status ON digest_ledger (day, status);
