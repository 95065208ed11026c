"""Blind (REFER) and attended (REFER with Replaces) transfer across real user agents."""

from __future__ import annotations

import pytest

from tests.softphone.conftest import EngineFactory, SippFactory
from tests.softphone.engine_proc import EngineProcess

pytestmark = pytest.mark.sip


def _connected_pair(engines: EngineFactory) -> tuple[EngineProcess, EngineProcess, int, int]:
    """A customer engine calling the operator's engine; both calls active."""
    operator = engines("--listen", "127.0.0.1:0")
    customer = engines("--listen", "127.0.0.1:0", "--display-name", "Customer")
    c_call = customer.ok("dial", uri=f"sip:support@{operator.address()}")["call"]
    o_call = operator.wait_event("incoming_call")["call"]
    operator.ok("answer", call=o_call)
    operator.wait_event("call_state", call=o_call, state="active")
    customer.wait_event("call_state", call=c_call, state="active")
    return operator, customer, o_call, c_call


def _consult(engines: EngineFactory, operator: EngineProcess, o_call: int) -> tuple[EngineProcess, int]:
    """The operator puts the caller on hold and calls the shift lead (who answers at once)."""
    lead = engines("--listen", "127.0.0.1:0", "--auto-answer")
    operator.ok("hold", call=o_call)
    operator.wait_event("media_state", call=o_call, hold="local")
    consult = operator.ok("dial", uri=f"sip:lead@{lead.address()}")["call"]
    operator.wait_event("call_state", call=consult, state="active")
    return lead, int(consult)


def test_blind_transfer_to_sipp(engines: EngineFactory, sipps: SippFactory) -> None:
    operator, customer, o_call, c_call = _connected_pair(engines)
    target = sipps("target").start(builtin="uas")
    operator.send(f"transfer sip:lead@127.0.0.1:{target.port}")
    final = operator.wait_event("transfer_progress", call=o_call, final=True)
    assert final["code"] == 200
    assert operator.wait_event("call_ended", call=o_call)["outcome"] == "transferred"
    # the customer's engine followed the REFER: a new call to the target, now connected
    new = customer.wait_event("call_state", state="active", number="lead")
    assert new["call"] != c_call
    customer.wait_event("call_ended", call=c_call)
    customer.ok("hangup", call=new["call"])
    target.assert_ok()


def test_attended_transfer_across_three_engines(engines: EngineFactory) -> None:
    operator, customer, o_call, c_call = _connected_pair(engines)
    lead, consult = _consult(engines, operator, o_call)
    lead_consult = lead.wait_event("call_state", state="active")["call"]
    operator.ok("attended_transfer", call=o_call, target=consult)
    assert operator.wait_event("transfer_progress", call=o_call, final=True)["code"] == 200
    assert operator.wait_event("call_ended", call=o_call)["outcome"] == "transferred"
    operator.wait_event("call_ended", call=consult)
    # the lead now talks to the customer: the replacing call is up, the consult call is gone
    replacing = lead.wait_event("incoming_call", replaces=lead_consult)
    lead.wait_event("call_state", call=replacing["call"], state="active")
    lead.wait_event("call_ended", call=lead_consult)
    customer.wait_event("call_ended", call=c_call)
    _, new = customer.wait_for(
        lambda m: m.get("event") == "call_state" and m["state"] == "active" and m["call"] != c_call,
        10,
        "new call",
    )
    assert len(lead.ok("status")["calls"]) == 1 and operator.ok("status")["calls"] == []
    lead.ok("hangup")
    customer.wait_event("call_ended", call=new["call"])


def test_cancelled_consult_returns_to_the_caller_on_hold(engines: EngineFactory) -> None:
    operator, customer, o_call, c_call = _connected_pair(engines)
    _, consult = _consult(engines, operator, o_call)
    operator.ok("hangup", call=consult)
    operator.wait_event("call_ended", call=consult)
    (held,) = operator.ok("status")["calls"]
    assert held["call"] == o_call and held["hold"] == "local" and held["state"] == "active"
    operator.ok("resume")  # no call number: the only call
    operator.wait_event("media_state", call=o_call, hold="none")
    customer.wait_event("media_state", call=c_call, hold="none")
    operator.ok("hangup")
    customer.wait_event("call_ended", call=c_call)
