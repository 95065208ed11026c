"""Every call's outcome, end reason, transfer target and disposition reach the central database
from a desk signed in as an ordinary operator, and the disposition lists come from it: the desk
as `app.main` wires it (cache + outbox + replicator), the central PostgreSQL with row-level
security forced, every connection but the set-up as an operator's or shift lead's own login
(`frontline admin add-operator`)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest

from app.demo.data import generate_demo_data
from app.services.calls import CallService
from app.services.scripts import ScriptService
from app.storage.seed import shipped_dispositions
from app.sync.desk import DeskSync
from app.tickets.dispositions import NOT_CHOSEN
from app.tickets.enums import CallDirection, CallEndReason, CallOutcome
from tests.fixtures.central import CentralSite

pytestmark = pytest.mark.pg

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
WAIT_S = 30.0


@pytest.fixture
def floor(central_site: CentralSite) -> CentralSite:
    """Demo data (lines, dispositions seeded) loaded by the owner; the desk signs in as a1, an
    operator of Dept A, whose shift lead is `lead`."""
    generate_demo_data(central_site.engine("owner"), customers=20, seed=5, default_region="RU")
    return central_site


@pytest.fixture
def desk(floor: CentralSite, tmp_path: Path) -> Iterator[DeskSync]:
    sync = DeskSync(floor.url_of("a1").render_as_string(hide_password=False), tmp_path / "cache.sqlite3")
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
    desk: DeskSync, floor: CentralSite
) -> None:
    op = floor.logins["a1"]
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
    assert desk.outbox.counts() == {"pending": 0, "held": 0, "conflict": 0, "failed": 0}  # none refused

    expected = [
        ("+79990000001", "rejected", "not_ready", None, None, False),
        ("+79990000002", "abandoned", "caller_hung_up", None, None, False),
        ("+79990000003", "transferred", "transferred", "sip:lead@127.0.0.1:5099", "ticket_escalated", True),
        ("+79990000004", "answered", "engine_died", None, NOT_CHOSEN, True),
    ]
    for who in ("a1", "lead"):  # read back as the operator and as their shift lead
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
    desk: DeskSync, floor: CentralSite
) -> None:
    scripts = ScriptService(desk.cache)
    assert scripts.dispositions() == shipped_dispositions()  # seeded centrally, copied by the desk
    with floor.raw("a1") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
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
