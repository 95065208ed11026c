"""Templates for common answers: ready-made text the operator inserts into a ticket or a comment.

Data, not code: ``resources/templates/<language>.toml`` (format in `parse_answers`).  They are
read from the resources only for now; moving them into the database for shift leads to edit is a
table like ``scripts``.  Placeholders are those of the call scripts (`app.tickets.scripts`),
filled by the same safe substitution.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.tickets.rules import split_category_path
from app.tickets.scripts import DEFAULT_LANGUAGE, ScriptContext, substitute


class AnswersError(ValueError):
    """A templates file does not follow the format."""


@dataclass(frozen=True, slots=True)
class AnswerTemplate:
    key: str
    title: str
    text: str
    category: tuple[str, ...] = ()  # offered first for tickets in this category subtree

    def render(self, context: ScriptContext) -> str:
        return substitute(self.text, context.values())


def parse_answers(
    data: Mapping[str, Any], where: str = "templates"
) -> tuple[str, tuple[AnswerTemplate, ...]]:
    """``(language, templates)`` from a parsed TOML document::

    language = "en"
    [[answer]]
    key = "reboot_router"          # the same key in every language
    title = "Reboot the router"
    category = "Internet"          # optional
    text = "Please switch the router off ..."
    """
    language = data.get("language")
    if not isinstance(language, str) or not language:
        raise AnswersError(f"{where}: 'language' must be set.")
    entries = data.get("answer", [])
    if not isinstance(entries, list):
        raise AnswersError(f"{where}: 'answer' must be an array of tables ([[answer]]).")
    answers = []
    for i, entry in enumerate(entries):
        values = {name: entry.get(name, "") for name in ("key", "title", "text", "category")}
        if not all(isinstance(v, str) for v in values.values()) or not all(
            values[name].strip() for name in ("key", "title", "text")
        ):
            raise AnswersError(f"{where}: answer {i + 1} needs key, title and text as strings.")
        answers.append(
            AnswerTemplate(
                values["key"], values["title"], values["text"], split_category_path(values["category"])
            )
        )
    keys = [a.key for a in answers]
    if len(set(keys)) != len(keys):
        raise AnswersError(f"{where}: answer keys must be unique.")
    return language, tuple(answers)


@dataclass(frozen=True, slots=True)
class AnswerLibrary:
    by_language: Mapping[str, tuple[AnswerTemplate, ...]]

    def for_language(self, language: str) -> tuple[AnswerTemplate, ...]:
        return self.by_language.get(language) or self.by_language.get(DEFAULT_LANGUAGE, ())

    def suggestions(self, language: str, category_path: tuple[str, ...]) -> tuple[AnswerTemplate, ...]:
        """All templates of `language`, those for the ticket's category (or a parent) first."""
        answers = self.for_language(language)

        def matches(a: AnswerTemplate) -> bool:
            return bool(a.category) and category_path[: len(a.category)] == a.category

        return tuple(sorted(answers, key=lambda a: (not matches(a), a.title.casefold())))


def load_answers_dir(directory: Path) -> AnswerLibrary:
    by_language: dict[str, tuple[AnswerTemplate, ...]] = {}
    for path in sorted(directory.glob("*.toml")):
        with path.open("rb") as fh:
            try:
                language, answers = parse_answers(tomllib.load(fh), where=str(path))
            except tomllib.TOMLDecodeError as exc:
                raise AnswersError(f"{path}: {exc}") from exc
        by_language[language] = answers
    return AnswerLibrary(by_language)
