"""Where the data files under resources/ are: an installed package, a bundle, or the source tree.

The wheel carries ``resources/`` inside the package as ``app/resource_files`` (setup.py), read
through importlib.resources; pip always unpacks wheels onto the disk, so it is a real folder (Qt's
translator and the TOML readers want paths).  A checkout -- and an editable install, which points
at one -- reads ``resources/`` where it is.
"""

from __future__ import annotations

import os
import sys
from importlib.resources import files
from pathlib import Path


def resources_dir() -> Path:
    if env := os.environ.get("FRONTLINE_RESOURCES"):
        return Path(env)
    bundle = getattr(sys, "_MEIPASS", None)  # PyInstaller one-folder bundle
    if bundle:
        return Path(bundle) / "resources"
    installed = files("app") / "resource_files"
    if installed.is_dir():
        return Path(str(installed))
    return Path(__file__).resolve().parent.parent / "resources"


def translations_dir() -> Path:
    return resources_dir() / "translations"
