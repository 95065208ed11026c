"""Qt translations, installed before the first widget is built.

Catalogues are Qt Linguist files: `resources/translations/frontline_<lang>.ts` is the source
(edited with Qt Linguist, updated with `make translations-update`), the `.qm` next to it is
compiled by `make` with pyside6-lrelease and is not committed.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from app.resources import translations_dir

log = logging.getLogger(__name__)

SHIPPED_LANGUAGES = ("en", "ru")


def install_translators(
    app: QCoreApplication, language: str | None = None, directory: Path | None = None
) -> list[QTranslator]:
    """Install Frontline's and Qt's own translations for `language` (default: the system locale).

    Returns the translators; the caller keeps them alive for the application's lifetime.
    """
    lang = (language or QLocale.system().name()).split("_")[0].lower()
    if lang in ("c", "posix", ""):
        lang = "en"
    if language:
        QLocale.setDefault(QLocale(language))
    if lang == "en":
        return []
    installed: list[QTranslator] = []
    ours = QTranslator(app)
    qm = (directory or translations_dir()) / f"frontline_{lang}.qm"
    if ours.load(str(qm)):
        app.installTranslator(ours)
        installed.append(ours)
    else:
        log.warning("no compiled translation %s (run `make translations`); showing English", qm)
    qt_own = QTranslator(app)
    if qt_own.load(
        QLocale(lang), "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    ):
        app.installTranslator(qt_own)
        installed.append(qt_own)
    return installed
