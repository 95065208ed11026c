"""Required-field rules per category (with inheritance) and per transition; the status table."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.resources import resources_dir
from app.tickets.drafts import FORM_ORDER, CategoryNode, FieldName, TicketDraft, category_paths
from app.tickets.enums import TicketStatus
from app.tickets.rules import (
    TRANSITIONS,
    FieldRule,
    IllegalTransition,
    RequiredFieldRules,
    RulesError,
    Transition,
    allowed_targets,
    load_rules_file,
    missing_fields,
    missing_message,
    parse_rules,
    transition_between,
)

S = TicketStatus
F = FieldName
TREE = category_paths(
    [(1, None, "Internet"), (2, 1, "No connection"), (3, 2, "Fibre"), (4, None, "Billing"), (5, 4, "Refund")]
)
DEFAULTS = RequiredFieldRules.build(load_rules_file(resources_dir() / "rules" / "default_rules.toml"), TREE)
BASE = TicketDraft(customer_id=7, line_id=1, subject="No connection")


def test_category_paths_are_root_first_and_sorted() -> None:
    assert [n.path_text for n in TREE] == [
        "Billing",
        "Billing / Refund",
        "Internet",
        "Internet / No connection",
        "Internet / No connection / Fibre",
    ]
    cyclic = category_paths([(1, 2, "a"), (2, 1, "b")])
    assert {n.path for n in cyclic} == {("b", "a"), ("a", "b")}


@pytest.mark.parametrize(
    ("old", "new", "transition"),
    [
        (None, S.NEW, Transition.CREATE),
        (S.NEW, S.NEW, Transition.SAVE),
        (S.NEW, S.IN_PROGRESS, Transition.START),
        (S.IN_PROGRESS, S.ESCALATED, Transition.ESCALATE),
        (S.ESCALATED, S.WAITING_CUSTOMER, Transition.WAIT_CUSTOMER),
        (S.WAITING_CUSTOMER, S.RESOLVED, Transition.RESOLVE),
        (S.RESOLVED, S.CLOSED, Transition.CLOSE),
        (S.NEW, S.CLOSED, Transition.CLOSE),
        (S.CLOSED, S.IN_PROGRESS, Transition.REOPEN),
        (S.RESOLVED, S.IN_PROGRESS, Transition.REOPEN),
    ],
)
def test_allowed_transitions_have_names(old: S | None, new: S, transition: Transition) -> None:
    assert transition_between(old, new) is transition


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (S.CLOSED, S.CLOSED),
        (S.CLOSED, S.ESCALATED),
        (S.IN_PROGRESS, S.NEW),
        (None, S.CLOSED),
        (S.RESOLVED, S.NEW),
    ],
)
def test_illegal_transitions_raise(old: S | None, new: S) -> None:
    with pytest.raises(IllegalTransition) as caught:
        transition_between(old, new)
    assert (caught.value.old, caught.value.new) == (old, new)


@given(st.sampled_from([None, *S]), st.sampled_from(list(S)))
def test_transition_between_agrees_with_allowed_targets(old: S | None, new: S) -> None:
    if new in allowed_targets(old):
        assert transition_between(old, new) is TRANSITIONS[(old, new)]
    else:
        with pytest.raises(IllegalTransition):
            transition_between(old, new)


def test_new_ticket_save_needs_customer_line_subject() -> None:
    assert missing_fields(TicketDraft(), Transition.CREATE, DEFAULTS) == (F.CUSTOMER, F.LINE, F.SUBJECT)
    # Saving again while still new keeps the create rules (entering status NEW).
    assert missing_fields(TicketDraft(subject="  "), Transition.SAVE, DEFAULTS) == (
        F.CUSTOMER,
        F.LINE,
        F.SUBJECT,
    )
    assert missing_fields(BASE, Transition.SAVE, DEFAULTS) == ()


def test_closing_needs_category_complexity_resolution() -> None:
    closing = dataclasses.replace(BASE, status=S.CLOSED)
    assert missing_fields(closing, Transition.CLOSE, DEFAULTS) == (F.CATEGORY, F.COMPLEXITY, F.RESOLUTION)
    # Saving an in-progress ticket asks nothing of the kind.
    working = dataclasses.replace(BASE, status=S.IN_PROGRESS, customer_id=None)
    assert missing_fields(working, Transition.START, DEFAULTS) == ()


def test_escalating_needs_department_and_due_date_and_keeps_needing_them() -> None:
    escalated = dataclasses.replace(BASE, status=S.ESCALATED)
    assert missing_fields(escalated, Transition.ESCALATE, DEFAULTS) == (F.DEPARTMENT, F.DUE_DATE)
    partly = dataclasses.replace(escalated, due_date=date(2026, 12, 1))
    assert missing_fields(partly, Transition.SAVE, DEFAULTS) == (F.DEPARTMENT,)


def test_a_rule_on_a_parent_category_applies_to_its_children() -> None:
    closing = dataclasses.replace(
        BASE, status=S.CLOSED, complexity_id=1, resolution="Replaced the cable", category_id=3
    )  # Internet / No connection / Fibre: inherits "Internet / No connection" -> description
    assert missing_fields(closing, Transition.CLOSE, DEFAULTS) == (F.DESCRIPTION,)
    assert missing_fields(dataclasses.replace(closing, category_id=1), Transition.CLOSE, DEFAULTS) == ()
    billing = dataclasses.replace(BASE, customer_id=None, category_id=5)  # Billing / Refund
    assert missing_fields(billing, Transition.SAVE, DEFAULTS) == (F.CUSTOMER,)
    refund_escalated = dataclasses.replace(billing, status=S.ESCALATED)
    assert missing_fields(refund_escalated, Transition.ESCALATE, DEFAULTS) == (
        F.CUSTOMER,
        F.PRIORITY,
        F.DESCRIPTION,
        F.DEPARTMENT,
        F.DUE_DATE,
    )


def test_a_category_path_prefix_is_not_a_parent() -> None:
    rules = RequiredFieldRules.build([FieldRule(("*",), (F.PRIORITY,), ("Internet",))], TREE)
    sibling_tree = category_paths([(9, None, "Internet TV")])
    other = RequiredFieldRules.build(rules.rules, sibling_tree)
    assert missing_fields(dataclasses.replace(BASE, category_id=9), Transition.SAVE, other) == ()
    assert missing_fields(dataclasses.replace(BASE, category_id=2), Transition.SAVE, rules) == (F.PRIORITY,)


@given(
    st.builds(
        TicketDraft,
        customer_id=st.none() | st.integers(1, 5),
        line_id=st.none() | st.integers(1, 5),
        category_id=st.none() | st.sampled_from([n.id for n in TREE]),
        complexity_id=st.none() | st.integers(1, 3),
        subject=st.text(max_size=3),
        resolution=st.text(max_size=3),
        status=st.sampled_from(list(S)),
    ),
    st.sampled_from(list(Transition)),
)
def test_missing_fields_are_in_form_order_and_really_empty(
    draft: TicketDraft, transition: Transition
) -> None:
    missing = missing_fields(draft, transition, DEFAULTS)
    assert list(missing) == sorted(missing, key=FORM_ORDER.index)
    assert all(not draft.is_filled(f) for f in missing)
    filled = dataclasses.replace(
        draft,
        customer_id=1,
        line_id=1,
        category_id=draft.category_id or 1,
        complexity_id=1,
        priority_id=1,
        subject="s",
        description="d",
        resolution="r",
        department_id=1,
        assignee_id=1,
        due_date=date(2026, 1, 1),
    )
    assert missing_fields(filled, transition, DEFAULTS) == ()


def test_rules_files_are_checked() -> None:
    good = {"rule": [{"on": ["close"], "fields": ["resolution"], "category": "Internet / No connection"}]}
    assert parse_rules(good) == (FieldRule(("close",), (F.RESOLUTION,), ("Internet", "No connection")),)
    for bad in (
        {"rule": [{"on": ["fly"], "fields": ["resolution"]}]},
        {"rule": [{"on": ["close"], "fields": ["colour"]}]},
        {"rule": [{"on": [], "fields": ["resolution"]}]},
        {"rule": [{"on": ["close"], "fields": ["resolution"], "category": 3}]},
        {"rule": {"on": ["close"]}},
    ):
        with pytest.raises(RulesError):
            parse_rules(bad)


def test_messages_name_the_field_and_the_action() -> None:
    assert missing_message(F.DUE_DATE, Transition.ESCALATE) == (
        "Fill in Due date to pass the ticket to another department."
    )


def test_category_node_text() -> None:
    assert CategoryNode(1, None, "A", ("A", "B")).path_text == "A / B"
