-- Pages, their articles, and the regions each article is filed under.
-- Times are Unix microseconds (INTEGER), dates are YYYY-MM-DD text: both sort correctly.
-- Region codes are INTEGER adcodes so that a prefecture (330100) or province (330000) edition is a
-- range query over its counties: [330100, 330199] and [330000, 339999].
CREATE TABLE pages (
    key          TEXT PRIMARY KEY NOT NULL,  -- page identity: file name or client-given id
    source       TEXT NOT NULL,              -- where the text came from
    paper        TEXT,
    date         TEXT NOT NULL,              -- publication day (or ingest day, see date_source)
    date_source  TEXT NOT NULL,
    content_hash TEXT NOT NULL,              -- equal hash: re-ingest changes nothing
    created_us   INTEGER NOT NULL,           -- first ingest
    updated_us   INTEGER NOT NULL            -- last change of content
);

CREATE TABLE articles (
    id        TEXT PRIMARY KEY NOT NULL,     -- stable: hash of page key and article text
    page_key  TEXT NOT NULL REFERENCES pages(key) ON DELETE CASCADE,
    position  INTEGER NOT NULL,              -- reading order on the page, from 0
    date      TEXT NOT NULL,                 -- copy of the page's date, for date-ordered reads
    title     TEXT,
    kicker    TEXT,
    subtitle  TEXT,
    byline    TEXT NOT NULL,                 -- JSON array of names
    kind      TEXT NOT NULL,
    regions   TEXT NOT NULL,                 -- JSON array of RegionRef, primary first
    body      TEXT NOT NULL,
    stored_us INTEGER NOT NULL               -- first time this article id was stored
);
CREATE INDEX articles_page ON articles (page_key, position);
CREATE INDEX articles_date ON articles (date, id);

-- One row per (article, region it is filed under): the edition index.
CREATE TABLE article_regions (
    region     INTEGER NOT NULL,             -- county-level adcode (or xxxx00 prefecture-only)
    date       TEXT NOT NULL,
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    PRIMARY KEY (region, date, article_id)
) WITHOUT ROWID;
CREATE INDEX article_regions_article ON article_regions (article_id);

-- Small counters; `revision` grows on every change of content (cache invalidation).
CREATE TABLE meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value INTEGER NOT NULL
);
INSERT INTO meta (key, value) VALUES ('revision', 0);
