"""Answer templates: shipped in both languages with the same keys, category ones offered first."""

from __future__ import annotations

import pytest

from app.resources import resources_dir
from app.tickets.answers import AnswersError, load_answers_dir, parse_answers
from app.tickets.scripts import ScriptContext

LIBRARY = load_answers_dir(resources_dir() / "templates")


def test_english_and_russian_have_the_same_answers() -> None:
    en = {a.key for a in LIBRARY.for_language("en")}
    assert en and en == {a.key for a in LIBRARY.for_language("ru")}
    assert LIBRARY.for_language("de") == LIBRARY.for_language("en")


def test_category_answers_come_first_including_parent_categories() -> None:
    suggestions = LIBRARY.suggestions("en", ("Internet", "No connection"))
    assert {a.key for a in suggestions[:2]} == {"reboot_router", "outage_known"}


def test_rendering_is_the_safe_substitution() -> None:
    (answer,) = [a for a in LIBRARY.for_language("en") if a.key == "passed_to_second_line"]
    assert answer.render(ScriptContext(ticket_number="{company}")).endswith("Ticket {company}.")
    assert answer.render(ScriptContext()).endswith("Ticket [ticket_number].")


def test_bad_files_are_refused() -> None:
    with pytest.raises(AnswersError):
        parse_answers({"answer": []})
    with pytest.raises(AnswersError):
        parse_answers({"language": "en", "answer": [{"key": "a", "title": "t"}]})
    with pytest.raises(AnswersError):
        parse_answers({"language": "en", "answer": [{"key": "a", "title": "t", "text": "x"}] * 2})
