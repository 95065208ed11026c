"""Sentences for people, marked where they are written and translated where they are shown.

Messages built below the UI (database errors, configuration errors, the command line) cannot call
Qt: the domain, the storage layer and the softphone engine never load it.  They are written as

    QT_TRANSLATE_NOOP("DatabaseError", "There is no database {name}.").format(name=url.database)

which Qt Linguist's ``lupdate`` finds (it knows ``QT_TRANSLATE_NOOP``) and which returns a `Text`:
the context, the English source and the values.  ``str(text)`` renders it through the catalogue
installed with `use_translator` -- ``QCoreApplication.translate`` in the window, a `QTranslator`
read straight from the same ``.qm`` file in the command line (`app.catalogue`), nothing in the
engine process (English) -- so ``str(exc)`` of a `UserFacingError` built from a `Text` is already
in the user's language wherever it is shown.  Logs use `Text.english` instead: IT reads them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

Translate = Callable[[str, str], str]
"""``translate(context, source)``: the translated source, or an empty string when there is none."""


def _untranslated(_context: str, source: str) -> str:
    return source


_translator: Translate = _untranslated


def use_translator(translate: Translate | None) -> None:
    """Render every `Text` through `translate` from now on (None: English again)."""
    global _translator  # noqa: PLW0603 (one catalogue per process, as Qt's installTranslator)
    _translator = translate or _untranslated


@dataclass(frozen=True, slots=True)
class Text:
    """A sentence to translate when shown: Linguist context, English source, ``{name}`` values."""

    context: str
    source: str
    values: tuple[tuple[str, object], ...] = ()

    def format(self, **values: object) -> Text:
        """The same sentence with these ``{placeholders}`` filled (a `Text` value is translated too)."""
        return Text(self.context, self.source, (*self.values, *values.items()))

    def english(self) -> str:
        """The sentence in English, its values rendered in English too (for logs)."""
        values = {k: _english(v) for k, v in self.values}
        return _fill(self.source, values) or self.source

    def __str__(self) -> str:
        values = {k: str(v) for k, v in self.values}
        translated = _translator(self.context, self.source)
        # A translation that lost or garbled a placeholder shows English rather than crashing;
        # tests/gui/test_translations.py keeps the shipped catalogues clean.
        return (translated and _fill(translated, values)) or _fill(self.source, values) or self.source


def _english(value: object) -> str:
    if isinstance(value, Text):
        return value.english()
    english = getattr(value, "english", None)  # a UserFacingError quoted in a message
    return english if isinstance(english, str) else str(value)


def _fill(template: str, values: dict[str, str]) -> str | None:
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return None


def QT_TRANSLATE_NOOP(context: str, source: str) -> Text:  # noqa: N802 (the name lupdate looks for)
    """Mark `source` for translation in `context`; it is translated when the `Text` is shown."""
    return Text(context, source)
