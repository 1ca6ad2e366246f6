-- Pages, their articles, and the regions each article is filed under.
-- Times are Unix microseconds (BIGINT, as in the SQLite schema, so both backends share row types).
-- Region codes are INTEGER adcodes so that a prefecture (330100) or province (330000) edition is a
-- range query over its counties: [330100, 330199] and [330000, 339999].
CREATE TABLE pages (
    key          TEXT PRIMARY KEY,           -- page identity: file name or client-given id
    source       TEXT NOT NULL,
    paper        TEXT,
    date         DATE NOT NULL,              -- publication day (or ingest day, see date_source)
    date_source  TEXT NOT NULL,
    content_hash TEXT NOT NULL,              -- equal hash: re-ingest changes nothing
    created_us   BIGINT NOT NULL,
    updated_us   BIGINT NOT NULL
);

CREATE TABLE articles (
    id        TEXT PRIMARY KEY,              -- stable: hash of page key and article text
    page_key  TEXT NOT NULL REFERENCES pages(key) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    date      DATE NOT NULL,                 -- copy of the page's date, for date-ordered reads
    title     TEXT,
    kicker    TEXT,
    subtitle  TEXT,
    byline    TEXT NOT NULL,                 -- JSON array of names
    kind      TEXT NOT NULL,
    regions   TEXT NOT NULL,                 -- JSON array of RegionRef, primary first
    body      TEXT NOT NULL,
    stored_us BIGINT NOT NULL
);
CREATE INDEX articles_page ON articles (page_key, position);
CREATE INDEX articles_date ON articles (date, id);

CREATE TABLE article_regions (
    region     INTEGER NOT NULL,
    date       DATE NOT NULL,
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    PRIMARY KEY (region, date, article_id)
);
CREATE INDEX article_regions_article ON article_regions (article_id);

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO meta (key, value) VALUES ('revision', 0);
