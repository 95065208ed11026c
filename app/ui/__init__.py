"""PySide6 widgets.  No SQL and no pjsua2 here: the UI talks to services through `app.ui.ports`."""
