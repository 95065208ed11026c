"""`app.text`: messages marked below the UI are translated where they are shown, logged in English."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.errors import DatabaseUnavailable
from app.text import QT_TRANSLATE_NOOP, Text, use_translator

CATALOGUE = {
    ("Test", "The server {server} is down."): "Сервер {server} недоступен.",
    ("Test", "on {where}"): "на {where}",
    ("Test", "Broken {name}."): "Сломано {nmae}.",  # a translator's typo
}


@pytest.fixture
def russian() -> Iterator[None]:
    use_translator(lambda context, source: CATALOGUE.get((context, source), ""))
    yield
    use_translator(None)


def test_a_marked_message_is_english_until_a_catalogue_is_installed() -> None:
    text = QT_TRANSLATE_NOOP("Test", "The server {server} is down.").format(server="db1")
    assert isinstance(text, Text)
    assert str(text) == "The server db1 is down."


def test_it_is_shown_translated_and_logged_in_english(russian: None) -> None:
    error = DatabaseUnavailable(
        QT_TRANSLATE_NOOP("Test", "The server {server} is down.").format(server="db1")
    )
    assert str(error) == "Сервер db1 недоступен."
    assert error.english == "The server db1 is down."


def test_values_that_are_messages_are_translated_too(russian: None) -> None:
    where = QT_TRANSLATE_NOOP("Test", "on {where}").format(where="db1")
    text = QT_TRANSLATE_NOOP("Test", "The server {server} is down.").format(server=where)
    assert str(text) == "Сервер на db1 недоступен."
    assert text.english() == "The server on db1 is down."


def test_a_translation_that_lost_its_placeholder_shows_english(russian: None) -> None:
    assert str(QT_TRANSLATE_NOOP("Test", "Broken {name}.").format(name="x")) == "Broken x."


def test_an_unknown_message_stays_english(russian: None) -> None:
    assert str(QT_TRANSLATE_NOOP("Test", "Not in the catalogue.")) == "Not in the catalogue."
