"""The error families the user interface tells apart.

A `UserFacingError` is something the operator or IT can act on (database down, registrar
unreachable, invalid input): it is shown in the UI with its message.  Anything else escaping
to the top is a bug in Frontline and goes to the crash report.
"""

from __future__ import annotations


class UserFacingError(Exception):
    """An error whose message is meant for the person at the desk."""


class ConfigError(UserFacingError):
    """The site configuration file is missing a value or holds a wrong one."""


class DatabaseUnavailable(UserFacingError):
    """The database cannot be reached right now; the action can be retried."""


class ValidationError(UserFacingError):
    """Input does not satisfy a rule; `fields` names the offending fields."""

    def __init__(self, message: str, fields: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.fields = fields
