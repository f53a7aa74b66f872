"""The question bank: validated questions in memory, looked up by id, topic and difficulty."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bot.bank.loader import ContentInvalid, QuestionModel, load_directories
from bot.bank.schema import ChoiceQuestion, Difficulty, Kind, OpenQuestion

__all__ = [
    "ChoiceQuestion",
    "ContentInvalid",
    "Difficulty",
    "Kind",
    "OpenQuestion",
    "QuestionBank",
    "QuestionModel",
    "TopicInfo",
    "builtin_content_dir",
]


def builtin_content_dir() -> Path:
    """content/questions beside the bot package (a source checkout or an editable install)."""
    return Path(__file__).resolve().parent.parent.parent / "content" / "questions"


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
    def load(cls, directories: list[Path]) -> QuestionBank:
        files, errors = load_directories(directories)
        if errors:
            raise ContentInvalid(errors)
        titles: dict[str, str] = {}
        questions: list[QuestionModel] = []
        for f in files:
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
