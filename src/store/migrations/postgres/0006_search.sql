-- Full-text search over articles' titles and bodies, good for Chinese: the text is cut into
-- terms in Rust (`store::terms`): every two adjacent Han characters (a bigram, so a two-character
-- word like 疫情 is one term), the last character of each Han run alone (so one character can be
-- found by prefix), and Latin words and numbers whole, lowercased. They are stored as a
-- `tsvector` with their positions, written literally (no text search parser or locale is
-- involved), under a GIN index; a query is a `tsquery` phrase of consecutive terms
-- (`'新冠' <-> '冠疫' <-> '疫情'`), which matches exactly the texts that contain it.
CREATE TABLE article_search (
    article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    terms      TSVECTOR NOT NULL
);
CREATE INDEX article_search_terms ON article_search USING GIN (terms);
-- Articles stored before this migration are indexed once by the next `Store::connect`.
INSERT INTO meta (key, value) SELECT 'search_backfill', 1 WHERE EXISTS (SELECT 1 FROM articles);
