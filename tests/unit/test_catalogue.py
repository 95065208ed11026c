"""The command line speaks the user's language through Qt's own catalogue reader -- QtCore only,
and only when there is something to say; the softphone engine never loads Qt at all."""

from __future__ import annotations

import json
import sys

import pytest

from tests.fixtures.processes import frontline

# Runs `frontline ARGS` and reports, at exit, which Qt modules the process had loaded.
PROBE = (
    "import atexit, json, sys\n"
    "atexit.register(lambda: print(json.dumps(sorted(m for m in sys.modules if m.startswith('PySide6'))),"
    " file=sys.stderr))\n"
    "from app.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


def qt_modules(*args: str, lang: str = "ru_RU.UTF-8") -> tuple[int, list[str], str]:
    done = frontline(
        *args, command=(sys.executable, "-c", PROBE), env={"LANG": lang, "LC_ALL": None, "LANGUAGE": None}
    )
    *text, modules = done.stderr.strip().splitlines()
    return done.returncode, json.loads(modules), "\n".join(text)


@pytest.mark.parametrize("args", [("--version",), ("phone", "--help"), ("lookup", "--help")])
def test_commands_with_nothing_to_translate_load_no_qt(args: tuple[str, ...]) -> None:
    rc, modules, _ = qt_modules(*args)
    assert (rc, modules) == (0, [])


def test_an_error_is_translated_with_qtcore_alone() -> None:
    rc, modules, said = qt_modules("lookup", "x", "--db", "sqlite:////nonexistent-folder/x.sqlite3")
    assert rc == 2
    assert "не существует" in said
    assert {m for m in modules if m.startswith("PySide6.Qt")} == {"PySide6.QtCore"}  # no GUI libraries
