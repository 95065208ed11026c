"""Frontline as a site installs it: the wheel built from pyproject.toml, installed with pip into a
fresh virtual environment outside the source tree, run from a folder that is not the source tree.

What a checkout hides -- resources/ read from the repository, translations compiled next to their
sources -- must be in the wheel: demo data needs the shipped rules, the window the scripts and
templates, a Russian desk its catalogue.  The dependencies come from pip's cache (the same wheels
`make install` fetched), so the whole module costs about half a minute.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.fixtures.processes import frontline, window

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
SOURCES = ("app", "resources", "pyproject.toml", "setup.py", "README.md")


@dataclass
class Installed:
    venv: Path
    workdir: Path  # where commands run: neither the source tree nor the environment

    @property
    def command(self) -> list[str]:
        return [str(self.venv / "bin" / "frontline")]

    def env(self, lang: str = "C.UTF-8") -> dict[str, str | None]:
        """Nothing that would point back at the checkout; the language asked for."""
        return {
            "PYTHONPATH": None,
            "FRONTLINE_RESOURCES": None,
            "LANGUAGE": None,
            "LC_ALL": None,
            "LC_MESSAGES": None,
            "LANG": lang,
            "FRONTLINE_DATA_DIR": str(self.workdir / "data"),
            "QT_QPA_PLATFORM": "offscreen",
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        }

    def run(self, *args: str, lang: str = "C.UTF-8") -> subprocess.CompletedProcess[str]:
        return frontline(*args, command=self.command, env=self.env(lang), cwd=self.workdir)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    base = tmp_path_factory.mktemp("wheel")
    # A clean copy: an in-tree build would reuse build/ and could ship files deleted since.
    source = base / "source"
    source.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.ts", "*.sqlite3*")
    for name in SOURCES:
        origin = REPO / name
        if origin.is_dir():
            shutil.copytree(origin, source / name, ignore=ignore)
        else:
            shutil.copy2(origin, source / name)
    dist = base / "dist"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    subprocess.run(
        [*pip, "wheel", "--no-deps", "-w", str(dist), str(source)], check=True, capture_output=True
    )
    (wheel,) = dist.glob("frontline-*.whl")
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
    installing = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-m",
            "pip",
            "--disable-pip-version-check",
            "--quiet",
            "install",
            str(wheel),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert installing.returncode == 0, installing.stderr
    workdir = base / "elsewhere"
    workdir.mkdir()
    return Installed(venv=venv, workdir=workdir)


def test_the_installed_package_is_the_one_that_runs(installed: Installed) -> None:
    python = [str(installed.venv / "bin" / "python"), "-c", "import app; print(app.__file__)"]
    where = frontline(command=python, env=installed.env(), cwd=installed.workdir)
    assert Path(where.stdout.strip()).is_relative_to(installed.venv), where
    done = installed.run("--version")
    assert (done.returncode, done.stdout.strip()) == (0, "frontline 0.1.0")


def test_demo_data_and_lookup(installed: Installed) -> None:
    db = f"sqlite:///{installed.workdir / 'demo.sqlite3'}"
    filled = installed.run("demo-data", "--db", db, "--customers", "40", "--seed", "3")
    assert filled.returncode == 0, filled.stderr
    found = installed.run("lookup", "CN-0000001", "--db", db, "--json")
    assert found.returncode == 0, found.stderr
    assert '"contract_number": "CN-0000001"' in found.stdout


def test_the_translations_are_installed(installed: Installed) -> None:
    nowhere = f"sqlite:///{installed.workdir / 'nowhere' / 'x.sqlite3'}"
    done = installed.run("lookup", "x", "--db", nowhere, lang="ru_RU.UTF-8")
    assert done.returncode == 2
    assert "не существует" in done.stderr, done.stderr


def test_the_window_starts_in_russian_and_quits_cleanly(installed: Installed) -> None:
    db = f"sqlite:///{installed.workdir / 'window.sqlite3'}"
    argv = [*installed.command, "--demo", "--db", db]
    with window(argv, installed.env("ru_RU.UTF-8"), cwd=installed.workdir) as app:
        assert "ok=True" in app.wait_ready(timeout=60)
        assert app.quit() == 0, app.log
    assert "Traceback" not in app.log
    assert "no compiled translation" not in app.log
    # The installed engine ran and stopped cleanly: its own last log line, relayed into the window's.
    assert re.search(r"\[engine \d+\] engine stopped \(rc 0\)", app.log), app.log
