-- A subscriber may pause their digests from the manage-subscription page and resume later:
-- `paused_at` is when they paused (Unix seconds), NULL while digests go out. A paused
-- subscriber keeps their regions and confirmation; no digest is composed for them.
ALTER TABLE subscribers ADD COLUMN paused_at INTEGER;
