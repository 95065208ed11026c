"""The error families the user interface tells apart.

A `UserFacingError` is something the operator or IT can act on (database down, registrar
unreachable, invalid input): it is shown in the UI (or printed by the command line) with its
message.  Anything else escaping to the top is a bug in Frontline and goes to the crash report.

The message is an `app.text.Text` wherever it can be (``QT_TRANSLATE_NOOP(...)``): ``str(exc)`` is
then in the user's language, and `UserFacingError.english` is what goes to the log.
"""

from __future__ import annotations

from app.text import Text


class UserFacingError(Exception):
    """An error whose message is meant for the person at the desk (a `Text`, or a plain string)."""

    @property
    def english(self) -> str:
        """The message in English, for logs."""
        message = self.args[0] if self.args else ""
        return message.english() if isinstance(message, Text) else str(message)


class ConfigError(UserFacingError):
    """The site configuration file is missing a value or holds a wrong one."""


class DatabaseUnavailable(UserFacingError):
    """The database cannot be used right now (unreachable, or it refuses this desk's login); the
    desk keeps working on what it has, and the action can be retried."""


class DatabaseRefused(UserFacingError):
    """The database answers but refuses the action (permission denied, schema not migrated):
    retrying does not help until someone with the rights acts."""


class ValidationError(UserFacingError):
    """Input does not satisfy a rule; `fields` names the offending fields."""

    def __init__(self, message: str | Text, fields: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.fields = fields


class EditConflict(UserFacingError):
    """Someone else saved the record since it was opened; nothing was overwritten.

    `expected_version` is the version the edit was based on, `current_version` the stored one;
    `current` is the stored record now (e.g. an `app.tickets.drafts.TicketView`), so the UI can
    show theirs next to the operator's unsaved draft.
    """

    def __init__(
        self, message: str | Text, expected_version: int, current_version: int, current: object = None
    ) -> None:
        super().__init__(message)
        self.expected_version = expected_version
        self.current_version = current_version
        self.current = current
