"""The status bar's word on the central database: online, offline with the count waiting, catching
up with progress, conflicts and refused changes flagged."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from app.sync.notices import SyncState
from app.ui.sync_status import SyncEvents, SyncStatusLabel

pytestmark = pytest.mark.gui


@pytest.mark.parametrize(
    ("state", "text", "warns"),
    [
        (SyncState("online"), "Central database: online", False),
        (SyncState("offline", waiting=17), "Central database: offline — changes waiting: 17", True),
        (
            SyncState("catching_up", waiting=60, done=40, total=100),
            "Central database: catching up 40/100",
            False,
        ),
        (
            SyncState("online", conflicts=2),
            "Central database: online · conflicts to review (Ctrl+Shift+K): 2",
            True,
        ),
        (
            SyncState("online", refused=1),
            "Central database: online · refused by the central database: 1 — call IT",
            True,
        ),
    ],
)
def test_the_label_says_what_the_sync_is_doing(
    qtbot: QtBot, state: SyncState, text: str, warns: bool
) -> None:
    label = SyncStatusLabel()
    qtbot.addWidget(label)
    events = SyncEvents()
    events.state_changed.connect(label.show_state)
    events.emit_state(state)
    assert label.text() == text
    assert ("color" in label.styleSheet()) is warns
