"""Every call's outcome, end reason, transfer target and disposition reach the central database
from a desk signed in as an ordinary operator, and the disposition lists come from it: the desk
as `app.main` wires it (cache + outbox + replicator), the central PostgreSQL with row-level
security forced, every connection but the set-up as an operator's or shift lead's own login
(`frontline admin add-operator`)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import URL

from app.services.calls import CallService
from app.services.desk_sync import DeskSync
from app.services.scripts import ScriptService
from app.storage.admin import add_operator
from app.storage.demo_data import generate_demo_data
from app.storage.seed import shipped_dispositions
from app.tickets.dispositions import NOT_CHOSEN
from app.tickets.enums import CallDirection, CallEndReason, CallOutcome, Role
from tests.fixtures.logins import PASSWORD, OperatorLogins, drop_database_and_logins

pytestmark = pytest.mark.pg

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
WAIT_S = 30.0


@pytest.fixture
def floor(pg_server: URL, central_url: URL, central: Engine) -> Iterator[OperatorLogins]:
    """Demo data (lines, dispositions seeded) and two logins of one department: an operator, a lead."""
    generate_demo_data(central, customers=20, seed=5, default_region="RU")
    suffix = uuid.uuid4().hex[:8]
    logins = {"op": f"op_{suffix}", "lead": f"lead_{suffix}"}
    for who, role in (("op", Role.OPERATOR), ("lead", Role.SHIFT_LEAD)):
        add_operator(
            central,
            login=logins[who],
            display_name=who,
            department="First line",
            role=role,
            password=PASSWORD,
        )
    try:
        yield OperatorLogins(url=central_url, logins=logins)
    finally:
        central.dispose()
        drop_database_and_logins(pg_server, str(central_url.database), logins.values())


@pytest.fixture
def desk(floor: OperatorLogins, tmp_path: Path) -> Iterator[DeskSync]:
    sync = DeskSync(floor.url_of("op").render_as_string(hide_password=False), tmp_path / "cache.sqlite3")
    try:
        sync.prepare()
        yield sync
    finally:
        sync.stop()


def _q(conn: psycopg.Connection[Any], statement: str, *params: object) -> list[tuple[Any, ...]]:
    with conn.cursor() as cur:
        cur.execute(statement, params)
        return cur.fetchall() if cur.description else []


def test_each_way_a_call_ends_arrives_centrally_under_the_operators_own_login(
    desk: DeskSync, floor: OperatorLogins
) -> None:
    op = floor.logins["op"]
    calls = CallService(desk.cache, "RU", recorder=desk.recorder)
    desk.start()

    def ring(number: str) -> int:
        return calls.ringing(
            direction=CallDirection.INBOUND,
            caller_number=number,
            display_name=None,
            dialled_number=None,
            at=NOW,
            operator_login=op,
        ).id

    refused = ring("+79990000001")
    calls.ended(refused, NOW, CallOutcome.REJECTED, end_reason=CallEndReason.NOT_READY)
    abandoned = ring("+79990000002")
    calls.ended(
        abandoned, NOW + timedelta(seconds=9), CallOutcome.ABANDONED, end_reason=CallEndReason.CALLER_HUNG_UP
    )
    passed_on = ring("+79990000003")
    calls.answered(passed_on, NOW + timedelta(seconds=2), op)
    calls.ended(
        passed_on,
        NOW + timedelta(minutes=1),
        CallOutcome.TRANSFERRED,
        end_reason=CallEndReason.TRANSFERRED,
        transferred_to="sip:lead@127.0.0.1:5099",
    )
    calls.set_disposition(passed_on, "ticket_escalated")
    skipped = ring("+79990000004")
    calls.answered(skipped, NOW + timedelta(seconds=2), op)
    calls.ended(
        skipped, NOW + timedelta(minutes=2), CallOutcome.ANSWERED, end_reason=CallEndReason.ENGINE_DIED
    )
    calls.set_disposition(skipped, NOT_CHOSEN)
    assert desk.replicator.wait_idle(WAIT_S)
    assert desk.outbox.pending_count() == 0  # nothing refused by the central database

    expected = [
        ("+79990000001", "rejected", "not_ready", None, None, False),
        ("+79990000002", "abandoned", "caller_hung_up", None, None, False),
        ("+79990000003", "transferred", "transferred", "sip:lead@127.0.0.1:5099", "ticket_escalated", True),
        ("+79990000004", "answered", "engine_died", None, NOT_CHOSEN, True),
    ]
    for who in ("op", "lead"):  # read back as the operator and as their shift lead
        with floor.raw(who) as conn:
            rows = _q(
                conn,
                "SELECT caller_number, outcome, end_reason, transferred_to, disposition,"
                " answered_at IS NOT NULL FROM calls WHERE caller_number LIKE %s"
                " ORDER BY caller_number",
                "+7999000000%",
            )
        assert rows == expected, who


def test_the_desk_offers_the_central_lists_and_a_leads_edit_reaches_it(
    desk: DeskSync, floor: OperatorLogins
) -> None:
    scripts = ScriptService(desk.cache)
    assert scripts.dispositions() == shipped_dispositions()  # seeded centrally, copied by the desk
    with floor.raw("op") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        _q(conn, 'UPDATE dispositions SET labels = \'{"en": "x"}\'')  # an operator only reads them
    with floor.raw("lead") as conn:
        _q(
            conn,
            "UPDATE dispositions SET labels = %s::jsonb WHERE code = 'resolved' AND line_id IS NULL",
            '{"en": "Solved while talking", "ru": "Решили в разговоре"}',
        )
    desk.refresher.refresh()
    lists = scripts.dispositions()
    assert lists.label("resolved", "en") == "Solved while talking"
    assert lists.label("resolved", "ru") == "Решили в разговоре"
