"""Qt translations, installed before the first widget is built.

Catalogues are Qt Linguist files: `resources/translations/frontline_<lang>.ts` is the source
(edited with Qt Linguist, updated with `make translations-update`), the `.qm` next to it is
compiled by `make` with pyside6-lrelease and is not committed.  Messages made below the UI
(`app.text.Text`, e.g. a database error) are rendered through the same installed catalogue.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from app.catalogue import SHIPPED_LANGUAGES, language_of, load_catalogue
from app.text import use_translator

__all__ = ["SHIPPED_LANGUAGES", "install_translators"]


def install_translators(
    app: QCoreApplication, language: str | None = None, directory: Path | None = None
) -> list[QTranslator]:
    """Install Frontline's and Qt's own translations for `language` (default: the system locale).

    Returns the translators; the caller keeps them alive for the application's lifetime.
    """
    lang = language_of(language)
    if language:
        QLocale.setDefault(QLocale(language))
    use_translator(QCoreApplication.translate)
    if lang == "en":
        return []
    installed: list[QTranslator] = []
    ours = load_catalogue(lang, directory, parent=app)
    if ours is not None:
        app.installTranslator(ours)
        installed.append(ours)
    qt_own = QTranslator(app)
    if qt_own.load(
        QLocale(lang), "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    ):
        app.installTranslator(qt_own)
        installed.append(qt_own)
    return installed
