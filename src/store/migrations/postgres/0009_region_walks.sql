-- Reads of the request path walk an index over the rows they return, at any store size.
--
-- A prefecture's or province's articles, editions and neighbouring days are read through the
-- county code divided down to the parent, exactly as `read.rs` writes it (`region / 100`,
-- `region / 10000`: integer division), so its rows come newest day first, as a county's come
-- from the primary key, instead of every row of every county being gathered and sorted.
CREATE INDEX article_regions_prefecture ON article_regions ((region / 100), date, article_id);
CREATE INDEX article_regions_province ON article_regions ((region / 10000), date, article_id);

-- One row per county edition (a region and a day with articles), and one per region with its
-- newest day and number of editions: the region list (`Store::regions`, read by the OPML, the
-- home page and parent region pages) and the newest editions of every region read these
-- instead of counting the whole edition index. Kept by the statement triggers below on every
-- insert and delete of `article_regions` (ingest, replaced pages' cascades, dating an undated
-- page); rows of `article_regions` are never updated in place.
CREATE TABLE region_days (
    region INTEGER NOT NULL,
    date   DATE NOT NULL,
    PRIMARY KEY (region, date)
);
CREATE INDEX region_days_date ON region_days (date, region);

CREATE TABLE region_activity (
    region   INTEGER PRIMARY KEY,
    latest   DATE NOT NULL,                  -- newest day with articles
    editions BIGINT NOT NULL                 -- days with articles
);

INSERT INTO region_days (region, date) SELECT DISTINCT region, date FROM article_regions;
INSERT INTO region_activity (region, latest, editions)
SELECT region, MAX(date), COUNT(*) FROM region_days GROUP BY region;

-- Both triggers first lock the `region_activity` rows of the regions they touch, in region
-- order (creating missing ones): writers of the same region then take turns, and each one's
-- later statements (READ COMMITTED: a fresh snapshot each) see what the one before committed,
-- so a day emptied by one transaction while another adds to it is counted right.
CREATE FUNCTION region_days_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO region_activity (region, latest, editions)
    SELECT region, MIN(date), 0 FROM added GROUP BY region ORDER BY region
    ON CONFLICT (region) DO UPDATE SET editions = region_activity.editions;
    WITH new_days AS (
        INSERT INTO region_days (region, date)
        SELECT DISTINCT region, date FROM added
        ON CONFLICT DO NOTHING
        RETURNING region, date
    ), counted AS (
        SELECT region, MAX(date) AS latest, COUNT(*) AS n FROM new_days GROUP BY region
    )
    UPDATE region_activity r
    SET latest = GREATEST(r.latest, c.latest), editions = r.editions + c.n
    FROM counted c WHERE r.region = c.region;
    RETURN NULL;
END $$;

CREATE FUNCTION region_days_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM region_activity
    WHERE region IN (SELECT region FROM removed) ORDER BY region FOR UPDATE;
    DELETE FROM region_days d
    USING (SELECT DISTINCT region, date FROM removed) o
    WHERE d.region = o.region AND d.date = o.date
      AND NOT EXISTS (SELECT 1 FROM article_regions ar
                      WHERE ar.region = o.region AND ar.date = o.date);
    DELETE FROM region_activity r
    WHERE r.region IN (SELECT region FROM removed)
      AND NOT EXISTS (SELECT 1 FROM region_days d WHERE d.region = r.region);
    UPDATE region_activity r
    SET latest = s.latest, editions = s.editions
    FROM (SELECT d.region, MAX(d.date) AS latest, COUNT(*) AS editions
          FROM region_days d WHERE d.region IN (SELECT region FROM removed)
          GROUP BY d.region) s
    WHERE r.region = s.region;
    RETURN NULL;
END $$;

CREATE TRIGGER article_regions_added AFTER INSERT ON article_regions
REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION region_days_added();
CREATE TRIGGER article_regions_removed AFTER DELETE ON article_regions
REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION region_days_removed();
