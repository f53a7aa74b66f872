"""The question bank: validated questions in memory, looked up by id, topic and difficulty."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.bank.loader import ContentInvalid, QuestionModel, load_directories
from bot.bank.schema import ChoiceQuestion, Difficulty, Kind, OpenQuestion
from bot.bank.syllabus import Syllabus

__all__ = [
    "ChoiceQuestion",
    "ContentInvalid",
    "Difficulty",
    "Kind",
    "OpenQuestion",
    "QuestionBank",
    "QuestionModel",
    "TopicInfo",
    "UnknownTopics",
    "builtin_content_dir",
]


def builtin_content_dir() -> Path:
    """content/questions beside the bot package (a source checkout or an editable install)."""
    return Path(__file__).resolve().parent.parent.parent / "content" / "questions"


class UnknownTopics(ValueError):
    """A topic named in configuration that the bank does not have."""


@dataclass(frozen=True)
class TopicInfo:
    id: str
    title: str
    total: int
    by_difficulty: dict[str, int]


class QuestionBank:
    def __init__(
        self, questions: list[QuestionModel], titles: dict[str, str] | None = None
    ) -> None:
        self._by_id = {q.id: q for q in questions}
        self._titles = titles or {}
        self._topics: dict[str, list[QuestionModel]] = {}
        for q in questions:
            self._topics.setdefault(q.topic or "general", []).append(q)

    @classmethod
    def load(
        cls,
        directories: Sequence[Path],
        *,
        extra: Sequence[Path] = (),
        syllabus: Syllabus | None = None,
        disabled_topics: Iterable[str] = (),
    ) -> QuestionBank:
        """Load the main bank from `directories` and team packs from `extra`.

        `disabled_topics` turns topics of the main bank off; team-pack questions are
        always kept, so a team can replace a built-in topic with its own."""
        # One load over both, so an id clash between the bank and a pack is reported
        # by the loader's own duplicate check.
        files, errors = load_directories([*directories, *extra], syllabus)
        in_pack = [any(f.path.is_relative_to(e) for e in extra) for f in files]
        main = [f for f, pack in zip(files, in_pack, strict=True) if not pack]
        packs = [f for f, pack in zip(files, in_pack, strict=True) if pack]
        if errors:
            raise ContentInvalid(errors)
        off = set(disabled_topics)
        unknown = off - {f.topic for f in main}
        if unknown:
            known = ", ".join(sorted({f.topic for f in main}))
            raise UnknownTopics(
                f"{', '.join(sorted(unknown))}: not a topic of the main bank; topics: {known}"
            )
        titles: dict[str, str] = {}
        questions: list[QuestionModel] = []
        for f in main:
            if f.title and f.topic not in off:
                titles.setdefault(f.topic, f.title)
            questions.extend(q for q in f.questions if q.topic not in off)
        for f in packs:
            if f.title:
                titles.setdefault(f.topic, f.title)
            questions.extend(f.questions)
        return cls(questions, titles)

    def __len__(self) -> int:
        return len(self._by_id)

    def get(self, question_id: str) -> QuestionModel | None:
        return self._by_id.get(question_id)

    def topic_ids(self) -> list[str]:
        return sorted(self._topics)

    def topics(self) -> list[TopicInfo]:
        out = []
        for topic in self.topic_ids():
            counts = Counter(q.difficulty.value for q in self._topics[topic])
            out.append(TopicInfo(topic, self.title(topic), len(self._topics[topic]), dict(counts)))
        return out

    def title(self, topic: str) -> str:
        return self._titles.get(topic, topic.replace("-", " ").capitalize())

    def select(
        self, topic: str | None = None, difficulty: Difficulty | None = None
    ) -> list[QuestionModel]:
        pool = self._topics.get(topic, []) if topic else list(self._by_id.values())
        if difficulty is not None:
            pool = [q for q in pool if q.difficulty is difficulty]
        return pool
