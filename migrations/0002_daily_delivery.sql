-- 0002: what the daily-question scheduler needs to post exactly once and recover.
--
-- channel_decks + channel_schedules.deck_pos: the order in which a channel is dealt its
-- questions (comma-separated ids; ids never hold commas) and the next position, so
-- choosing reads one row instead of the post history. A normal day moves only the
-- position: the deck lives in its own table so that write stays small.
-- daily_posts.status follows one post through delivery:
--   posting   claimed and being sent (found at start-up: the bot stopped mid-post)
--   retry     the platform refused the last try; another try is due
--   posted    the platform returned a message reference
--   failed    given up (retries spent or no access); nothing was posted
--   in_doubt  the bot stopped mid-post or the send ended unclearly; reported, never re-sent
-- reveal_ref is set once the reveal is posted; revealed_at alone means it is in flight.

ALTER TABLE channel_schedules ADD COLUMN deck_pos INTEGER NOT NULL DEFAULT 0
    CHECK (deck_pos >= 0);

CREATE TABLE channel_decks (
    schedule_id INTEGER PRIMARY KEY REFERENCES channel_schedules (id),
    ids         TEXT NOT NULL
);

-- Choosing no longer reads the post history by question.
DROP INDEX daily_posts_channel_question;

ALTER TABLE daily_posts ADD COLUMN status TEXT NOT NULL DEFAULT 'posted'
    CHECK (status IN ('posting', 'retry', 'posted', 'failed', 'in_doubt'));
ALTER TABLE daily_posts ADD COLUMN due_at TEXT;
ALTER TABLE daily_posts ADD COLUMN tries INTEGER NOT NULL DEFAULT 0 CHECK (tries >= 0);
ALTER TABLE daily_posts ADD COLUMN last_error TEXT CHECK (last_error IS NULL OR length(last_error) <= 500);
ALTER TABLE daily_posts ADD COLUMN reveal_ref TEXT;

-- Posts still on their way, and reveals still owed: both are looked up at start-up.
CREATE INDEX daily_posts_unsettled ON daily_posts (status) WHERE status IN ('posting', 'retry');
CREATE INDEX daily_posts_reveal_due ON daily_posts (reveal_at)
    WHERE revealed_at IS NULL AND status = 'posted';

-- One weekly recap per channel and week, claimed like a daily post.
CREATE TABLE weekly_recaps (
    id          INTEGER PRIMARY KEY,
    schedule_id INTEGER NOT NULL REFERENCES channel_schedules (id),
    week_start  TEXT NOT NULL CHECK (week_start GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    claimed_at  TEXT NOT NULL,
    message_ref TEXT,
    UNIQUE (schedule_id, week_start)
);
