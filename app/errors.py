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


class EditConflict(UserFacingError):
    """Someone else saved the record since it was opened; nothing was overwritten.

    `expected_version` is the version the edit was based on, `current_version` the stored one;
    `current` is the stored record now (e.g. an `app.tickets.drafts.TicketView`), so the UI can
    show theirs next to the operator's unsaved draft.
    """

    def __init__(
        self, message: str, expected_version: int, current_version: int, current: object = None
    ) -> None:
        super().__init__(message)
        self.expected_version = expected_version
        self.current_version = current_version
        self.current = current
