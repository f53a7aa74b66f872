"""Quality checks for question files, beyond what the schema can say about one question.

Used by `mlprep content check` (as warnings, or failures with --strict) and by the
tests that hold the built-in bank to them. Each check returns ContentError findings so
authors see the same "file: question, field: problem" lines as for schema errors.
"""

from __future__ import annotations

import re
import zlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.bank.loader import ContentError, LoadedFile, QuestionModel
from bot.bank.schema import ChoiceQuestion, Kind, OpenQuestion
from bot.bank.syllabus import Syllabus
from bot.keypoints import assess, normalise

OWN_ANSWER_MIN = 0.8  # a model answer must cover this share of its own key points
WEAK_ANSWER_MAX = 0.2  # empty, one-word and unrelated answers may cover at most this
UNRELATED_SAMPLES = 3  # other-topic model answers tried against each question
MODEL_ANSWER_WORDS = (90, 330)
NEAR_DUPLICATE = 88.0  # token_sort_ratio of two prompts at or above this is a near-copy
POSITION_SHARE = (0.15, 0.35)  # each correct-option position's share of the bank
LONGEST_CORRECT_MAX = 0.4  # share of questions whose correct option is the longest one
MIN_CHOICES_FOR_SPREAD = 20  # spread checks are noise on a handful of questions
_WORD = re.compile(r"[a-z][a-z0-9-]{3,}")
# "Unrelated" answers come from another area and share no subject or tag, not just
# another topic: an answer on overfitting legitimately covers regularisation strength.
AREAS = {
    "fundamentals": "modelling",
    "models-training": "modelling",
    "evaluation": "modelling",
    "data-features": "modelling",
    "production-mlops": "systems",
    "system-design": "systems",
    "modern-ml": "systems",
    "sql": "sql",
    "behavioral": "people",
    "interview-craft": "people",
}


def area(topic: str | None) -> str:
    return AREAS.get(topic or "", topic or "")


@dataclass(frozen=True)
class Located:
    question: QuestionModel
    file: str


def locate(files: Iterable[LoadedFile]) -> list[Located]:
    return [Located(q, str(f.path)) for f in files for q in f.questions]


def reference_text(q: OpenQuestion) -> str:
    """What a strong answer says: the model answer, or the STAR scaffold for behavioral."""
    if q.model_answer:
        return q.model_answer
    assert q.star is not None
    return " ".join(q.star.model_dump().values())


def one_word_answers(q: OpenQuestion) -> list[str]:
    """The lazy replies a matcher must not reward: 'yes', the topic, any prompt word."""
    words = set(_WORD.findall(normalise(q.prompt))) | {"yes", (q.topic or "").replace("-", " ")}
    return sorted(w for w in words if w)


def _finding(item: Located, field: str | None, message: str) -> ContentError:
    return ContentError(item.file, item.question.id, field, message)


def check_answers(items: list[Located], reference: list[Located]) -> list[ContentError]:
    """Own model answer covers >= 80% of key points; weak answers cover <= 20%."""
    others = [
        r for r in reference if isinstance(r.question, OpenQuestion) and r.question.model_answer
    ]
    out: list[ContentError] = []
    for item in items:
        q = item.question
        if not isinstance(q, OpenQuestion):
            continue
        own = assess(reference_text(q), q.key_points, q.misconceptions)
        field = "model_answer" if q.model_answer else "star"
        if own.fraction < OWN_ANSWER_MIN:
            out.append(
                _finding(
                    item,
                    "key_points",
                    f"the {field} covers only {len(own.covered)} of {len(q.key_points)} key "
                    f"points (needs {OWN_ANSWER_MIN:.0%}); not matched: {'; '.join(own.missed)}",
                )
            )
        if own.misconceptions:
            out.append(
                _finding(
                    item,
                    "misconceptions",
                    f"the {field} itself triggers: {own.misconceptions[0].mistake}",
                )
            )
        if q.model_answer:
            words = len(q.model_answer.split())
            low, high = MODEL_ANSWER_WORDS
            if not low <= words <= high:
                out.append(_finding(item, "model_answer", f"{words} words; aim for {low}-{high}"))
        weak = [("an empty answer", "")]
        weak += [(f"the one-word answer '{w}'", w) for w in one_word_answers(q)]
        labels = set(q.subjects) | set(q.tags)
        pool = [
            o
            for o in others
            if area(o.question.topic) != area(q.topic)
            and not labels & (set(o.question.subjects) | set(o.question.tags))
        ]
        if pool:
            start = zlib.crc32(q.id.encode()) % len(pool)
            for k in range(min(UNRELATED_SAMPLES, len(pool))):
                other = pool[(start + k * 7919) % len(pool)].question
                assert isinstance(other, OpenQuestion)
                weak.append((f"the model answer of '{other.id}'", other.model_answer or ""))
        for label, text in weak:
            got = assess(text, q.key_points, [])
            if got.fraction > WEAK_ANSWER_MAX:
                out.append(
                    _finding(
                        item,
                        "key_points",
                        f"{label} covers {len(got.covered)} of {len(q.key_points)} key points "
                        f"(max {WEAK_ANSWER_MAX:.0%}): {'; '.join(got.covered)}",
                    )
                )
    return out


def _merged(items: list[Located], reference: list[Located]) -> list[Located]:
    """The reference bank with the checked items replacing their own earlier versions."""
    ids = {i.question.id for i in items}
    return [r for r in reference if r.question.id not in ids] + items


def check_duplicate_prompts(items: list[Located], reference: list[Located]) -> list[ContentError]:
    """No two questions share a near-identical prompt (checked against the reference too)."""
    pool = _merged(items, reference)
    prompts = [normalise(r.question.prompt) for r in pool]
    first_checked = len(pool) - len(items)
    out = []
    for i in range(first_checked, len(pool)):
        for _, score, j in process.extract(
            prompts[i], prompts, scorer=fuzz.token_sort_ratio, score_cutoff=NEAR_DUPLICATE, limit=5
        ):
            if j != i and not (first_checked <= j < i):  # report each checked pair once
                out.append(
                    _finding(
                        pool[i],
                        "prompt",
                        f"nearly the same prompt as '{pool[j].question.id}' ({score:.0f}% alike)",
                    )
                )
    return out


def check_choice_balance(items: list[Located], where: str) -> list[ContentError]:
    """Correct answers spread over positions, and not given away by being the longest."""
    choices = [i.question for i in items if isinstance(i.question, ChoiceQuestion)]
    if len(choices) < MIN_CHOICES_FOR_SPREAD:
        return []
    out = []
    positions = Counter(q.correct_index for q in choices)
    low, high = POSITION_SHARE
    for pos in range(4):
        share = positions[pos] / len(choices)
        if not low <= share <= high:
            out.append(
                ContentError(
                    where,
                    None,
                    "options",
                    f"option {pos + 1} is correct in {share:.0%} of {len(choices)} questions; "
                    f"keep each position between {low:.0%} and {high:.0%}",
                )
            )
    longest = 0
    for q in choices:
        lengths = [len(o.text) for o in q.options]
        if lengths[q.correct_index] == max(lengths) and lengths.count(max(lengths)) == 1:
            longest += 1
    if longest / len(choices) > LONGEST_CORRECT_MAX:
        out.append(
            ContentError(
                where,
                None,
                "options",
                f"the correct option is the longest in {longest} of {len(choices)} questions; "
                "write distractors as long and as specific as the answer",
            )
        )
    return out


def syllabus_gaps(
    items: list[Located], syllabus: Syllabus, topics: Iterable[str]
) -> list[ContentError]:
    """Every subject of these topics has an open question; technical ones two choice ones."""
    opens: Counter[str] = Counter()
    choices: Counter[str] = Counter()
    for item in items:
        for s in set(item.question.subjects):
            (opens if isinstance(item.question, OpenQuestion) else choices)[s] += 1
    out = []
    for topic in sorted(set(topics)):
        for s in syllabus.subjects_of(topic):
            need = []
            if opens[s.id] < 1:
                need.append("an open question")
            if s.technical and choices[s.id] < 2:
                need.append(f"{2 - choices[s.id]} more multiple-choice question(s)")
            if need:
                out.append(
                    ContentError(
                        "content/syllabus.yaml",
                        None,
                        "subjects",
                        f"subject '{s.id}' ({topic}) needs {' and '.join(need)}",
                    )
                )
    return out


def check_kinds(items: list[Located]) -> list[ContentError]:
    """Behavioral questions live in non-technical form only; choice questions are not STAR."""
    return [
        _finding(i, "kind", "behavioral questions are open questions with a STAR scaffold")
        for i in items
        if isinstance(i.question, ChoiceQuestion) and i.question.kind is Kind.BEHAVIORAL
    ]


def review(
    files: list[LoadedFile],
    *,
    reference: list[LoadedFile] | None = None,
    syllabus: Syllabus | None = None,
    coverage_topics: Iterable[str] = (),
) -> list[ContentError]:
    """Every quality finding for `files`; `reference` is the wider bank they join."""
    items = locate(files)
    pool = _merged(items, locate(reference or []))
    found = check_answers(items, pool)
    found += check_duplicate_prompts(items, pool)
    found += check_kinds(items)
    where = str(files[0].path) if len(files) == 1 else "the checked files"
    found += check_choice_balance(items, where)
    if syllabus is not None:
        found += syllabus_gaps(pool, syllabus, coverage_topics)
    return found
