"""Unfinished tickets: typing the desk has not saved yet, and stored tickets that lack required fields.

Two kinds of "not finished", both shown to the operator until they are dealt with:

* a `LocalDraft` is what the operator typed into a ticket and has not saved: the desk keeps it on
  its own disk as it is typed (`app.storage.draft_store`), so a crash, a kill -9 or the next call
  loses none of it;
* an `UnfinishedTicket` is a stored ticket that does not have what the rules require for it to
  stay in its status (`still_missing`): a call's ticket is created at answer with an empty subject,
  and stays unfinished until someone fills it in.  The shift lead sees these too.

Pure values and functions (no Qt, no SQL); the JSON forms are what the draft store writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from app.tickets.drafts import FieldName, TicketDraft
from app.tickets.enums import TicketStatus
from app.tickets.rules import (
    ANY_TRANSITION,
    ENTERING,
    IllegalTransition,
    RequiredFieldRules,
    Transition,
    missing_fields,
    transition_between,
)

DRAFT_FORMAT = 1  # bump when the JSON below changes; older records are read by `local_draft_from_json`


def still_missing(draft: TicketDraft, rules: RequiredFieldRules) -> tuple[FieldName, ...]:
    """The required fields `draft` lacks to be saved again in its own status, in form order.

    A new ticket needs what ``create`` asks for, an escalated one its department and due date, and
    so on (`RequiredFieldRules.required`); a closed ticket is finished by definition.
    """
    try:
        transition = transition_between(draft.status, draft.status)
    except IllegalTransition:  # closed: no "save" without reopening
        return ()
    return missing_fields(draft, transition, rules)


def fields_open_tickets_may_need(rules: RequiredFieldRules) -> set[FieldName]:
    """Every field some rule could require of an open ticket staying in its status (whatever its
    category): what a query may test for emptiness before `still_missing` decides."""
    staying = {Transition.SAVE.value, ANY_TRANSITION} | {
        ENTERING[status].value for status in TicketStatus if status.is_open
    }
    return {name for rule in rules.rules if not staying.isdisjoint(rule.transitions) for name in rule.fields}


@dataclass(frozen=True, slots=True)
class UnfinishedTicket:
    """A stored ticket that still lacks required fields (`missing`, in form order)."""

    ticket_id: int
    number: str
    subject: str
    status: TicketStatus
    created_at: datetime
    created_by: str | None  # the operator's login
    missing: tuple[FieldName, ...]


@dataclass(frozen=True, slots=True)
class LocalDraft:
    """Unsaved typing in one ticket, as the desk keeps it on disk.

    `base` and `base_version` are the stored ticket the typing started from: restored, the form
    shows `base` as "stored" and `typed` as unsaved changes on top, so a save made meanwhile on
    another desk is a conflict to decide, never silently overwritten.
    """

    key: str  # one per open ticket form
    operator_login: str | None
    ticket_id: int
    number: str
    base_version: int
    base: TicketDraft
    typed: TicketDraft
    comment: str = ""  # a comment typed and not added yet
    saved_at: datetime | None = None

    def changed_fields(self) -> tuple[FieldName, ...]:
        return self.typed.changes_from(self.base)


class DraftFormatError(ValueError):
    """A stored draft is not in a format this version reads."""


def draft_to_json(draft: TicketDraft) -> dict[str, Any]:
    return {name.value: _plain(draft.value(name)) for name in FieldName}


def draft_from_json(data: Mapping[str, Any]) -> TicketDraft:
    try:
        due = data.get("due_date")
        return TicketDraft(
            customer_id=_id(data.get("customer")),
            line_id=_id(data.get("line")),
            category_id=_id(data.get("category")),
            complexity_id=_id(data.get("complexity")),
            priority_id=_id(data.get("priority")),
            subject=str(data.get("subject") or ""),
            description=str(data.get("description") or ""),
            resolution=str(data.get("resolution") or ""),
            status=TicketStatus(data.get("status", TicketStatus.NEW.value)),
            department_id=_id(data.get("department")),
            assignee_id=_id(data.get("assignee")),
            due_date=date.fromisoformat(due) if isinstance(due, str) and due else None,
        )
    except (TypeError, ValueError) as exc:
        raise DraftFormatError(f"unreadable ticket draft: {exc}") from exc


def local_draft_to_json(draft: LocalDraft) -> dict[str, Any]:
    return {
        "format": DRAFT_FORMAT,
        "base_version": draft.base_version,
        "base": draft_to_json(draft.base),
        "typed": draft_to_json(draft.typed),
        "comment": draft.comment,
    }


def local_draft_from_json(
    data: Mapping[str, Any],
    *,
    key: str,
    operator_login: str | None,
    ticket_id: int,
    number: str,
    saved_at: datetime | None,
) -> LocalDraft:
    """The draft stored as `data` (with the columns kept beside it); `DraftFormatError` if unreadable."""
    if data.get("format") != DRAFT_FORMAT:
        raise DraftFormatError(f"unknown draft format {data.get('format')!r}")
    base, typed = data.get("base"), data.get("typed")
    if not isinstance(base, Mapping) or not isinstance(typed, Mapping):
        raise DraftFormatError("a draft needs 'base' and 'typed'")
    try:
        base_version = int(data["base_version"])
    except (KeyError, TypeError, ValueError) as exc:
        raise DraftFormatError(f"bad base_version: {exc}") from exc
    return LocalDraft(
        key=key,
        operator_login=operator_login,
        ticket_id=ticket_id,
        number=number,
        base_version=base_version,
        base=draft_from_json(base),
        typed=draft_from_json(typed),
        comment=str(data.get("comment") or ""),
        saved_at=saved_at,
    )


def _plain(value: Any) -> Any:
    if isinstance(value, TicketStatus):
        return value.value
    return value.isoformat() if isinstance(value, date) else value


def _id(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"not an id: {value!r}")
    return value
