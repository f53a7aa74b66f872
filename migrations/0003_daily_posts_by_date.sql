-- 0003: daily_posts keyed by date first, so a daily round writes few pages.
--
-- The one-post-per-day claim was UNIQUE (team_id, channel_id, local_date): channel first,
-- so each channel's claim landed on a different index page and a round over 10,000
-- channels dirtied 10,000 pages (about 40 MB of WAL, and a checkpoint mid-round).
-- Keyed (team_id, local_date, channel_id), a day's claims sit side by side at the end of
-- the index. Lookups by channel now name their dates (point lookups), and the posts
-- still waiting for their reveal have a small index of their own by channel.
-- SQLite cannot change a table's UNIQUE constraint in place: the table is rebuilt (the
-- migration runner turns foreign keys off around it and checks them before committing).

CREATE TABLE daily_posts_new (
    id          INTEGER PRIMARY KEY,
    team_id     INTEGER NOT NULL REFERENCES teams (id),
    channel_id  TEXT NOT NULL,
    local_date  TEXT NOT NULL CHECK (local_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    question_id TEXT NOT NULL,
    claimed_at  TEXT NOT NULL,
    posted_at   TEXT,
    message_ref TEXT,
    reveal_at   TEXT,
    revealed_at TEXT,
    status      TEXT NOT NULL DEFAULT 'posted'
        CHECK (status IN ('posting', 'retry', 'posted', 'failed', 'in_doubt')),
    due_at      TEXT,
    tries       INTEGER NOT NULL DEFAULT 0 CHECK (tries >= 0),
    last_error  TEXT CHECK (last_error IS NULL OR length(last_error) <= 500),
    reveal_ref  TEXT,
    UNIQUE (team_id, local_date, channel_id)
);

INSERT INTO daily_posts_new (id, team_id, channel_id, local_date, question_id, claimed_at,
    posted_at, message_ref, reveal_at, revealed_at, status, due_at, tries, last_error, reveal_ref)
SELECT id, team_id, channel_id, local_date, question_id, claimed_at, posted_at, message_ref,
    reveal_at, revealed_at, status, due_at, tries, last_error, reveal_ref
FROM daily_posts ORDER BY team_id, local_date, channel_id;

DROP TABLE daily_posts;
ALTER TABLE daily_posts_new RENAME TO daily_posts;

-- Posts on their way ('posting' or 'retry'): looked up at start-up.
CREATE INDEX daily_posts_unsettled ON daily_posts (status) WHERE status IN ('posting', 'retry');
-- Posts whose answer is still owed, by channel: a daily run reveals its channel's, and
-- start-up reads them all. Small: about one row per channel.
CREATE INDEX daily_posts_unrevealed ON daily_posts (team_id, channel_id)
    WHERE revealed_at IS NULL AND status = 'posted';
