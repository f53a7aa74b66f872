-- 0006: 'me delete' and team stats.
--
-- The points ledger stays append-only, with one exception: the rows of a person whose
-- data is being erased. The erasing transaction first writes that person's id into
-- user_erasures, deletes their rows everywhere, then removes the marker, so outside
-- that one transaction the ledger still refuses every DELETE.

CREATE TABLE user_erasures (
    user_id INTEGER PRIMARY KEY  -- no foreign key: the user row is deleted too
);

DROP TRIGGER points_ledger_no_delete;
CREATE TRIGGER points_ledger_no_delete BEFORE DELETE ON points_ledger
WHEN NOT EXISTS (SELECT 1 FROM user_erasures WHERE user_id = OLD.user_id)
BEGIN
    SELECT RAISE(ABORT, 'points_ledger is append-only');
END;

-- 'stats team' reads a team's recent attempts by local date.
CREATE INDEX attempts_team_day ON attempts (team_id, local_date);
