"""The syllabus: every subject the built-in bank must cover, with a stable id.

Questions name syllabus subjects in `subjects`; an id that is not in the syllabus is a
content error, so a typo cannot silently leave a subject uncovered.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from bot.bank.schema import TOPIC_ID, Difficulty, Text


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SyllabusTopic(_Strict):
    id: Annotated[str, Field(pattern=TOPIC_ID)]
    title: Annotated[Text, Field(min_length=2, max_length=80)]


class Subject(_Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]
    topic: str
    technical: bool
    title: Annotated[Text, Field(min_length=5, max_length=200)]
    level: Difficulty | None = None


class Syllabus(_Strict):
    topics: Annotated[list[SyllabusTopic], Field(min_length=1)]
    subjects: Annotated[list[Subject], Field(min_length=1)]

    @model_validator(mode="after")
    def _consistent(self) -> Syllabus:
        topic_ids = {t.id for t in self.topics}
        seen: set[str] = set()
        for s in self.subjects:
            if s.id in seen:
                raise ValueError(f"subject id '{s.id}' is listed twice")
            if s.topic not in topic_ids:
                raise ValueError(f"subject '{s.id}' names unknown topic '{s.topic}'")
            seen.add(s.id)
        return self

    @cached_property
    def by_id(self) -> dict[str, Subject]:
        return {s.id: s for s in self.subjects}

    def subjects_of(self, topic: str) -> list[Subject]:
        return [s for s in self.subjects if s.topic == topic]

    def technical_topics(self) -> set[str]:
        """Topics with at least one technical subject: the ones mock rounds draw from."""
        return {s.topic for s in self.subjects if s.technical}


class SyllabusInvalid(Exception):
    pass


def builtin_syllabus_path() -> Path:
    return Path(__file__).resolve().parent.parent.parent / "content" / "syllabus.yaml"


def load_syllabus(path: Path | None = None) -> Syllabus:
    path = path or builtin_syllabus_path()
    try:
        return Syllabus.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise SyllabusInvalid(f"{path}: {exc}") from exc
