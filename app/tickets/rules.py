"""Which ticket fields are required, and which status changes are allowed.

Status changes
==============
A ticket moves only along `TRANSITIONS`; `transition_between(old, new)` names the move or raises
`IllegalTransition`.  Saving without changing the status is the ``save`` transition (refused on a
closed ticket: reopen it first).

Required fields are data
========================
A `FieldRule` says: on these transitions, for tickets in this category (and every category under
it -- a rule on ``Internet`` also applies to ``Internet / No connection``), these fields must be
filled.  The shipped defaults are ``resources/rules/default_rules.toml`` (format described there
and in `parse_rules`); the central database keeps the editable copy (table ``field_rules``).

What a save needs is the union of the rules for
* the transition itself (``close`` when closing),
* the transition that *enters* the target status (so a ticket that is escalated keeps needing its
  department on every later save, and a new ticket's first save needs what ``create`` asks for),
* ``"*"`` (every transition).

`missing_fields` answers in form order, so the form can focus the first one; the ids are
`FieldName` values which the UI translates (see `missing_message` for the English wording).
"""

from __future__ import annotations

import enum
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.tickets.drafts import FIELD_LABELS, FORM_ORDER, CategoryNode, FieldName, TicketDraft
from app.tickets.enums import TicketStatus

ANY_TRANSITION = "*"


class Transition(enum.StrEnum):
    CREATE = "create"
    SAVE = "save"
    START = "start"
    ESCALATE = "escalate"
    WAIT_CUSTOMER = "wait_customer"
    RESOLVE = "resolve"
    CLOSE = "close"
    REOPEN = "reopen"


TRANSITION_LABELS: dict[Transition, str] = {
    Transition.CREATE: "save a new ticket",
    Transition.SAVE: "save the ticket",
    Transition.START: "take the ticket into work",
    Transition.ESCALATE: "pass the ticket to another department",
    Transition.WAIT_CUSTOMER: "wait for the customer",
    Transition.RESOLVE: "resolve the ticket",
    Transition.CLOSE: "close the ticket",
    Transition.REOPEN: "reopen the ticket",
}
"""English source texts (translation context ``"TicketTransition"``), used in `missing_message`."""

_S = TicketStatus
_OPEN_WORKING = (_S.NEW, _S.IN_PROGRESS, _S.ESCALATED, _S.WAITING_CUSTOMER)

TRANSITIONS: dict[tuple[TicketStatus | None, TicketStatus], Transition] = {
    (None, _S.NEW): Transition.CREATE,
    **{(s, s): Transition.SAVE for s in (*_OPEN_WORKING, _S.RESOLVED)},
    **{(s, _S.IN_PROGRESS): Transition.START for s in (_S.NEW, _S.ESCALATED, _S.WAITING_CUSTOMER)},
    **{(s, _S.ESCALATED): Transition.ESCALATE for s in (_S.NEW, _S.IN_PROGRESS, _S.WAITING_CUSTOMER)},
    **{(s, _S.WAITING_CUSTOMER): Transition.WAIT_CUSTOMER for s in (_S.NEW, _S.IN_PROGRESS, _S.ESCALATED)},
    **{(s, _S.RESOLVED): Transition.RESOLVE for s in _OPEN_WORKING},
    **{(s, _S.CLOSED): Transition.CLOSE for s in (*_OPEN_WORKING, _S.RESOLVED)},
    **{(s, _S.IN_PROGRESS): Transition.REOPEN for s in (_S.RESOLVED, _S.CLOSED)},
}
"""Every allowed ``(from, to)`` status pair and its name; ``None`` is "not stored yet"."""

ENTERING: dict[TicketStatus, Transition] = {
    _S.NEW: Transition.CREATE,
    _S.IN_PROGRESS: Transition.START,
    _S.ESCALATED: Transition.ESCALATE,
    _S.WAITING_CUSTOMER: Transition.WAIT_CUSTOMER,
    _S.RESOLVED: Transition.RESOLVE,
    _S.CLOSED: Transition.CLOSE,
}
"""The transition whose rules hold for as long as a ticket stays in a status."""


class IllegalTransition(ValueError):
    """The ticket cannot go from one status to the other (e.g. closed -> escalated)."""

    def __init__(self, old: TicketStatus | None, new: TicketStatus) -> None:
        super().__init__(f"A ticket cannot go from {old or 'nothing'} to {new}.")
        self.old = old
        self.new = new


def transition_between(old: TicketStatus | None, new: TicketStatus) -> Transition:
    """The name of the move from `old` to `new`; raises `IllegalTransition` when there is none."""
    try:
        return TRANSITIONS[(old, new)]
    except KeyError:
        raise IllegalTransition(old, new) from None


def allowed_targets(old: TicketStatus | None) -> tuple[TicketStatus, ...]:
    """The statuses a ticket in `old` may be saved with (for the status combo box)."""
    return tuple(new for (src, new) in TRANSITIONS if src == old)


# --- rules ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FieldRule:
    """`fields` are required on `transitions` (or ``"*"``) for `category` and its subcategories.

    `category` is a root-first path (``("Internet",)``); ``()`` means every ticket.
    """

    transitions: tuple[str, ...]
    fields: tuple[FieldName, ...]
    category: tuple[str, ...] = ()

    def applies_to(self, transitions: Iterable[str], path: tuple[str, ...]) -> bool:
        wanted = set(transitions)
        on = ANY_TRANSITION in self.transitions or not wanted.isdisjoint(self.transitions)
        return on and path[: len(self.category)] == self.category


class RulesError(ValueError):
    """A rules file or a stored rule does not follow the format."""


def parse_rules(data: Mapping[str, Any], where: str = "rules") -> tuple[FieldRule, ...]:
    """Rules from a parsed TOML document::

        [[rule]]
        on = ["close", "resolve"]          # transition names (see `Transition`), or ["*"]
        category = "Internet / Router setup"   # optional; " / " separates tree levels
        fields = ["category", "complexity", "resolution"]   # `FieldName` values

    Raises:
        RulesError: an unknown transition or field, or a wrong type.
    """
    entries = data.get("rule", [])
    if not isinstance(entries, list):
        raise RulesError(f"{where}: 'rule' must be an array of tables ([[rule]]).")
    return tuple(
        rule_from_values(
            entry.get("on"), entry.get("fields"), entry.get("category", ""), where=f"{where}: rule {i + 1}"
        )
        for i, entry in enumerate(entries)
    )


def rule_from_values(on: Any, fields: Any, category: Any, *, where: str = "rule") -> FieldRule:
    """One validated rule from plain values (a TOML table or a database row)."""
    if not isinstance(on, list) or not on or not all(isinstance(t, str) for t in on):
        raise RulesError(f"{where}: 'on' must be a non-empty list of transition names.")
    known = {t.value for t in Transition} | {ANY_TRANSITION}
    unknown = [t for t in on if t not in known]
    if unknown:
        raise RulesError(f"{where}: unknown transition(s) {unknown}; known: {sorted(known)}.")
    if not isinstance(fields, list) or not fields or not all(isinstance(f, str) for f in fields):
        raise RulesError(f"{where}: 'fields' must be a non-empty list of field names.")
    try:
        names = tuple(FieldName(f) for f in fields)
    except ValueError as exc:
        raise RulesError(f"{where}: {exc}; known: {[f.value for f in FieldName]}.") from None
    if category is None:
        category = ""
    if not isinstance(category, str):
        raise RulesError(f"{where}: 'category' must be a string such as \"Internet / Slow speed\".")
    return FieldRule(tuple(on), names, split_category_path(category))


def split_category_path(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split("/") if part.strip())


def load_rules_file(path: Path) -> tuple[FieldRule, ...]:
    with path.open("rb") as fh:
        try:
            data = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise RulesError(f"{path}: {exc}") from exc
    return parse_rules(data, where=str(path))


@dataclass(frozen=True, slots=True)
class RequiredFieldRules:
    """The rules together with the category tree they are matched against."""

    rules: tuple[FieldRule, ...]
    category_paths: Mapping[int, tuple[str, ...]]

    @classmethod
    def build(cls, rules: Sequence[FieldRule], categories: Iterable[CategoryNode]) -> RequiredFieldRules:
        return cls(tuple(rules), {c.id: c.path for c in categories})

    def required(
        self, transition: Transition, target: TicketStatus, category_id: int | None
    ) -> set[FieldName]:
        path = self.category_paths.get(category_id, ()) if category_id is not None else ()
        transitions = (transition.value, ENTERING[target].value)
        return {f for rule in self.rules if rule.applies_to(transitions, path) for f in rule.fields}


def missing_fields(
    draft: TicketDraft, transition: Transition, rules: RequiredFieldRules
) -> tuple[FieldName, ...]:
    """The required fields `draft` leaves empty for `transition`, in form order.

    The target status is ``draft.status``; the category rules follow ``draft.category_id`` (so
    choosing a category can add requirements).
    """
    required = rules.required(transition, draft.status, draft.category_id)
    return tuple(name for name in FORM_ORDER if name in required and not draft.is_filled(name))


MISSING_MESSAGE = "Fill in {field} to {action}."
"""English source text of the per-field message (translation context ``"TicketRules"``)."""

MISSING_SUMMARY = "{count} required field(s) are empty: {fields}."


def missing_message(name: FieldName, transition: Transition) -> str:
    """The English message for one missing field; the UI builds its own from the same parts."""
    return MISSING_MESSAGE.format(field=FIELD_LABELS[name], action=TRANSITION_LABELS[transition])


def missing_summary(names: Sequence[FieldName]) -> str:
    return MISSING_SUMMARY.format(count=len(names), fields=", ".join(FIELD_LABELS[n] for n in names))
