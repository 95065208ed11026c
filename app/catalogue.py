"""The translation catalogue (Qt Linguist ``.qm``), for the window and for the command line.

One catalogue for everything a person reads: `resources/translations/frontline_<lang>.ts`, compiled
to ``.qm`` by ``make translations`` and shipped in the wheel.  The window installs it on the
QApplication (`app.ui.i18n`); the command line reads the same file with a bare `QTranslator`
(QtCore only: no QCoreApplication, no display, no GUI libraries) and renders `app.text.Text`
messages through it.  Why Qt's reader rather than gettext: translators keep one file in one tool,
and a command-line message and the same message in the window can never disagree.  The softphone
engine process never comes here (it must not load Qt); it only reports events, which the window
words.

QtCore is imported inside the functions: a command that prints nothing translated never loads it.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from app.resources import translations_dir
from app.text import use_translator

if TYPE_CHECKING:
    from PySide6.QtCore import QObject, QTranslator

log = logging.getLogger(__name__)

SHIPPED_LANGUAGES = ("en", "ru")


def language_of(configured: str | None) -> str:
    """The two-letter language to speak: the site file's, else the system locale's (``LANG``,
    ``LC_MESSAGES``, ``LANGUAGE``), else English."""
    if configured:
        return configured.split("_")[0].lower()
    from PySide6.QtCore import QLocale

    lang = QLocale.system().name().split("_")[0].lower()
    return "en" if lang in ("c", "posix", "") else lang


def load_catalogue(
    language: str, directory: Path | None = None, parent: QObject | None = None
) -> QTranslator | None:
    """Frontline's translator for `language`; None for English or when no catalogue is found."""
    if language == "en":
        return None
    from PySide6.QtCore import QTranslator

    translator = QTranslator(parent)
    qm = (directory or translations_dir()) / f"frontline_{language}.qm"
    if translator.load(str(qm)):
        return translator
    if language in SHIPPED_LANGUAGES:
        log.warning("no compiled translation %s (run `make translations`); showing English", qm)
    return None


def use_for_command_line(configured: str | None) -> None:
    """Render `app.text.Text` messages in the user's language from now on, loading the catalogue
    the first time a message is shown."""
    loaded: list[QTranslator | None] = []

    def translate(context: str, source: str) -> str:
        if not loaded:
            loaded.append(load_catalogue(language_of(configured)))
        translator = loaded[0]
        return (translator.translate(context, source) or "") if translator is not None else ""

    use_translator(translate)
