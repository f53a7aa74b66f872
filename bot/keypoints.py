"""Key-point coverage of a written answer.

A key point counts as covered when any of its phrases is found in the answer. Both are
normalised first (case, punctuation, hyphens, British spellings, "n't" -> "not"), then
a phrase is found when:

- short aliases (up to 4 characters: l1, auc, pca, knn) appear as whole tokens;
- every content word of the phrase appears, in any order, within a few words of each
  other; words are compared by their Snowball stem ("calibrated" finds "calibration"),
  and words of 6+ letters also match a misspelling (same first letter, one edit, two
  for 9+ letters, rapidfuzz's OSA distance so a swapped pair is one edit);
- a compound can be written joined or apart ("cross entropy", "cross-entropy",
  "crossentropy");
- a phrase whose small words carry its meaning ("shared with", "my part was") or that
  repeats a word ("feature by feature") must appear in order, word by word by stem.

An occurrence right after a negation ("no", "not", "never", "without", "don't") does not
count, unless the phrase itself is negative ("without blaming"): "you don't need a
holdout set" does not make the holdout point. Misconceptions are found the same way.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer
from rapidfuzz.distance import OSA

from bot.bank.schema import KeyPoint, Misconception

SHORT_ALIAS = 4  # at most this many characters: whole-token match only
FUZZY_MIN_LENGTH = 6  # shorter words must be spelled right
NEGATION_REACH = 3  # words before an occurrence searched for a negation
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "to",
        "in",
        "on",
        "for",
        "and",
        "or",
        "is",
        "are",
        "be",
        "been",
        "it",
        "its",
        "that",
        "this",
        "these",
        "those",
        "with",
        "as",
        "by",
        "at",
        "from",
        "into",
        "than",
        "then",
        "so",
        "we",
        "i",
        "my",
        "our",
        "you",
        "your",
        "they",
        "them",
        "their",
        "he",
        "she",
        "was",
        "were",
        "do",
        "does",
        "did",
        "has",
        "have",
        "had",
        "will",
        "would",
        "can",
        "could",
        "should",
        "very",
        "just",
        "also",
        "about",
    ]
)
NEGATIONS = frozenset(
    ["no", "not", "never", "without", "nor", "neither", "nothing", "none", "cannot"]
)
# British to American spellings that stemming does not join, applied to both sides.
_SPELLING = {
    "behaviour": "behavior",
    "behaviours": "behaviors",
    "behavioural": "behavioral",
    "labelled": "labeled",
    "labelling": "labeling",
    "modelling": "modeling",
    "modelled": "modeled",
    "travelled": "traveled",
    "cancelled": "canceled",
    "signalling": "signaling",
    "catalogue": "catalog",
    "catalogues": "catalogs",
    "centre": "center",
    "centres": "centers",
    "favour": "favor",
    "colour": "color",
    "optimisation": "optimization",
    "programme": "program",
}
_ISE = re.compile(r"(?<=\w{3})is(e|es|ed|ing|ation|ations|er|ers)$")
_YSE = re.compile(r"(?<=\w{3})ys(e|es|ed|ing)$")
_STEMMER = snowballstemmer.stemmer("english")


def normalise(text: str) -> str:
    """Case-folded words separated by single spaces; hyphens and punctuation are spaces."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"n['’]t\b", " not", text)
    return " ".join(re.sub(r"[^\w+#%]+", " ", text).split())


@lru_cache(maxsize=65536)
def _word(token: str) -> str:
    """One token as compared: American spelling, then its Snowball stem."""
    token = _SPELLING.get(token, token)
    token = _ISE.sub(r"iz\1", token)
    token = _YSE.sub(r"yz\1", token)
    return _STEMMER.stemWord(token)


class _Answer:
    """A normalised answer with its stems and the positions of each, built once."""

    def __init__(self, text: str) -> None:
        self.text = normalise(text)
        self.tokens = self.text.split()
        self.stems = [_word(t) for t in self.tokens]
        self.at: dict[str, list[int]] = {}
        for i, s in enumerate(self.stems):
            self.at.setdefault(s, []).append(i)
        self._near: dict[str, list[int]] = {}

    def positions(self, token: str) -> list[int]:
        """Where `token` (a phrase word) occurs: its stem, or a close misspelling."""
        hit = self._near.get(token)
        if hit is not None:
            return hit
        found = list(self.at.get(_word(token), ()))
        if len(token) >= FUZZY_MIN_LENGTH:
            allowed = 2 if len(token) >= 9 else 1
            for i, t in enumerate(self.tokens):
                if (
                    t[0] == token[0]
                    and abs(len(t) - len(token)) <= allowed
                    and OSA.distance(t, token, score_cutoff=allowed) <= allowed
                ):
                    found.append(i)
        self._near[token] = hit = sorted(set(found))
        return hit

    def negated(self, start: int, end: int | None = None) -> bool:
        """A negation just before tokens start..end, or among them."""
        stop = start if end is None else end + 1
        return any(t in NEGATIONS for t in self.tokens[max(0, start - NEGATION_REACH) : stop])


@lru_cache(maxsize=16384)
def _phrase(phrase: str) -> tuple[str, tuple[str, ...], bool, re.Pattern[str]]:
    """(normalised text, content words, whether the phrase is itself negative, compound
    pattern matching its words joined or apart)."""
    text = normalise(phrase)
    words = text.split()
    content = tuple(w for w in words if w not in STOPWORDS) or tuple(words)
    joined = r"(?<!\w)" + "[ ]?".join(re.escape(w) for w in words) + r"(?:e?s)?(?!\w)"
    return text, content, any(w in NEGATIONS for w in words), re.compile(joined)


def _found(phrase: str, answer: _Answer) -> bool:
    text, content, negative, joined = _phrase(phrase)
    if not text:
        return False
    if len(text) <= SHORT_ALIAS:
        return any(
            not answer.negated(i) for i, t in enumerate(answer.tokens) if t in (text, text + "s")
        )
    # The words as written, apart or joined ("cross entropy", "crossentropy").
    for m in joined.finditer(answer.text):
        if negative or not answer.negated(answer.text.count(" ", 0, m.start())):
            return True
    if len(content) == 1 < len(text.split()) or len(set(content)) < len(content):
        # "shared with", "my part was", "feature by feature": the small words carry the
        # meaning, so the words must come in order, each by its stem.
        return _in_order(text.split(), answer, negative)
    # Every content word by stem or misspelling, in any order, close together.
    lists = [answer.positions(w) for w in content]
    if any(not ps for ps in lists):
        return False
    reach = len(text.split()) + 3
    for first in sorted({p for ps in lists for p in ps}):
        hits = [min((p for p in ps if first <= p < first + reach), default=-1) for ps in lists]
        if min(hits) >= 0 and (negative or not answer.negated(first, max(hits))):
            return True
    return False


def _in_order(words: list[str], answer: _Answer, negative: bool) -> bool:
    stems = [_word(w) for w in words]
    n = len(stems)
    for i in answer.at.get(stems[0], ()):
        if answer.stems[i : i + n] == stems and (negative or not answer.negated(i)):
            return True
    return False


def phrase_present(phrase: str, text: str) -> bool:
    return _found(phrase, _Answer(text))


def _any(phrases: Iterable[str], answer: _Answer) -> bool:
    return any(_found(p, answer) for p in phrases)


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
        (covered if _any(kp.phrases, text) else missed).append(kp.point)
    flagged = tuple(m for m in misconceptions if _any(m.phrases, text))
    return Coverage(tuple(covered), tuple(missed), flagged)
