"""Load question files from directories, reporting every problem as file / question / field."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter, ValidationError
from rapidfuzz import fuzz, process

from bot.bank.schema import ChoiceQuestion, OpenQuestion, Question, QuestionFile
from bot.bank.syllabus import Syllabus

QuestionModel = ChoiceQuestion | OpenQuestion
_QUESTION = TypeAdapter(Question)


@dataclass(frozen=True)
class ContentError:
    file: str
    question_id: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.question_id:
            where += f": question '{self.question_id}'"
        if self.field:
            where += f", field '{self.field}'"
        return f"{where}: {self.message}"


class ContentInvalid(Exception):
    def __init__(self, errors: list[ContentError]) -> None:
        self.errors = errors
        lines = "\n".join(f"  - {e}" for e in errors)
        super().__init__(f"{len(errors)} problem(s) in the question files:\n{lines}")


@dataclass(frozen=True)
class LoadedFile:
    path: Path
    topic: str
    title: str | None
    questions: list[QuestionModel]


def _field_path(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        elif item in {"choice", "open"} and not parts:
            continue  # pydantic's discriminator tag, not a field the author wrote
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts) or "(question)"


def _question_errors(name: str, qid: str | None, err: ValidationError) -> list[ContentError]:
    return [
        ContentError(name, qid, _field_path(e["loc"]), e["msg"].removeprefix("Value error, "))
        for e in err.errors()
    ]


def load_file(
    path: Path, display_name: str | None = None
) -> tuple[LoadedFile | None, list[ContentError]]:
    """Parse and validate one file. Each question is validated on its own so one
    bad question does not hide the problems of the others."""
    name = display_name or str(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return None, [ContentError(name, None, None, f"not valid YAML{at}: {problem}")]
    except (OSError, UnicodeDecodeError) as exc:
        return None, [ContentError(name, None, None, f"cannot be read: {exc}")]
    if not isinstance(raw, dict):
        return None, [
            ContentError(name, None, None, "must be a mapping with 'topic' and 'questions'")
        ]

    raw_questions = raw.get("questions")
    header = {k: v for k, v in raw.items() if k != "questions"}
    try:
        head = QuestionFile.model_validate({**header, "questions": [_PLACEHOLDER]})
    except ValidationError as exc:
        return None, _question_errors(name, None, exc)
    if not isinstance(raw_questions, list) or not raw_questions:
        return None, [ContentError(name, None, "questions", "must be a non-empty list")]

    errors: list[ContentError] = []
    questions: list[QuestionModel] = []
    for index, item in enumerate(raw_questions):
        qid = item.get("id") if isinstance(item, dict) else None
        label = str(qid) if qid else f"#{index + 1} (no id)"
        try:
            q = _QUESTION.validate_python(item)
        except ValidationError as exc:
            errors.extend(_question_errors(name, label, exc))
            continue
        questions.append(q if q.topic else q.model_copy(update={"topic": head.topic}))
    return LoadedFile(path, head.topic, head.title, questions), errors


# A minimal valid question, used only to validate a file's header fields on their own.
_PLACEHOLDER = {
    "id": "placeholder",
    "format": "choice",
    "kind": "technical",
    "difficulty": "easy",
    "prompt": "placeholder prompt text",
    "explanation": "placeholder explanation text long enough",
    "options": [{"text": str(i), "correct": i == 0, "why": "placeholder why"} for i in range(4)],
}


def _yaml_files(path: Path) -> list[Path] | None:
    if path.is_file():
        return [path]
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.suffix in {".yaml", ".yml"})
    return None


def _unknown_subjects(path: Path, q: QuestionModel, syllabus: Syllabus) -> list[ContentError]:
    errors = []
    for subject in q.subjects:
        if subject not in syllabus.by_id:
            guess = process.extractOne(
                subject, list(syllabus.by_id), scorer=fuzz.ratio, score_cutoff=75
            )
            hint = f" (did you mean '{guess[0]}'?)" if guess else ""
            errors.append(
                ContentError(
                    str(path),
                    q.id,
                    "subjects",
                    f"'{subject}' is not a subject in content/syllabus.yaml{hint}; "
                    "put your own labels in 'tags'",
                )
            )
    return errors


def load_directories(
    paths: list[Path], syllabus: Syllabus | None = None
) -> tuple[list[LoadedFile], list[ContentError]]:
    """Load every question file under the given directories (or the given files).

    With a syllabus, every `subjects` entry must be one of its subject ids."""
    files: list[LoadedFile] = []
    errors: list[ContentError] = []
    seen: dict[str, str] = {}
    for directory in paths:
        found = _yaml_files(directory)
        if found is None:
            errors.append(ContentError(str(directory), None, None, "no such file or directory"))
            continue
        if not found:
            errors.append(ContentError(str(directory), None, None, "holds no .yaml question files"))
        for path in found:
            loaded, problems = load_file(path)
            errors.extend(problems)
            if loaded is None:
                continue
            for q in loaded.questions:
                if q.id in seen:
                    errors.append(
                        ContentError(
                            str(path), q.id, "id", f"duplicate id, first used in {seen[q.id]}"
                        )
                    )
                else:
                    seen[q.id] = str(path)
                if syllabus is not None:
                    errors.extend(_unknown_subjects(path, q, syllabus))
            files.append(loaded)
    return files, errors
