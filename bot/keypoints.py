"""Key-point coverage of a written answer.

A key point counts as covered when any of its phrases appears in the answer: as
whole words (a trailing plural 's'/'es' allowed), or, for phrases of 8+ characters,
as a close fuzzy match against a run of the same number of words, so small typos
still count. Short phrases must match exactly: fuzzy matching of 3-5 letters finds
them almost anywhere.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from bot.bank.schema import KeyPoint, Misconception

FUZZY_MIN_LENGTH = 8
FUZZY_CUTOFF = 87.0


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.sub(r"[^\w+#%]+", " ", text).split())


@lru_cache(maxsize=8192)
def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + re.escape(phrase) + r"(?:e?s)?(?!\w)")


class _Answer:
    """A normalised answer with its word windows, built once per length and reused."""

    def __init__(self, text: str) -> None:
        self.text = normalise(text)
        self.words = self.text.split()
        self._windows: dict[int, list[str]] = {}

    def windows(self, size: int) -> list[str]:
        if size not in self._windows:
            w = self.words
            self._windows[size] = [" ".join(w[i : i + size]) for i in range(len(w) - size + 1)]
        return self._windows[size]


def _present(phrase: str, answer: _Answer, fuzzy: bool) -> bool:
    p = normalise(phrase)
    if not p:
        return False
    if _phrase_pattern(p).search(answer.text):
        return True
    if fuzzy and len(p) >= FUZZY_MIN_LENGTH:
        windows = answer.windows(len(p.split()))
        return (
            process.extractOne(p, windows, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF) is not None
        )
    return False


def phrase_present(phrase: str, text: str, *, fuzzy: bool = True) -> bool:
    return _present(phrase, _Answer(text), fuzzy)


@dataclass(frozen=True)
class Coverage:
    covered: tuple[str, ...]
    missed: tuple[str, ...]
    misconceptions: tuple[Misconception, ...]

    @property
    def fraction(self) -> float:
        total = len(self.covered) + len(self.missed)
        return len(self.covered) / total if total else 0.0


def assess(
    answer: str, key_points: list[KeyPoint], misconceptions: list[Misconception]
) -> Coverage:
    text = _Answer(answer)
    covered: list[str] = []
    missed: list[str] = []
    for kp in key_points:
        hit = any(_present(ph, text, fuzzy=True) for ph in kp.phrases)
        (covered if hit else missed).append(kp.point)
    # Misconception phrases must match exactly: a false alarm is worse than a miss.
    flagged = tuple(
        m for m in misconceptions if any(_present(ph, text, fuzzy=False) for ph in m.phrases)
    )
    return Coverage(tuple(covered), tuple(missed), flagged)
