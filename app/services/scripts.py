"""Call scripts, disposition lists and answer templates for the desk (blocking; run on the
database worker).

Scripts and dispositions come from the central database (``scripts`` and ``dispositions``
tables, editable by shift leads) and fall back to the shipped ``resources/scripts`` and
``resources/dispositions`` while a table is empty; answer templates come from
``resources/templates``.  Both are loaded once per shift or on demand -- rendering is pure and
happens on the GUI thread (`app.tickets.scripts.render`).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from sqlalchemy import Engine

from app.resources import resources_dir
from app.storage.database import database_errors
from app.storage.seed import load_disposition_lists, load_script_library
from app.tickets.answers import AnswerLibrary, load_answers_dir
from app.tickets.dispositions import DispositionLists
from app.tickets.scripts import ScriptLibrary


def default_answers_dir() -> Path:
    return resources_dir() / "templates"


@cache
def shipped_answers(directory: Path | None = None) -> AnswerLibrary:
    return load_answers_dir(directory or default_answers_dir())


class ScriptService:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def library(self) -> ScriptLibrary:
        """Every line's scripts in every language.

        Raises:
            DatabaseUnavailable: the database cannot be reached (the caller may fall back to
                `app.storage.seed.shipped_scripts()`).
        """
        with database_errors(self._engine), self._engine.connect() as conn:
            return load_script_library(conn)

    def dispositions(self) -> DispositionLists:
        """The default disposition list and the lines' own lists.

        Raises:
            DatabaseUnavailable: the database cannot be reached.
        """
        with database_errors(self._engine), self._engine.connect() as conn:
            return load_disposition_lists(conn)

    def answers(self) -> AnswerLibrary:
        return shipped_answers()
