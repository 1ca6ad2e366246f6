-- Digest subscribers, their regions, and the send ledger (exactly-once per subscriber and day).
-- Times are Unix seconds (BIGINT) so that both backends compare them the same way.
CREATE TABLE subscribers (
    id              BIGSERIAL PRIMARY KEY,
    email           TEXT NOT NULL UNIQUE,
    created_at      BIGINT NOT NULL,
    confirmed_at    BIGINT,
    confirm_sent_at BIGINT,
    last_error      TEXT,
    failed_at       BIGINT
);

CREATE TABLE subscriptions (
    subscriber_id BIGINT NOT NULL REFERENCES subscribers(id) ON DELETE CASCADE,
    region        TEXT NOT NULL,
    PRIMARY KEY (subscriber_id, region)
);

CREATE TABLE digest_ledger (
    subscriber_id BIGINT NOT NULL REFERENCES subscribers(id) ON DELETE CASCADE,
    day           TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('claimed', 'sent', 'failed', 'rejected', 'empty')),
    owner         TEXT NOT NULL,
    lease_until   BIGINT NOT NULL,
    attempts      BIGINT NOT NULL DEFAULT 1,
    editions      BIGINT NOT NULL DEFAULT 0,
    through_day   TEXT,
    message_id    TEXT,
    content_at    BIGINT,
    error         TEXT,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (subscriber_id, day)
);
CREATE INDEX digest_ledger_status ON digest_ledger (day, status);
