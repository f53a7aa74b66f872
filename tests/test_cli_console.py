"""The mlprep command end to end: subprocesses fed on stdin, checked on output and database."""

from __future__ import annotations

import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES

SECRET = "xoxb-not-a-real-token-0000"


def mlprep(
    tmp_path: Path,
    *args: str,
    stdin: str = "",
    env: dict[str, str] | None = None,
    default_database: bool = False,
) -> subprocess.CompletedProcess[str]:
    base = {
        k: v for k, v in os.environ.items() if not k.startswith(("MLPREP_", "DISCORD_", "SLACK_"))
    }
    base.update(MLPREP_CONTENT_DIR=str(FIXTURES / "bank"), USER="tester")
    if not default_database:
        base["MLPREP_DATABASE_PATH"] = str(tmp_path / "bot.db")
    base.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "adapters.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=base,
        timeout=60,
    )


SCRIPT = """\
help
quiz alpha hard 1
3
quiz alpha medium 1
help
We compare training error with validation error, add dropout and use early stopping.
3
quiz nosuchtopic
quiz alpha 99
stats
streak
leaderboard
leaderboard all
"""


def test_console_session_from_piped_stdin(tmp_path: Path):
    result = mlprep(tmp_path, "console", stdin=SCRIPT)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "> " not in out and "Bye" not in out  # no prompt noise when piped
    assert "== Commands ==" in out
    assert "== Question 1 of 1 · Alpha topic · hard ==" in out
    assert "1) Option one" in out and "(Type a number 1-5.)" in out
    assert "Right! +30 points." in out
    assert "You covered 3 of 4 key points: " in out and "+15 points." in out
    assert "Rated Good." in out and "Quiz complete!" in out
    assert "There is no topic 'nosuchtopic'" in out
    assert "A quiz can have 1 to 20 questions, not 99." in out
    assert "Attempts: 2   Right: 2 (100%)   Points: 45" in out
    [chart] = list((tmp_path / "files").glob("stats-*.png"))  # beside the database
    assert f"Saved: {chart}" in out and chart.read_bytes().startswith(b"\x89PNG")
    assert "Current streak: 1 day" in out
    assert " 1. 45 pts  tester  <- you" in out
    assert "Traceback" not in result.stderr
    with sqlite3.connect(tmp_path / "bot.db") as db:
        attempts = db.execute(
            "SELECT question_id, correct, points FROM attempts ORDER BY id"
        ).fetchall()
        assert attempts == [("a-choice-hard", 1, 30), ("a-open-medium", 1, 15)]
        assert db.execute("SELECT sum(points) FROM points_ledger").fetchone() == (45,)
        assert db.execute("SELECT self_rating FROM attempts WHERE id = 2").fetchone() == (3,)


def test_run_without_tokens_starts_the_console_and_says_so(tmp_path: Path):
    result = mlprep(tmp_path, "run", stdin="topics\n")
    assert result.returncode == 0
    notice = [line for line in result.stderr.splitlines() if "console" in line]
    db = tmp_path / "bot.db"
    assert notice == [
        f"No DISCORD_TOKEN or SLACK_BOT_TOKEN set: starting the local console on {db}."
    ]
    assert "alpha - Alpha topic" in result.stdout


def test_default_database_lives_under_data(tmp_path: Path):
    result = mlprep(tmp_path, "console", stdin="quiz alpha easy 1\n1\n", default_database=True)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "mlprep.db").is_file()


def test_end_of_input_mid_question_exits_cleanly(tmp_path: Path):
    result = mlprep(tmp_path, "console", stdin="quiz alpha medium 1\n")
    assert result.returncode == 0 and result.stderr == ""


def test_tokens_are_never_printed(tmp_path: Path):
    with socket.socket() as s:  # a loopback port nobody listens on: Slack is unreachable
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = mlprep(
        tmp_path,
        "run",
        env={
            "SLACK_BOT_TOKEN": SECRET,
            "SLACK_APP_TOKEN": SECRET + "-app",
            "MLPREP_SLACK_API_URL": f"http://127.0.0.1:{port}/api",
            "MLPREP_LOG_LEVEL": "DEBUG",
        },
    )
    assert result.returncode == 2
    assert f"Cannot reach the Slack Web API at http://127.0.0.1:{port}/api/" in result.stderr
    assert SECRET not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_a_bot_token_without_app_token_or_signing_secret_says_what_to_set(tmp_path: Path):
    result = mlprep(tmp_path, "run", env={"SLACK_BOT_TOKEN": SECRET})
    assert result.returncode == 2
    assert "set SLACK_APP_TOKEN for Socket Mode, or SLACK_SIGNING_SECRET" in result.stderr
    assert SECRET not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("env", "setting"),
    [
        ({"MLPREP_TIMEZONE": "Mars/Olympus_Mons"}, "MLPREP_TIMEZONE"),
        ({"MLPREP_LOG_LEVEL": "LOUD"}, "MLPREP_LOG_LEVEL"),
        ({"MLPREP_EXTRA_CONTENT_DIR": "/no/such/dir"}, "MLPREP_EXTRA_CONTENT_DIR"),
    ],
)
def test_bad_setting_is_one_clear_line_and_exit_2(
    tmp_path: Path, env: dict[str, str], setting: str
):
    result = mlprep(tmp_path, "run", env=env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Configuration error: {setting}:")
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "bot.db").exists()


def test_corrupt_database_is_refused_and_untouched(tmp_path: Path):
    path = tmp_path / "bot.db"
    path.write_bytes(b"\x00\x01garbage" * 500)
    before = path.read_bytes()
    result = mlprep(tmp_path, "console", stdin="help\n")
    assert result.returncode == 2
    assert result.stderr.startswith("Database error:") and "untouched" in result.stderr
    assert path.read_bytes() == before


def test_database_from_a_newer_version_is_refused(tmp_path: Path):
    assert mlprep(tmp_path, "db", "upgrade").returncode == 0
    with sqlite3.connect(tmp_path / "bot.db") as db:
        db.execute("INSERT INTO schema_migrations VALUES (42, 'future', 'x')")
    result = mlprep(tmp_path, "console", stdin="help\n")
    assert result.returncode == 2 and "schema version 42" in result.stderr


def test_db_upgrade_and_backup(tmp_path: Path):
    first = mlprep(tmp_path, "db", "upgrade")
    assert first.returncode == 0 and "applied migration(s) 0001" in first.stdout
    assert "already up to date" in mlprep(tmp_path, "db", "upgrade").stdout
    mlprep(tmp_path, "console", stdin="quiz alpha easy 1\n1\n")
    backup = mlprep(tmp_path, "db", "backup", str(tmp_path / "copy.db"))
    assert backup.returncode == 0, backup.stderr
    with sqlite3.connect(tmp_path / "copy.db") as db:
        assert db.execute("SELECT count(*) FROM attempts").fetchone() == (1,)
    again = mlprep(tmp_path, "db", "backup", str(tmp_path / "copy.db"))
    assert again.returncode == 2 and "already exists" in again.stderr


def test_content_check_reports_file_id_and_field(tmp_path: Path):
    result = mlprep(tmp_path, "content", "check", str(FIXTURES / "broken"))
    assert result.returncode == 1
    out = result.stdout
    assert (
        "bad.yaml: question 'broken-two-correct', field 'options': exactly one option must have"
        in out
    )
    assert "bad.yaml: question 'broken-open', field 'difficulty'" in out
    assert "bad.yaml: question 'broken-open', field 'key_points'" in out
    assert "syntax.yaml: not valid YAML at line" in out
    pack = mlprep(tmp_path, "content", "check", "--strict", str(FIXTURES / "pack"))
    assert pack.returncode == 0, pack.stdout
    assert "OK: 2 questions in 2 file(s), topics: acme-onboarding, sql." in pack.stdout


def test_content_check_warns_and_strict_fails_on_quality_findings(tmp_path: Path):
    pack = tmp_path / "pack"
    pack.mkdir()
    text = (FIXTURES / "pack" / "team-sql.yaml").read_text(encoding="utf-8")
    (pack / "a.yaml").write_text(text, encoding="utf-8")
    # The same prompt under a new id: a near-duplicate, which is a quality warning.
    (pack / "b.yaml").write_text(text.replace("acme-sql-warehouse", "acme-sql-copy"), "utf-8")
    lenient = mlprep(tmp_path, "content", "check", str(pack))
    assert lenient.returncode == 0
    assert "warning: " in lenient.stdout and "nearly the same prompt as" in lenient.stdout
    assert "1 warning(s); 2 questions in 2 file(s)" in lenient.stdout
    strict = mlprep(tmp_path, "content", "check", "--strict", str(pack))
    assert strict.returncode == 1 and "nearly the same prompt" in strict.stdout


def test_content_check_rejects_subjects_outside_the_syllabus(tmp_path: Path):
    path = tmp_path / "pack.yaml"
    text = (FIXTURES / "pack" / "team-sql.yaml").read_text(encoding="utf-8")
    path.write_text(text.replace("[sql-optimisation]", "[sql-optimization]"), "utf-8")
    result = mlprep(tmp_path, "content", "check", str(path))
    assert result.returncode == 1
    assert (
        "question 'acme-sql-warehouse-partitions', field 'subjects': 'sql-optimization' is not "
        "a subject in content/syllabus.yaml (did you mean 'sql-optimisation'?)"
    ) in result.stdout


def test_unknown_disabled_topic_is_a_configuration_error(tmp_path: Path):
    result = mlprep(
        tmp_path,
        "run",
        env={"MLPREP_DISABLED_TOPICS": "alpha,sqll", "MLPREP_EXTRA_CONTENT_DIR": ""},
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert (
        "Configuration error: MLPREP_DISABLED_TOPICS: sqll: not a topic of the main bank; "
        "topics: alpha, beta"
    ) in result.stderr


def test_invalid_content_at_start_up_is_reported_not_crashed(tmp_path: Path):
    result = mlprep(tmp_path, "run", env={"MLPREP_CONTENT_DIR": str(FIXTURES / "broken")})
    assert result.returncode == 2
    assert "problem(s) in the question files" in result.stderr and "Traceback" not in result.stderr


def test_console_mock_round_pauses_resumes_and_reports(tmp_path: Path):
    script = (
        "mock behavioral\n"
        "I explained the forecast with one chart and checked she could explain it back.\n"
        "skip\n"
        "stop\n"
        "mock resume\n"
        "We missed the date; I told my manager early.\n"
        "I measured where the latency went before changing anything.\n"
        "mock history\n"
    )
    content = Path(__file__).resolve().parent.parent / "content" / "questions"
    result = mlprep(tmp_path, "console", stdin=script, env={"MLPREP_CONTENT_DIR": str(content)})
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "== Mock · Question 1 of 4" in out and "Time budget: 20 min" in out
    assert "Mock round paused after 2 of 4 questions" in out
    assert "Resuming your behavioral mock round at question 3 of 4" in out
    assert "no longer open" not in out  # 'stop' dropped the pending written answer
    assert "== Mock interview report · behavioral" in out
    assert "3 of 4 questions answered" in out and "Skipped. Key points:" in out
    assert "behavioral    finished  3/4 answered" in out
    with sqlite3.connect(tmp_path / "bot.db") as db:
        assert db.execute("SELECT kind, status FROM mock_rounds").fetchall() == [
            ("behavioral", "finished")
        ]
        outcomes = db.execute("SELECT outcome FROM mock_slots ORDER BY slot").fetchall()
        assert [o[0] for o in outcomes] == ["answered", "skipped", "answered", "answered"]


def test_console_me_export_saves_json_and_me_delete_needs_the_code(tmp_path: Path):
    first = mlprep(tmp_path, "console", stdin="quiz alpha hard 1\n3\nme export\nme delete\n")
    assert first.returncode == 0, first.stderr
    [export] = list((tmp_path / "files").glob("mlprep-export-*.json"))
    assert f"Saved: {export}" in first.stdout
    assert [a["points"] for a in json.loads(export.read_text())["attempts"]] == [30]
    code = re.search(r"type: me delete (\d{6})", first.stdout)
    assert code is not None and "== Delete your data? ==" in first.stdout
    with sqlite3.connect(tmp_path / "bot.db") as db:
        assert db.execute("SELECT count(*) FROM attempts").fetchone() == (1,)
    # The code lives in the running process only: a new process must ask again.
    second = mlprep(tmp_path, "console", stdin=f"me delete {code[1]}\nme delete\n")
    assert "not valid" in second.stdout
    code = re.search(r"type: me delete (\d{6})", second.stdout)
    assert code is not None
    third = mlprep(tmp_path, "console", stdin="me delete\n1\n")
    assert "== Your data is deleted ==" in third.stdout and "Deleted: 1 answer," in third.stdout
    with sqlite3.connect(tmp_path / "bot.db") as db:
        assert db.execute("SELECT count(*) FROM attempts").fetchone() == (0,)
        assert db.execute("SELECT count(*) FROM points_ledger").fetchone() == (0,)


def test_console_practice_and_team_stats(tmp_path: Path):
    result = mlprep(
        tmp_path, "console", stdin="quiz alpha hard 1\n1\npractice alpha\nstop\nstats team\n"
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "== Practice ==" in out and "new from your weakest topics" in out
    assert "Practice stopped." in out and "due" in out  # ends with when reviews fall due
    assert "== Team stats ==" in out and "1 of 1 members answered at least once" in out
    with sqlite3.connect(tmp_path / "bot.db") as db:
        assert db.execute("SELECT source FROM sr_reviews").fetchall() == [("quiz",)]
