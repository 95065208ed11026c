"""The ticket form's values: what the operator edits, what is stored, what fills the combo boxes.

All frozen, so they cross from the database worker to the GUI thread safely.  The form keeps a
`TicketDraft` and replaces it (`dataclasses.replace`) on every edit; `TicketService.save` takes the
draft with the `TicketView.version` it was based on.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from app.tickets.enums import TicketEventKind, TicketStatus


class FieldName(enum.StrEnum):
    """The ticket form's fields, in the order the form shows them (see `FORM_ORDER`).

    These ids are what rules, `ValidationError.fields` and the UI's highlighting speak; the UI
    translates them to labels (`FIELD_LABELS` holds the English source texts).
    """

    CUSTOMER = "customer"
    LINE = "line"
    CATEGORY = "category"
    COMPLEXITY = "complexity"
    PRIORITY = "priority"
    SUBJECT = "subject"
    DESCRIPTION = "description"
    RESOLUTION = "resolution"
    STATUS = "status"
    DEPARTMENT = "department"
    ASSIGNEE = "assignee"
    DUE_DATE = "due_date"


FORM_ORDER: tuple[FieldName, ...] = tuple(FieldName)

FIELD_LABELS: dict[FieldName, str] = {
    FieldName.CUSTOMER: "Customer",
    FieldName.LINE: "Line",
    FieldName.CATEGORY: "Category",
    FieldName.COMPLEXITY: "Complexity",
    FieldName.PRIORITY: "Priority",
    FieldName.SUBJECT: "Subject",
    FieldName.DESCRIPTION: "Description",
    FieldName.RESOLUTION: "Resolution",
    FieldName.STATUS: "Status",
    FieldName.DEPARTMENT: "Department",
    FieldName.ASSIGNEE: "Assignee",
    FieldName.DUE_DATE: "Due date",
}
"""English source texts of the field labels (translation context ``"TicketField"``)."""

_ATTRIBUTES: dict[FieldName, str] = {
    FieldName.CUSTOMER: "customer_id",
    FieldName.LINE: "line_id",
    FieldName.CATEGORY: "category_id",
    FieldName.COMPLEXITY: "complexity_id",
    FieldName.PRIORITY: "priority_id",
    FieldName.SUBJECT: "subject",
    FieldName.DESCRIPTION: "description",
    FieldName.RESOLUTION: "resolution",
    FieldName.STATUS: "status",
    FieldName.DEPARTMENT: "department_id",
    FieldName.ASSIGNEE: "assignee_id",
    FieldName.DUE_DATE: "due_date",
}


@dataclass(frozen=True, slots=True)
class TicketDraft:
    """Every editable field of a ticket; ids refer to the `ReferenceData` entries."""

    customer_id: int | None = None
    line_id: int | None = None
    category_id: int | None = None
    complexity_id: int | None = None
    priority_id: int | None = None
    subject: str = ""
    description: str = ""
    resolution: str = ""
    status: TicketStatus = TicketStatus.NEW
    department_id: int | None = None
    assignee_id: int | None = None
    due_date: date | None = None

    def value(self, name: FieldName) -> Any:
        return getattr(self, _ATTRIBUTES[name])

    def is_filled(self, name: FieldName) -> bool:
        """False for None and for text that is empty or only whitespace."""
        value = self.value(name)
        if value is None:
            return False
        return not (isinstance(value, str) and not value.strip())

    def changes_from(self, other: TicketDraft) -> tuple[FieldName, ...]:
        """The fields whose value differs from `other`, in form order."""
        return tuple(name for name in FORM_ORDER if self.value(name) != other.value(name))


@dataclass(frozen=True, slots=True)
class TicketEventView:
    """One line of the ticket's history (`payload` holds JSON values only)."""

    id: int
    kind: TicketEventKind
    author: str | None
    at: datetime
    payload: dict[str, Any] = field(default_factory=dict)

    @property
    def comment(self) -> str | None:
        text = self.payload.get("text")
        return text if self.kind is TicketEventKind.COMMENT and isinstance(text, str) else None


@dataclass(frozen=True, slots=True)
class TicketView:
    """A stored ticket: its draft plus what only the store decides."""

    id: int
    number: str
    version: int
    draft: TicketDraft
    created_at: datetime
    updated_at: datetime
    created_by: str | None = None
    updated_by: str | None = None
    call_ids: tuple[int, ...] = ()
    events: tuple[TicketEventView, ...] = ()

    @property
    def status(self) -> TicketStatus:
        return self.draft.status

    @property
    def comments(self) -> tuple[TicketEventView, ...]:
        return tuple(e for e in self.events if e.kind is TicketEventKind.COMMENT)


# --- reference data for the form's combo boxes -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class Choice:
    """An entry of a simple combo box (line, complexity, priority, department)."""

    id: int
    name: str


@dataclass(frozen=True, slots=True)
class CategoryNode:
    """A node of the category tree; `path` is root-first (``("Internet", "No connection")``)."""

    id: int
    parent_id: int | None
    name: str
    path: tuple[str, ...]

    @property
    def path_text(self) -> str:
        return " / ".join(self.path)


@dataclass(frozen=True, slots=True)
class OperatorChoice:
    id: int
    login: str
    display_name: str
    position: str | None
    department_id: int | None


def category_paths(rows: list[tuple[int, int | None, str]]) -> tuple[CategoryNode, ...]:
    """Tree nodes with their root-first paths from ``(id, parent_id, name)`` rows, sorted by path.

    A row whose parent is missing is treated as a root; a cycle is broken where it is found.
    """
    by_id = {cid: (parent, name) for cid, parent, name in rows}
    nodes = []
    for cid in by_id:
        path: list[str] = []
        seen: set[int] = set()
        current: int | None = cid
        while current is not None and current in by_id and current not in seen:
            seen.add(current)
            parent, name = by_id[current]
            path.append(name)
            current = parent
        nodes.append(CategoryNode(cid, by_id[cid][0], by_id[cid][1], tuple(reversed(path))))
    return tuple(sorted(nodes, key=lambda n: (n.path, n.id)))
