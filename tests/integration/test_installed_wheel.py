"""Frontline as a site installs it: the wheel built from pyproject.toml, installed with pip into a
fresh virtual environment outside the source tree, run from a folder that is not the source tree.

What a checkout hides -- resources/ read from the repository, translations compiled next to their
sources -- must be in the wheel: demo data needs the shipped rules, the window the scripts and
templates, a Russian desk its catalogue.  The dependencies come from pip's cache (the same wheels
`make install` fetched), so the whole module costs about half a minute.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
SOURCES = ("app", "resources", "pyproject.toml", "setup.py", "README.md")


@dataclass
class Installed:
    venv: Path
    workdir: Path  # where commands run: neither the source tree nor the environment

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("PYTHONPATH", "FRONTLINE_RESOURCES", "LANGUAGE", "LC_ALL", "LC_MESSAGES")
        }
        return {
            **env,
            "FRONTLINE_DATA_DIR": str(self.workdir / "data"),
            "QT_QPA_PLATFORM": "offscreen",
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
            "LANG": "C.UTF-8",
            **extra,
        }

    def run(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.venv / "bin" / "frontline"), *args],
            cwd=self.workdir,
            env=self.env(**env),
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )


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
    where = subprocess.run(
        [str(installed.venv / "bin" / "python"), "-c", "import app; print(app.__file__)"],
        cwd=installed.workdir,
        env=installed.env(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(where).is_relative_to(installed.venv), where
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
    done = installed.run(
        "lookup", "x", "--db", f"sqlite:///{installed.workdir / 'nowhere' / 'x.sqlite3'}", LANG="ru_RU.UTF-8"
    )
    assert done.returncode == 2
    assert "не существует" in done.stderr, done.stderr


@pytest.fixture
def window(installed: Installed) -> Iterator[tuple[subprocess.Popen[str], threading.Event, list[str]]]:
    db = f"sqlite:///{installed.workdir / 'window.sqlite3'}"
    proc = subprocess.Popen(
        [str(installed.venv / "bin" / "frontline"), "--demo", "--db", db],
        cwd=installed.workdir,
        env=installed.env(LANG="ru_RU.UTF-8"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    ready, lines = threading.Event(), []

    def read() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.append(line)
            if "window ready" in line:
                ready.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    yield proc, ready, lines
    if proc.poll() is None:
        proc.kill()
        proc.wait()
    reader.join(timeout=5)
    assert proc.stderr is not None
    proc.stderr.close()


def test_the_window_starts_in_russian_and_quits_cleanly(
    window: tuple[subprocess.Popen[str], threading.Event, list[str]],
) -> None:
    proc, ready, lines = window
    assert ready.wait(timeout=60), "".join(lines)
    proc.send_signal(signal.SIGTERM)  # as a session logout ends it
    assert proc.wait(timeout=30) == 0, "".join(lines)
    log = "".join(lines)
    assert "Traceback" not in log
    assert "no compiled translation" not in log
    assert "ok=True" in log
