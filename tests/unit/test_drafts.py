"""Ticket values: what counts as filled, what changed, comments among the events."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

from app.tickets.drafts import FIELD_LABELS, FORM_ORDER, FieldName, TicketDraft, TicketEventView, TicketView
from app.tickets.enums import TicketEventKind, TicketStatus
from app.tickets.rules import TRANSITION_LABELS, Transition

T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def test_blank_text_and_none_are_not_filled() -> None:
    draft = TicketDraft(subject="  \t", description="x", customer_id=0)
    assert not draft.is_filled(FieldName.SUBJECT)
    assert draft.is_filled(FieldName.DESCRIPTION)
    assert draft.is_filled(FieldName.CUSTOMER)  # an id of 0 is still an id
    assert not draft.is_filled(FieldName.DUE_DATE)
    assert draft.is_filled(FieldName.STATUS)


def test_changes_are_listed_in_form_order() -> None:
    old = TicketDraft(subject="a")
    new = dataclasses.replace(old, due_date=date(2026, 12, 1), subject="b", status=TicketStatus.ESCALATED)
    assert new.changes_from(old) == (FieldName.SUBJECT, FieldName.STATUS, FieldName.DUE_DATE)
    assert old.changes_from(old) == ()


def test_every_field_and_transition_has_an_english_label() -> None:
    assert set(FIELD_LABELS) == set(FORM_ORDER) == set(FieldName)
    assert set(TRANSITION_LABELS) == set(Transition)


def test_comments_are_the_comment_events() -> None:
    events = (
        TicketEventView(1, TicketEventKind.CREATED, None, T0, {"number": "T-1"}),
        TicketEventView(2, TicketEventKind.COMMENT, "Anna", T0, {"text": "hello"}),
    )
    view = TicketView(1, "T-1", 1, TicketDraft(), T0, T0, events=events)
    assert [c.comment for c in view.comments] == ["hello"]
    assert events[0].comment is None
    assert view.status is TicketStatus.NEW
