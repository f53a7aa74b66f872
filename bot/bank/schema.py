"""The question file format, as pydantic models.

Every limit here is part of the content contract documented in content/README.md;
the loader turns a validation failure into "file, question id, field: problem".
"""

from __future__ import annotations

from enum import StrEnum
from functools import cached_property
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

QUESTION_ID = r"^[a-z0-9][a-z0-9-]{2,63}$"
TOPIC_ID = r"^[a-z][a-z0-9-]{1,39}$"

Text = Annotated[str, StringConstraints(strip_whitespace=True)]
Phrase = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=60)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z0-9][a-z0-9-]*$")]


class Difficulty(StrEnum):
    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"


class Kind(StrEnum):
    TECHNICAL = "technical"
    SCENARIO = "scenario"
    SYSTEM_DESIGN = "system_design"
    BEHAVIORAL = "behavioral"
    SQL = "sql"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Option(_Strict):
    text: Annotated[Text, Field(min_length=1, max_length=300)]
    correct: bool = False
    why: Annotated[Text, Field(min_length=10, max_length=500)]


class KeyPoint(_Strict):
    point: Annotated[Text, Field(min_length=5, max_length=240)]
    phrases: Annotated[list[Phrase], Field(min_length=1, max_length=12)]


class Misconception(_Strict):
    mistake: Annotated[Text, Field(min_length=5, max_length=240)]
    phrases: Annotated[list[Phrase], Field(min_length=1, max_length=8)]
    correction: Annotated[Text, Field(min_length=10, max_length=400)]


class Star(_Strict):
    situation: Annotated[Text, Field(min_length=20, max_length=600)]
    task: Annotated[Text, Field(min_length=20, max_length=600)]
    action: Annotated[Text, Field(min_length=20, max_length=800)]
    result: Annotated[Text, Field(min_length=20, max_length=600)]


class _QuestionBase(_Strict):
    id: Annotated[str, Field(pattern=QUESTION_ID)]
    topic: Annotated[str | None, Field(default=None, pattern=TOPIC_ID)]
    kind: Kind
    difficulty: Difficulty
    subjects: list[Tag] = []
    tags: list[Tag] = []
    prompt: Annotated[Text, Field(min_length=15, max_length=1500)]


class ChoiceQuestion(_QuestionBase):
    format: Literal["choice"]
    options: Annotated[list[Option], Field(min_length=4, max_length=4)]
    explanation: Annotated[Text, Field(min_length=30, max_length=1500)]

    @field_validator("options")
    @classmethod
    def _one_correct_distinct_options(cls, options: list[Option]) -> list[Option]:
        correct = [o for o in options if o.correct]
        if len(correct) != 1:
            raise ValueError(f"exactly one option must have correct: true (found {len(correct)})")
        texts = [o.text.casefold() for o in options]
        if len(set(texts)) != len(texts):
            raise ValueError("two options have the same text")
        for o in options:
            if o.text.casefold().rstrip(".") in {"all of the above", "none of the above"}:
                raise ValueError("'all of the above' and 'none of the above' are not allowed")
        return options

    @cached_property  # read for every option of every reveal; a question never changes
    def correct_index(self) -> int:
        return next(i for i, o in enumerate(self.options) if o.correct)


class OpenQuestion(_QuestionBase):
    format: Literal["open"]
    why_asked: Annotated[Text, Field(min_length=30, max_length=500)]
    model_answer: Annotated[Text | None, Field(default=None, min_length=300, max_length=2600)]
    star: Star | None = None
    key_points: Annotated[list[KeyPoint], Field(min_length=3, max_length=7)]
    misconceptions: Annotated[list[Misconception], Field(max_length=5)] = []
    tips: Annotated[
        list[Annotated[Text, StringConstraints(min_length=10, max_length=400)]],
        Field(min_length=1, max_length=2),
    ]

    @model_validator(mode="after")
    def _answer_matches_kind(self) -> OpenQuestion:
        if self.kind is Kind.BEHAVIORAL:
            if self.star is None:
                raise ValueError("behavioral questions need a 'star' scaffold")
        elif self.model_answer is None:
            raise ValueError("open questions need a 'model_answer'")
        elif self.star is not None:
            raise ValueError("'star' is only for behavioral questions")
        return self


Question = Annotated[ChoiceQuestion | OpenQuestion, Field(discriminator="format")]


class QuestionFile(_Strict):
    topic: Annotated[str, Field(pattern=TOPIC_ID)]
    title: Annotated[Text | None, Field(default=None, max_length=80)]
    questions: Annotated[list[Question], Field(min_length=1)]
