"""Typed builders for the outbox payloads `app.sync.applier` understands (pure functions).

The desk's services call these and `Outbox.append(*change)`; each returns ``(kind, payload)``.
Uids for rows and events are generated here unless given, so the caller keeps them to refer to the
row later (``ticket_created(...)[1]["uid"]``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from app.sync.outbox import ChangeKind, new_uid

PendingChange = tuple[ChangeKind, dict[str, Any]]


def _iso(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("Naive datetime in a change; use datetime.now(UTC).")
    return value.isoformat()


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, date):
        return value.isoformat()
    return getattr(value, "value", value)  # enums as their stored value


def call_ringing(
    *,
    uid: str | None = None,
    direction: str,
    caller_number: str,
    ringing_at: datetime,
    caller_name: str | None = None,
    dialled_number: str | None = None,
    line_id: int | None = None,
    operator_id: int | None = None,
    customer_id: int | None = None,
) -> PendingChange:
    return ChangeKind.CALL_RINGING, {
        "uid": uid or new_uid(),
        "direction": _plain(direction),
        "caller_number": caller_number,
        "ringing_at": _iso(ringing_at),
        "caller_name": caller_name,
        "dialled_number": dialled_number,
        "line_id": line_id,
        "operator_id": operator_id,
        "customer_id": customer_id,
    }


def call_answered(uid: str, at: datetime, operator_id: int | None = None) -> PendingChange:
    return ChangeKind.CALL_ANSWERED, {"uid": uid, "at": _iso(at), "operator_id": operator_id}


def call_ended(
    uid: str,
    at: datetime,
    outcome: str,
    *,
    disposition: str | None = None,
    hold_seconds: int | None = None,
    end_reason: str | None = None,
    transferred_to: str | None = None,
) -> PendingChange:
    payload: dict[str, Any] = {"uid": uid, "at": _iso(at), "outcome": _plain(outcome)}
    optional = {
        "disposition": disposition,
        "hold_seconds": hold_seconds,
        "end_reason": _plain(end_reason),
        "transferred_to": transferred_to,
    }
    payload.update({name: value for name, value in optional.items() if value is not None})
    return ChangeKind.CALL_ENDED, payload


_UNSET: Any = object()


def call_updated(
    uid: str,
    *,
    customer_id: int | None = _UNSET,
    disposition: str | None = _UNSET,
    hold_seconds: int | None = _UNSET,
    ticket_uid: str | None = _UNSET,
) -> PendingChange:
    """Only the fields given are changed (None is a value: "no customer")."""
    given = {
        "customer_id": customer_id,
        "disposition": disposition,
        "hold_seconds": hold_seconds,
        "ticket_uid": ticket_uid,
    }
    payload: dict[str, Any] = {"uid": uid}
    payload.update({name: value for name, value in given.items() if value is not _UNSET})
    if len(payload) == 1:
        raise ValueError("call_updated needs at least one field.")
    return ChangeKind.CALL_UPDATED, payload


def ticket_created(
    *,
    number: str,
    at: datetime,
    uid: str | None = None,
    customer_id: int | None = None,
    line_id: int | None = None,
    created_by_id: int | None = None,
    call_uid: str | None = None,
    event_uid: str | None = None,
    link_event_uid: str | None = None,
) -> PendingChange:
    """`event_uid`/`link_event_uid`: the uids of the ``created``/``call_link`` events when the desk
    already wrote them locally (its cache), so the central rows carry the same uids."""
    return ChangeKind.TICKET_CREATED, {
        "uid": uid or new_uid(),
        "number": number,
        "at": _iso(at),
        "event_uid": event_uid or new_uid(),
        "customer_id": customer_id,
        "line_id": line_id,
        "created_by_id": created_by_id,
        "call_uid": call_uid,
        "link_event_uid": (link_event_uid or new_uid()) if call_uid else None,
    }


def ticket_saved(
    uid: str,
    *,
    expected_version: int,
    fields: Mapping[str, Any],
    at: datetime,
    updated_by_id: int | None = None,
    events: Sequence[tuple[str, Mapping[str, Any]]] = (),
    event_uids: Sequence[str] | None = None,
) -> PendingChange:
    """`fields`: the changed form fields (`app.sync.tables.TICKET_FIELDS`); `events`: (kind,
    payload) of the field_change/status_change events written with the save; `event_uids`: their
    uids when the desk already wrote them locally (else new ones)."""
    uids = list(event_uids) if event_uids is not None else [new_uid() for _ in events]
    if len(uids) != len(events):
        raise ValueError("One uid per event.")
    return ChangeKind.TICKET_SAVED, {
        "uid": uid,
        "expected_version": expected_version,
        "fields": {name: _plain(value) for name, value in fields.items()},
        "at": _iso(at),
        "updated_by_id": updated_by_id,
        "events": [
            {"uid": uid, "kind": _plain(kind), "payload": dict(p)}
            for uid, (kind, p) in zip(uids, events, strict=True)
        ],
    }


def ticket_event(
    ticket_uid: str,
    kind: str,
    payload: Mapping[str, Any],
    at: datetime,
    *,
    author_id: int | None = None,
    uid: str | None = None,
) -> PendingChange:
    """An append-only event (a comment): never conflicts."""
    return ChangeKind.TICKET_EVENT, {
        "uid": uid or new_uid(),
        "ticket_uid": ticket_uid,
        "kind": _plain(kind),
        "payload": dict(payload),
        "at": _iso(at),
        "author_id": author_id,
    }


def operator_state(
    *,
    operator_id: int,
    status: str,
    at: datetime,
    reason: str | None = None,
    call_uid: str | None = None,
) -> PendingChange:
    """The operator entered `status` at `at` (ready, on call with `call_uid`, break with a
    `reason`...).  The central row keeps the latest by `at`: an older change is ignored."""
    return ChangeKind.OPERATOR_STATE, {
        "operator_id": operator_id,
        "status": _plain(status),
        "at": _iso(at),
        "reason": reason,
        "call_uid": call_uid,
    }
