"""The operator's state (ready, on a call, wrap-up, break...) as the floor sees it.

Blocking; runs on the desk's database worker.  Each change the desk makes is kept in the
``operator_states`` row of the operator (the latest by `since` wins, on the desk as centrally)
and, on a central-database deployment, sent through the outbox (`app.sync.capture`), from where
the central database notifies the other desks (a shift lead's floor view).  An operator the
database does not know (no login given) has no row: there is nobody to show.
"""

from __future__ import annotations

from sqlalchemy import Engine

from app.services.sessions import operator_id, session_scope
from app.storage.schema import OperatorStateRow
from app.sync import changes
from app.sync.capture import OutboxRecorder
from app.tickets.operator_state import OperatorState


class OperatorStateService:
    def __init__(self, engine: Engine, *, recorder: OutboxRecorder | None = None) -> None:
        self._engine = engine
        self._recorder = recorder

    def record(self, operator_login: str | None, state: OperatorState, call_uid: str | None = None) -> bool:
        """Keep `state` as the operator's current one; False when there is no such operator or a
        newer state is already stored."""
        with session_scope(self._engine) as s:
            op_id = operator_id(s, operator_login)
            if op_id is None:
                return False
            row = s.get(OperatorStateRow, op_id)
            if row is not None and row.since > state.since:
                return False
            if row is None:
                row = OperatorStateRow(operator_id=op_id)
                s.add(row)
            row.status = state.status.value
            row.reason = (state.reason or "")[:100] or None
            row.since = state.since
            row.call_uid = call_uid
            if self._recorder is not None:
                self._recorder.record(
                    s,
                    changes.operator_state(
                        operator_id=op_id,
                        status=state.status.value,
                        at=state.since,
                        reason=row.reason,
                        call_uid=call_uid,
                    ),
                )
            return True
