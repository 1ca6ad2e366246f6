-- A page is recognised by its text as well as its name: `text_hash` is SHA-256 of the decoded
-- page text, NFKC-normalised with whitespace removed (see `ingest::text_hash`). A page under a
-- new name whose text hash is stored already is a copy and stores nothing. NULL for pages
-- stored before this column existed (the next extraction of their file fills it in) and for
-- pages stored without their text.
ALTER TABLE pages ADD COLUMN text_hash TEXT;
CREATE INDEX pages_text_hash ON pages (text_hash);

-- Undated pages (date_source 'ingested': no date printed, none given) stay out of the edition
-- index, so they appear in no edition, feed or digest. Their articles are filed per region here
-- instead; `articles.date` keeps the ingest day. Dating the page (`pages set-date`) moves its
-- rows into `article_regions`.
CREATE TABLE undated_regions (
    region     INTEGER NOT NULL,             -- county-level adcode (or xxxx00 prefecture-only)
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    PRIMARY KEY (region, article_id)
) WITHOUT ROWID;
CREATE INDEX undated_regions_article ON undated_regions (article_id);

-- Undated pages stored so far leave the editions they were filed under.
INSERT INTO undated_regions (region, article_id)
SELECT ar.region, ar.article_id
FROM article_regions AS ar
JOIN articles AS a ON a.id = ar.article_id
JOIN pages AS p ON p.key = a.page_key
WHERE p.date_source = 'ingested'
ON CONFLICT DO NOTHING;
DELETE FROM article_regions
WHERE article_id IN (
    SELECT a.id FROM articles AS a JOIN pages AS p ON p.key = a.page_key
    WHERE p.date_source = 'ingested'
);
-- Cached documents built before this change are stale when anything moved.
UPDATE meta SET value = value + 1
WHERE key = 'revision' AND EXISTS (SELECT 1 FROM undated_regions);
