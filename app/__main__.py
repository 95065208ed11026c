"""`python -m app` starts Frontline exactly like the `frontline` command."""

import sys

from app.cli import main

sys.exit(main())
