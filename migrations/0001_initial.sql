-- 0001: teams, users, quiz sessions, attempts, the points ledger and its totals,
-- streaks, spaced-repetition cards, channel schedules and daily posts.
-- All times are UTC text 'YYYY-MM-DD HH:MM:SS.ffffff'; local dates are 'YYYY-MM-DD'.

CREATE TABLE teams (
    id          INTEGER PRIMARY KEY,
    platform    TEXT NOT NULL CHECK (platform IN ('console', 'discord', 'slack')),
    external_id TEXT NOT NULL CHECK (length(external_id) BETWEEN 1 AND 200),
    timezone    TEXT NOT NULL DEFAULT 'UTC',
    created_at  TEXT NOT NULL,
    UNIQUE (platform, external_id)
);

CREATE TABLE users (
    id           INTEGER PRIMARY KEY,
    team_id      INTEGER NOT NULL REFERENCES teams (id),
    external_id  TEXT NOT NULL CHECK (length(external_id) BETWEEN 1 AND 200),
    display_name TEXT NOT NULL DEFAULT '' CHECK (length(display_name) <= 200),
    created_at   TEXT NOT NULL,
    UNIQUE (team_id, external_id)
);

CREATE TABLE quiz_sessions (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    mode         TEXT NOT NULL DEFAULT 'quiz' CHECK (mode IN ('quiz', 'practice', 'mock')),
    topic        TEXT,
    difficulty   TEXT CHECK (difficulty IS NULL OR difficulty IN ('easy', 'medium', 'hard')),
    question_ids TEXT NOT NULL CHECK (json_valid(question_ids) AND json_array_length(question_ids) >= 1),
    position     INTEGER NOT NULL DEFAULT 0 CHECK (position >= 0),
    awaiting     TEXT NOT NULL DEFAULT 'answer' CHECK (awaiting IN ('answer', 'rating')),
    answered     INTEGER NOT NULL DEFAULT 0 CHECK (answered >= 0),
    correct      INTEGER NOT NULL DEFAULT 0 CHECK (correct BETWEEN 0 AND answered),
    points       INTEGER NOT NULL DEFAULT 0 CHECK (points >= 0),
    status       TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'finished', 'abandoned')),
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
-- One quiz in progress per person: starting a new one closes the old one first.
CREATE UNIQUE INDEX quiz_sessions_one_active ON quiz_sessions (user_id) WHERE status = 'active';

CREATE TABLE channel_schedules (
    id                 INTEGER PRIMARY KEY,
    team_id            INTEGER NOT NULL REFERENCES teams (id),
    channel_id         TEXT NOT NULL CHECK (length(channel_id) BETWEEN 1 AND 200),
    post_time          TEXT NOT NULL CHECK (post_time GLOB '[0-2][0-9]:[0-5][0-9]'),
    timezone           TEXT NOT NULL,
    weekdays           TEXT NOT NULL DEFAULT 'mon,tue,wed,thu,fri,sat,sun',
    topics             TEXT CHECK (topics IS NULL OR json_valid(topics)),
    difficulty         TEXT CHECK (difficulty IS NULL OR difficulty IN ('easy', 'medium', 'hard', 'mixed')),
    reveal_after_hours INTEGER CHECK (reveal_after_hours IS NULL OR reveal_after_hours BETWEEN 1 AND 168),
    recap_weekday      TEXT CHECK (recap_weekday IS NULL OR recap_weekday IN ('mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun')),
    recap_time         TEXT CHECK (recap_time IS NULL OR recap_time GLOB '[0-2][0-9]:[0-5][0-9]'),
    admin_user_id      TEXT,
    enabled            INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    paused_reason      TEXT,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    UNIQUE (team_id, channel_id)
);

-- The claim row that makes a daily post happen at most once per channel and local date.
CREATE TABLE daily_posts (
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
    UNIQUE (team_id, channel_id, local_date)
);
CREATE INDEX daily_posts_channel_question ON daily_posts (team_id, channel_id, question_id);

CREATE TABLE attempts (
    id            INTEGER PRIMARY KEY,
    team_id       INTEGER NOT NULL REFERENCES teams (id),
    user_id       INTEGER NOT NULL REFERENCES users (id),
    question_id   TEXT NOT NULL,
    topic         TEXT NOT NULL,
    source        TEXT NOT NULL CHECK (source IN ('quiz', 'practice', 'mock', 'daily')),
    session_id    INTEGER REFERENCES quiz_sessions (id),
    slot          INTEGER CHECK (slot IS NULL OR slot >= 0),
    daily_post_id INTEGER REFERENCES daily_posts (id),
    choice        INTEGER CHECK (choice IS NULL OR choice BETWEEN 0 AND 3),
    answer_text   TEXT CHECK (answer_text IS NULL OR length(answer_text) BETWEEN 1 AND 4000),
    correct       INTEGER NOT NULL CHECK (correct IN (0, 1)),
    coverage      REAL CHECK (coverage IS NULL OR coverage BETWEEN 0 AND 1),
    points        INTEGER NOT NULL DEFAULT 0 CHECK (points >= 0),
    self_rating   INTEGER CHECK (self_rating IS NULL OR self_rating BETWEEN 1 AND 4),
    local_date    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    CHECK ((choice IS NULL) <> (answer_text IS NULL)),
    CHECK ((session_id IS NULL) = (slot IS NULL))
);
-- A double click can never record two answers for one quiz slot or one daily post.
CREATE UNIQUE INDEX attempts_one_per_slot ON attempts (session_id, slot) WHERE session_id IS NOT NULL;
CREATE UNIQUE INDEX attempts_one_per_daily ON attempts (daily_post_id, user_id) WHERE daily_post_id IS NOT NULL;
CREATE INDEX attempts_user_topic ON attempts (user_id, topic, correct);

-- Which questions a person has been shown, so quizzes offer unseen ones first.
CREATE TABLE questions_seen (
    user_id       INTEGER NOT NULL REFERENCES users (id),
    question_id   TEXT NOT NULL,
    first_seen_at TEXT NOT NULL,
    PRIMARY KEY (user_id, question_id)
) WITHOUT ROWID;

-- Append-only: points are earned once per (user, question, scope), scope being
-- 'practice' for quizzes and 'daily:<post id>' for a daily question. The rule is the
-- primary key, so the schema itself refuses a second scored attempt.
CREATE TABLE points_ledger (
    user_id     INTEGER NOT NULL REFERENCES users (id),
    question_id TEXT NOT NULL,
    scope       TEXT NOT NULL,
    team_id     INTEGER NOT NULL REFERENCES teams (id),
    attempt_id  INTEGER NOT NULL REFERENCES attempts (id),
    points      INTEGER NOT NULL CHECK (points >= 0),
    week_start  TEXT NOT NULL,
    month_start TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (user_id, question_id, scope)
) WITHOUT ROWID;

CREATE TRIGGER points_ledger_no_update BEFORE UPDATE ON points_ledger
BEGIN
    SELECT RAISE(ABORT, 'points_ledger is append-only');
END;

CREATE TRIGGER points_ledger_no_delete BEFORE DELETE ON points_ledger
BEGIN
    SELECT RAISE(ABORT, 'points_ledger is append-only');
END;

-- Leaderboard totals per period, derived from the ledger by this trigger only.
-- No index on points: a team's rows for one period are read by primary-key prefix
-- and sorted, which stays in the low milliseconds and keeps each answer's writes small.
CREATE TABLE points_totals (
    team_id      INTEGER NOT NULL REFERENCES teams (id),
    period       TEXT NOT NULL CHECK (period IN ('week', 'month', 'all')),
    period_start TEXT NOT NULL,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    points       INTEGER NOT NULL CHECK (points >= 0),
    PRIMARY KEY (team_id, period, period_start, user_id)
) WITHOUT ROWID;

CREATE TRIGGER points_ledger_totals AFTER INSERT ON points_ledger
BEGIN
    INSERT INTO points_totals (team_id, period, period_start, user_id, points)
    VALUES (NEW.team_id, 'all', '', NEW.user_id, NEW.points),
           (NEW.team_id, 'week', NEW.week_start, NEW.user_id, NEW.points),
           (NEW.team_id, 'month', NEW.month_start, NEW.user_id, NEW.points)
    ON CONFLICT (team_id, period, period_start, user_id)
    DO UPDATE SET points = points + excluded.points;
END;

CREATE TABLE streaks (
    user_id          INTEGER PRIMARY KEY REFERENCES users (id),
    team_id          INTEGER NOT NULL REFERENCES teams (id),
    current          INTEGER NOT NULL DEFAULT 0 CHECK (current >= 0),
    longest          INTEGER NOT NULL DEFAULT 0 CHECK (longest >= current),
    freezes          INTEGER NOT NULL DEFAULT 0 CHECK (freezes BETWEEN 0 AND 2),
    last_active_date TEXT,
    updated_at       TEXT NOT NULL
);
CREATE INDEX streaks_team_current ON streaks (team_id, current DESC);

-- One FSRS card per (user, question); the card itself is fsrs's own JSON. Due cards
-- are found by primary-key prefix (one user's cards), so due_at needs no index.
CREATE TABLE sr_cards (
    user_id     INTEGER NOT NULL REFERENCES users (id),
    question_id TEXT NOT NULL,
    card        TEXT NOT NULL CHECK (json_valid(card)),
    due_at      TEXT NOT NULL,
    reviews     INTEGER NOT NULL DEFAULT 0 CHECK (reviews >= 0),
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (user_id, question_id)
) WITHOUT ROWID;
