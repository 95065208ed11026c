"""`python -m app.softphone`: the engine process, the same as `frontline phone` (main thread)."""

from __future__ import annotations

import sys

from app.softphone.engine.main import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
