-- Full-text search over articles' titles and bodies, good for Chinese: the text is cut into
-- terms in Rust (`store::terms`): every two adjacent Han characters (a bigram, so a two-character
-- word like 疫情 is one term), the last character of each Han run alone (so one character can be
-- found by prefix), and Latin words and numbers whole, lowercased. FTS5 indexes those terms
-- (`ascii` tokenizer: the terms arrive separated by spaces and are kept whole); a query becomes
-- a phrase of consecutive terms, which matches exactly the texts that contain it.
-- The index keeps no copy of the text (contentless), only the terms' positions.
-- `search_docs` gives each article a stable integer for the FTS rowid; deleting an article
-- (its page replaced) cascades to its `search_docs` row, whose trigger removes the terms.
CREATE TABLE search_docs (
    docid      INTEGER PRIMARY KEY,
    article_id TEXT NOT NULL UNIQUE REFERENCES articles(id) ON DELETE CASCADE
);
CREATE VIRTUAL TABLE article_fts USING fts5(
    terms, content = '', contentless_delete = 1, tokenize = 'ascii'
);
CREATE TRIGGER search_docs_delete AFTER DELETE ON search_docs BEGIN
    DELETE FROM article_fts WHERE rowid = old.docid;
END;
-- Articles stored before this migration are indexed once by the next `Store::connect`.
INSERT INTO meta (key, value) SELECT 'search_backfill', 1 WHERE EXISTS (SELECT 1 FROM articles);
