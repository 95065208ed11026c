"""English and Russian ship complete: every string translated, every {placeholder} kept,
and the window really speaks Russian once the catalogue is installed."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

import app
from app.resources import translations_dir
from app.ui.customer_card import CustomerCardView
from app.ui.i18n import SHIPPED_LANGUAGES

PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def _catalogues() -> list[Path]:
    return sorted(translations_dir().glob("frontline_*.ts"))


def test_every_shipped_language_has_a_catalogue() -> None:
    have = {p.stem.removeprefix("frontline_") for p in _catalogues()}
    assert have == set(SHIPPED_LANGUAGES) - {"en"}


@pytest.mark.parametrize("ts", _catalogues(), ids=lambda p: p.name)
def test_catalogue_is_complete_and_keeps_placeholders(ts: Path) -> None:
    problems = []
    for msg in ET.parse(ts).iter("message"):
        source = msg.findtext("source") or ""
        translation = msg.find("translation")
        assert translation is not None
        if translation.get("type") in ("unfinished", "obsolete", "vanished") or not (translation.text or ""):
            problems.append(f"untranslated: {source!r}")
        elif sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(translation.text or "")):
            problems.append(f"placeholders differ: {source!r} -> {translation.text!r}")
    assert problems == []


def test_ui_strings_are_all_in_the_catalogue(tmp_path: Path) -> None:
    """A string added to the UI -- or a message marked with QT_TRANSLATE_NOOP anywhere in the
    package -- without running `make translations-update` is caught here."""
    lupdate = Path(sys.executable).with_name("pyside6-lupdate")
    fresh = tmp_path / "fresh.ts"
    package = Path(app.__file__).parent
    sources = sorted(str(p) for p in package.rglob("*.py") if "migrations" not in p.parts)
    subprocess.run([str(lupdate), *sources, "-ts", str(fresh)], check=True, capture_output=True)
    wanted = {m.findtext("source") for m in ET.parse(fresh).iter("message")}
    for ts in _catalogues():
        have = {m.findtext("source") for m in ET.parse(ts).iter("message")}
        assert wanted - have == set(), f"{ts.name} lacks strings: run make translations-update"


@pytest.mark.gui
@pytest.mark.usefixtures("russian")
def test_the_card_speaks_russian(qtbot: QtBot) -> None:
    view = CustomerCardView()
    qtbot.addWidget(view)
    assert view.placeholder.text() == "Найдите клиента по номеру телефона, номеру договора или имени."
    assert view.tabs.tabText(0) == "Открытые заявки"
