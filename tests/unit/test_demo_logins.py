"""The demo's operators never share a login with the documentation's examples: IT following the
docs (`add-operator --login ivanov`, a site file for `op1`) and then loading demo data must get two
different people, not a clash or, worse, the demo's operator signing in as theirs."""

from __future__ import annotations

import re
from pathlib import Path

from app.demo import DEMO_LOGIN_PREFIX, DEMO_OPERATOR
from app.demo.data import DEMO_STAFF

REPO = Path(__file__).resolve().parents[2]
DOCUMENTS = [
    REPO / "README.md",
    *sorted((REPO / "docs").glob("*.md")),
    *sorted((REPO / "installers").glob("*.example")),
]
# Where the documents name a login: add-operator and the window's options, database URLs, SQL.
LOGIN_PATTERNS = (
    r"--login\s+([\w.@-]+)",
    r"--operator\s+([\w.@-]+)",
    r"FRONTLINE_OPERATOR=([\w.@-]+)",
    r"postgresql://([\w.-]+)@",
    r"login\s*=\s*'([\w.@-]+)'",
    r"ROLE\s+([\w.@-]+)\s+NOLOGIN",
    r"FROM\s+([\w.@-]+);",
)


def documented_logins() -> set[str]:
    found: set[str] = set()
    for document in DOCUMENTS:
        text = document.read_text(encoding="utf-8")
        for pattern in LOGIN_PATTERNS:
            found |= set(re.findall(pattern, text))
    return found - {"LOGIN", "L", "URL"}  # placeholders in usage lines


def test_the_documents_are_read() -> None:
    assert {"ivanov", "op1"} <= documented_logins()


def test_no_demo_login_is_a_documented_example() -> None:
    demo = {login for login, *_ in DEMO_STAFF}
    assert demo & documented_logins() == set()


def test_every_demo_login_says_it_is_one() -> None:
    demo = [login for login, *_ in DEMO_STAFF]
    assert all(login.startswith(DEMO_LOGIN_PREFIX) for login in demo), demo
    assert DEMO_OPERATOR in demo
