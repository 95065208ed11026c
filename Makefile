# Frontline — the two commands a newcomer needs:
#   make demo   the workstation on embedded SQLite with demo data
#   make test   everything the tests need, then the whole suite (lint, types, unit, DB, SIP, GUI)
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# What Qt needs on a bare Debian/Ubuntu (the libraries its xcb platform plugin loads), and what the tests start for real.
QT_DEBS := libegl1 libgl1 libfontconfig1 libfreetype6 libdbus-1-3 libglib2.0-0 libx11-6 libx11-xcb1 \
	libxcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render0 \
	libxcb-render-util0 libxcb-shape0 libxcb-shm0 libxcb-sync1 libxcb-util1 libxcb-xfixes0 libxcb-xkb1 \
	libxkbcommon0 libxkbcommon-x11-0 fonts-dejavu-core
TEST_DEBS := xvfb xauth xdotool postgresql sip-tester kamailio kamailio-tls-modules openssl pulseaudio pulseaudio-utils \
	dbus gnome-keyring
PYTEST_ARGS ?=

.PHONY: demo test lint check-python system-deps test-deps install translations translations-update wheel screenshot bench clean

demo: system-deps install translations
	$(VENV)/bin/frontline demo-data --if-empty --customers 2000
	@if [ -z "$${DISPLAY:-}$${WAYLAND_DISPLAY:-}" ]; then \
		echo "No display found: starting under Xvfb (screenshots only). On a desktop, run 'make demo' there."; \
		xvfb-run -a $(VENV)/bin/frontline --demo; \
	else \
		$(VENV)/bin/frontline --demo; \
	fi

test: test-deps install translations lint
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check app tests benchmarks scripts
	$(VENV)/bin/ruff format --check app tests benchmarks scripts
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Frontline needs Python 3.11 or newer")'

system-deps:
	scripts/ensure-debian-packages python3-venv $(QT_DEBS) xvfb xauth

test-deps:
	scripts/ensure-debian-packages python3-venv $(QT_DEBS) $(TEST_DEBS)

install: check-python $(STAMP)

$(STAMP): pyproject.toml
	@[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

translations: install
	@for ts in resources/translations/*.ts; do \
		$(VENV)/bin/pyside6-lrelease -silent "$$ts" -qm "$${ts%.ts}.qm" || exit 1; \
	done

# Every visible string: the widgets', and the messages made below the UI (app.text.QT_TRANSLATE_NOOP).
translations-update: install
	$(VENV)/bin/pyside6-lupdate $$(find app -name '*.py' -not -path '*/migrations/*' | sort) -no-obsolete -ts resources/translations/frontline_ru.ts

# The wheel a site installs (resources and compiled translations inside the package);
# tests/integration/test_installed_wheel.py installs one into a fresh environment on every `make test`.
wheel: install translations
	rm -rf build dist
	$(PY) -m pip wheel --no-deps --quiet -w dist .

screenshot: install translations
	xvfb-run -a -s "-screen 0 1280x800x24" $(PY) scripts/screenshot.py docs/screenshot.png en

bench: install
	$(PY) benchmarks/lookup_bench.py --db sqlite:///.tmp/bench.sqlite3 --customers 100000

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build dist resources/translations/*.qm
