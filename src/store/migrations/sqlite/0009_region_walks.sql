-- Reads of the request path walk an index over the rows they return, at any store size.
--
-- A prefecture's or province's articles, editions and neighbouring days are read through the
-- county code divided down to the parent, exactly as `read.rs` writes it (`region / 100`,
-- `region / 10000`: integer division), so its rows come newest day first, as a county's come
-- from the primary key, instead of every row of every county being gathered and sorted.
CREATE INDEX article_regions_prefecture ON article_regions (region / 100, date, article_id);
CREATE INDEX article_regions_province ON article_regions (region / 10000, date, article_id);

-- One row per county edition (a region and a day with articles), and one per region with its
-- newest day and number of editions: the region list (`Store::regions`, read by the OPML, the
-- home page and parent region pages) and the newest editions of every region read these
-- instead of counting the whole edition index. Kept by the triggers below on every insert and
-- delete of `article_regions` (ingest, replaced pages' cascades, dating an undated page); rows
-- of `article_regions` are never updated in place.
CREATE TABLE region_days (
    region INTEGER NOT NULL,
    date   TEXT NOT NULL,
    PRIMARY KEY (region, date)
) WITHOUT ROWID;
CREATE INDEX region_days_date ON region_days (date, region);

CREATE TABLE region_activity (
    region   INTEGER PRIMARY KEY NOT NULL,
    latest   TEXT NOT NULL,                  -- newest day with articles
    editions INTEGER NOT NULL                -- days with articles
);

INSERT INTO region_days (region, date) SELECT DISTINCT region, date FROM article_regions;
INSERT INTO region_activity (region, latest, editions)
SELECT region, MAX(date), COUNT(*) FROM region_days GROUP BY region;

CREATE TRIGGER article_regions_added AFTER INSERT ON article_regions
BEGIN
    INSERT INTO region_days (region, date) VALUES (new.region, new.date) ON CONFLICT DO NOTHING;
END;

CREATE TRIGGER article_regions_removed AFTER DELETE ON article_regions
WHEN NOT EXISTS (SELECT 1 FROM article_regions WHERE region = old.region AND date = old.date)
BEGIN
    DELETE FROM region_days WHERE region = old.region AND date = old.date;
END;

CREATE TRIGGER region_days_added AFTER INSERT ON region_days
BEGIN
    INSERT INTO region_activity (region, latest, editions) VALUES (new.region, new.date, 1)
    ON CONFLICT (region) DO UPDATE
        SET latest = max(latest, excluded.latest), editions = editions + 1;
END;

CREATE TRIGGER region_days_removed AFTER DELETE ON region_days
BEGIN
    UPDATE region_activity
    SET editions = editions - 1,
        latest = coalesce((SELECT MAX(date) FROM region_days WHERE region = old.region), latest)
    WHERE region = old.region;
    DELETE FROM region_activity WHERE region = old.region AND editions <= 0;
END;
