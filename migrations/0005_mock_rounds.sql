-- 0005: mock interview rounds.
--
-- A round is a quiz_sessions row (mode 'mock') holding the questions and the position,
-- plus this row for what only a mock has: its kind, its time budget and whether it is
-- paused. A paused round's session is closed ('abandoned') so that the one-active-
-- session rule still holds; resuming reopens it. mock_slots keeps the time spent on
-- each question, excluding pauses.

CREATE TABLE mock_rounds (
    session_id     INTEGER PRIMARY KEY REFERENCES quiz_sessions (id),
    user_id        INTEGER NOT NULL REFERENCES users (id),
    kind           TEXT NOT NULL CHECK (kind IN ('mixed', 'technical', 'system-design', 'behavioral')),
    budget_seconds INTEGER NOT NULL CHECK (budget_seconds > 0),
    status         TEXT NOT NULL DEFAULT 'active'
                   CHECK (status IN ('active', 'paused', 'finished', 'abandoned')),
    started_at     TEXT NOT NULL,
    finished_at    TEXT,
    CHECK ((finished_at IS NULL) = (status IN ('active', 'paused')))
);
-- At most one unfinished round per person: 'mock' offers to resume it instead.
CREATE UNIQUE INDEX mock_rounds_one_open ON mock_rounds (user_id)
    WHERE status IN ('active', 'paused');
CREATE INDEX mock_rounds_user ON mock_rounds (user_id, started_at);

CREATE TABLE mock_slots (
    session_id     INTEGER NOT NULL REFERENCES mock_rounds (session_id),
    slot           INTEGER NOT NULL CHECK (slot >= 0),
    question_id    TEXT NOT NULL,
    budget_seconds INTEGER NOT NULL CHECK (budget_seconds > 0),
    shown_at       TEXT,  -- when the question was last put in front of the person; NULL while paused or done
    seconds        INTEGER NOT NULL DEFAULT 0 CHECK (seconds >= 0),
    outcome        TEXT CHECK (outcome IS NULL OR outcome IN ('answered', 'skipped')),
    PRIMARY KEY (session_id, slot)
) WITHOUT ROWID;
