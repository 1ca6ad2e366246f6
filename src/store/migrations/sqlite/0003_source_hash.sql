-- Hash of the raw file bytes (and the ingest options) a page was last extracted from: a rescan
-- of the inbox skips extraction of files whose hash is unchanged. NULL for pages stored before
-- this column existed and for pages from the API; the next ingest of the file fills it in.
ALTER TABLE pages ADD COLUMN source_hash TEXT;
