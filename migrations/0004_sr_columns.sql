-- 0004: spaced-repetition cards in real columns, a review log, and the scheduler's
-- parameters stored with the data.
--
-- Cards were fsrs's own JSON in one column. As columns, "what is due" is an index range
-- scan and the schema checks the values; the JSON is kept nowhere. Every review is
-- logged (rating, where it came from, the interval it gave), which is what a later
-- optimisation of the parameters needs. The scheduler's parameters are stored once
-- (sr_parameters) and read back on every review, so a newer fsrs with other defaults
-- cannot silently reschedule existing cards.

CREATE TABLE sr_cards_new (
    user_id        INTEGER NOT NULL REFERENCES users (id),
    question_id    TEXT NOT NULL,
    state          INTEGER NOT NULL CHECK (state IN (1, 2, 3)),  -- learning, review, relearning
    step           INTEGER CHECK (step IS NULL OR step >= 0),
    stability      REAL CHECK (stability IS NULL OR stability > 0),
    difficulty     REAL CHECK (difficulty IS NULL OR difficulty BETWEEN 1 AND 10),
    due_at         TEXT NOT NULL,
    last_review_at TEXT,
    reviews        INTEGER NOT NULL DEFAULT 0 CHECK (reviews >= 0),
    lapses         INTEGER NOT NULL DEFAULT 0 CHECK (lapses BETWEEN 0 AND reviews),
    updated_at     TEXT NOT NULL,
    PRIMARY KEY (user_id, question_id)
) WITHOUT ROWID;

-- Existing cards: fsrs's JSON times are ISO with an offset; stored times are UTC
-- "YYYY-MM-DD HH:MM:SS.ffffff" like every other column.
INSERT INTO sr_cards_new (user_id, question_id, state, step, stability, difficulty, due_at,
                          last_review_at, reviews, lapses, updated_at)
SELECT user_id, question_id,
       json_extract(card, '$.state'),
       json_extract(card, '$.step'),
       json_extract(card, '$.stability'),
       json_extract(card, '$.difficulty'),
       due_at,
       CASE WHEN json_extract(card, '$.last_review') IS NULL THEN NULL
            ELSE strftime('%Y-%m-%d %H:%M:%f000', json_extract(card, '$.last_review')) END,
       reviews, 0, updated_at
FROM sr_cards;

DROP TABLE sr_cards;
ALTER TABLE sr_cards_new RENAME TO sr_cards;
CREATE INDEX sr_cards_due ON sr_cards (user_id, due_at);

CREATE TABLE sr_reviews (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL,
    question_id TEXT NOT NULL,
    rating      INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
    source      TEXT NOT NULL CHECK (source IN ('quiz', 'practice', 'mock', 'daily')),
    reviewed_at TEXT NOT NULL,
    due_at      TEXT NOT NULL,  -- when the review made the card due next
    FOREIGN KEY (user_id, question_id) REFERENCES sr_cards (user_id, question_id)
);
CREATE INDEX sr_reviews_user ON sr_reviews (user_id, reviewed_at);

CREATE TABLE sr_parameters (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    scheduler TEXT NOT NULL CHECK (json_valid(scheduler)),  -- fsrs Scheduler.to_json()
    saved_at  TEXT NOT NULL
);
