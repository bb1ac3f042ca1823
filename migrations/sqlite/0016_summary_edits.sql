-- The office's own text in the work summary (src/summary_edit.h): a
-- generated paragraph rewritten (kind 'edit', found again by its stable key
-- para_key) or a paragraph added to a chapter (kind 'add', after para_key or
-- at the chapter's end), per region, year and campaign. body holds the text
-- with the figures tied to the generated paragraph as {i}; figures, the
-- generated paragraph's numbers when the edit was saved (a JSON array).
CREATE TABLE summary_edits (
    id INTEGER PRIMARY KEY,
    region TEXT NOT NULL REFERENCES regions(code),
    year INTEGER NOT NULL,
    campaign TEXT NOT NULL CHECK (campaign IN ('safe', 'drug_free', 'rule_of_law', 'civilized')),
    kind TEXT NOT NULL CHECK (kind IN ('edit', 'add')),
    chapter TEXT NOT NULL,
    para_key TEXT,
    body TEXT NOT NULL,
    figures TEXT NOT NULL DEFAULT '[]',
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX summary_edits_summary ON summary_edits(region, year, campaign);
-- One edit per generated paragraph.
CREATE UNIQUE INDEX summary_edits_one ON summary_edits(region, year, campaign, para_key)
    WHERE kind = 'edit';

-- Who may write a region's summary: the county and township offices hold it
-- through "*:write"; nobody else by default.
