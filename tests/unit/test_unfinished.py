"""Unfinished tickets and local drafts, as pure values: what a ticket still lacks to stay in its
status, which fields a query may test, and the JSON the draft store keeps."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.tickets.drafts import CategoryNode, FieldName, TicketDraft
from app.tickets.enums import TicketStatus
from app.tickets.rules import FieldRule, RequiredFieldRules
from app.tickets.unfinished import (
    DraftFormatError,
    LocalDraft,
    draft_from_json,
    draft_to_json,
    fields_open_tickets_may_need,
    local_draft_from_json,
    local_draft_to_json,
    still_missing,
)

F = FieldName
TREE = (CategoryNode(1, None, "Internet", ("Internet",)), CategoryNode(2, None, "Billing", ("Billing",)))
RULES = RequiredFieldRules.build(
    [
        FieldRule(("*",), (F.LINE, F.SUBJECT)),
        FieldRule(("create",), (F.CUSTOMER, F.LINE, F.SUBJECT)),
        FieldRule(("escalate",), (F.DEPARTMENT, F.DUE_DATE)),
        FieldRule(("resolve", "close"), (F.CATEGORY, F.COMPLEXITY, F.RESOLUTION)),
        FieldRule(("*",), (F.CUSTOMER,), ("Billing",)),
    ],
    TREE,
)


def test_what_a_ticket_lacks_to_stay_in_its_status() -> None:
    fresh = TicketDraft(customer_id=1, line_id=1)  # a call's ticket at answer
    assert still_missing(fresh, RULES) == (F.SUBJECT,)
    assert still_missing(TicketDraft(), RULES) == (F.CUSTOMER, F.LINE, F.SUBJECT)
    working = TicketDraft(line_id=1, subject="x", status=TicketStatus.IN_PROGRESS)
    assert still_missing(working, RULES) == ()  # the customer is asked for at create only
    billing = TicketDraft(line_id=1, subject="x", status=TicketStatus.IN_PROGRESS, category_id=2)
    assert still_missing(billing, RULES) == (F.CUSTOMER,)
    escalated = TicketDraft(customer_id=1, line_id=1, subject="x", status=TicketStatus.ESCALATED)
    assert still_missing(escalated, RULES) == (F.DEPARTMENT, F.DUE_DATE)
    closed = TicketDraft(status=TicketStatus.CLOSED)
    assert still_missing(closed, RULES) == ()  # done, whatever it lacks


def test_a_query_may_skip_tickets_with_none_of_the_fields_open_tickets_can_need() -> None:
    assert fields_open_tickets_may_need(RULES) == {F.LINE, F.SUBJECT, F.CUSTOMER, F.DEPARTMENT, F.DUE_DATE}


def test_drafts_round_trip_through_json_and_refuse_what_they_cannot_read() -> None:
    typed = TicketDraft(
        customer_id=3,
        category_id=1,
        subject="Ёлка «гирлянда»",
        description="line1\nline2",
        status=TicketStatus.WAITING_CUSTOMER,
        due_date=date(2027, 1, 2),
    )
    assert draft_from_json(draft_to_json(typed)) == typed
    draft = LocalDraft(
        "k", "smith", 5, "T-5", 2, TicketDraft(), typed, "note", datetime(2026, 1, 1, tzinfo=UTC)
    )
    back = local_draft_from_json(
        local_draft_to_json(draft),
        key="k",
        operator_login="smith",
        ticket_id=5,
        number="T-5",
        saved_at=draft.saved_at,
    )
    assert back == draft
    for bad in (
        {"format": 2},
        {"format": 1, "base_version": 1, "base": {}, "typed": []},
        {"format": 1, "base_version": "x", "base": {}, "typed": {}},
        {"format": 1, "base_version": 1, "base": {"customer": "7"}, "typed": {}},
        {"format": 1, "base_version": 1, "base": {"status": "lost"}, "typed": {}},
        {"format": 1, "base_version": 1, "base": {"due_date": "tomorrow"}, "typed": {}},
    ):
        with pytest.raises(DraftFormatError):
            local_draft_from_json(bad, key="k", operator_login=None, ticket_id=1, number="T", saved_at=None)
