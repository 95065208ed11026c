"""Demo mode: a built-in caller (a real SIP user agent in its own process) that rings the desk."""

DEMO_LOGIN_PREFIX = "demo."
"""Every demo operator's login starts with this: none is a real login or a documentation example."""

DEMO_OPERATOR = "demo.smith"
"""The demo database's English operator ("John Smith"), the one the demo window signs in as."""
