"""Key-point coverage of a written answer.

A key point counts as covered when any of its phrases appears in the answer: as
whole words (a trailing plural 's'/'es' allowed), or, for phrases of 8+ characters,
as a close fuzzy match so small typos still count. Short phrases must match exactly
because fuzzy matching of 3-5 letters finds them almost anywhere.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from bot.bank.schema import KeyPoint, Misconception

FUZZY_MIN_LENGTH = 8
FUZZY_CUTOFF = 87.0


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.sub(r"[^\w+#%]+", " ", text).split())


@lru_cache(maxsize=8192)
def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + re.escape(phrase) + r"(?:e?s)?(?!\w)")


def phrase_present(phrase: str, normalised_text: str, *, fuzzy: bool = True) -> bool:
    p = normalise(phrase)
    if not p:
        return False
    if _phrase_pattern(p).search(normalised_text):
        return True
    if fuzzy and len(p) >= FUZZY_MIN_LENGTH:
        return fuzz.partial_ratio(p, normalised_text, score_cutoff=FUZZY_CUTOFF) > 0
    return False


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
    text = normalise(answer)
    covered: list[str] = []
    missed: list[str] = []
    for kp in key_points:
        hit = any(phrase_present(ph, text) for ph in kp.phrases)
        (covered if hit else missed).append(kp.point)
    # Misconception phrases must match exactly: a false alarm is worse than a miss.
    flagged = tuple(
        m for m in misconceptions if any(phrase_present(ph, text, fuzzy=False) for ph in m.phrases)
    )
    return Coverage(tuple(covered), tuple(missed), flagged)
