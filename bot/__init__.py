"""mlprep core: question selection, scoring, streaks and leaderboards, with no platform code."""

__version__ = "0.1.0"
