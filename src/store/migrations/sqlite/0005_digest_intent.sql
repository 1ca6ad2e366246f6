-- Crash safety of the digest send ledger. `intent_at`: when the claiming run was about to hand
-- the digest (with its deterministic Message-ID in `message_id`) to the mail server; set and
-- committed before the SMTP transaction starts, cleared when the row is marked. A claimed row
-- with an intent whose run died may have been delivered. `uncertain`: 1 on a `sent` row that
-- a later run found in that state and did not send again (at-most-once; `digest send
-- --resend-uncertain` sends these again).
ALTER TABLE digest_ledger ADD COLUMN intent_at INTEGER;
ALTER TABLE digest_ledger ADD COLUMN uncertain INTEGER NOT NULL DEFAULT 0;
