-- `folds`: 1 when NFKC turns some character of the article's indexed text into Han
-- characters it does not hold as such (compatibility ideographs, Kangxi radicals, ㍻). A
-- search for a common Han word walks articles newest first and rules most out by a substring
-- test before asking the index; an article that folds is always asked (its indexed words may
-- not be substrings of its stored text). Rows indexed before this column start as folding
-- (never missed) and are worked out once by the next `Store::connect`.
ALTER TABLE search_docs ADD COLUMN folds INTEGER NOT NULL DEFAULT 1;
INSERT INTO meta (key, value) SELECT 'search_folds_backfill', 1 WHERE EXISTS (SELECT 1 FROM search_docs);
