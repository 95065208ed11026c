"""Creating customers on SQLite and PostgreSQL: phone-only, normalised, shared numbers, refused
garbage, and contract numbers that stay unique while several desks create at the same moment."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, func, select, text, update
from sqlalchemy.orm import Session

from app.errors import DatabaseUnavailable, ValidationError
from app.services.customers import CustomerService
from app.services.lookup import LookupService
from app.services.new_customer import MAX_LENGTHS, CustomerStoredNotShown
from app.storage.database import make_engine
from app.storage.schema import Call, Customer, CustomerPhone, table_of
from app.tickets.cards import CustomerCard, LookupResult
from app.tickets.enums import CallDirection, CallOutcome
from app.tickets.query import format_contract_number

NUMBER = "+79123456789"


def _create(service: CustomerService, phone: str = "8 (912) 345-67-89", **fields: str | None) -> CustomerCard:
    values: dict[str, str | None] = {"name": None, "address": None, "region": None, "notes": None}
    values.update(fields)
    return service.create(phone=phone, operator_login="ivanov", **values)


def test_a_phone_only_customer_is_stored_under_its_number_and_found_by_it(engine: Engine) -> None:
    service = CustomerService(engine, "RU")
    card = _create(service, "8 (912) 345-67-89", name="   ", address="", notes="\n")

    assert card.phones == (NUMBER,)
    assert card.name == "+7 912 345-67-89"
    assert (card.address, card.region, card.notes) == (None, None, None)
    assert card.contract_number == format_contract_number(card.id)
    assert card.open_tickets == () and card.recent_calls == ()

    found = LookupService(engine, "RU").lookup("+7 912 345 67 89")
    assert found.customers == (card,)
    assert LookupService(engine, "RU").lookup(card.contract_number).customers == (card,)


def test_every_field_is_trimmed_and_stored_as_typed(engine: Engine) -> None:
    service = CustomerService(engine, "RU")
    hostile = "<b>Boss</b> & \u202eevil \"quoted\" 'x'"
    card = _create(
        service,
        "+7 912 345-67-89",
        name=f"  {hostile}  ",
        address=" г. Тверь, ул. Ленина, д. 1 ",
        region=" Тверская область ",
        notes="  first line\nsecond line  ",
    )
    assert card.name == hostile
    assert card.address == "г. Тверь, ул. Ленина, д. 1"
    assert card.region == "Тверская область"
    assert card.notes == "first line\nsecond line"
    with Session(engine) as s:
        stored = s.get(Customer, card.id)
        assert stored is not None
        assert stored.name_search == hostile.casefold()
    # name search works for a created customer like for any other
    assert [c.id for c in LookupService(engine, "RU").lookup("boss").customers] == [card.id]


def test_a_number_already_on_file_gets_a_second_customer(engine: Engine) -> None:
    service = CustomerService(engine, "RU")
    first = _create(service, NUMBER, name="Анна Петрова")
    second = _create(service, "89123456789", name="Пётр Петров")
    assert first.id != second.id and first.contract_number != second.contract_number
    both = LookupService(engine, "RU").lookup(NUMBER).customers
    assert {c.id for c in both} == {first.id, second.id}


def test_the_card_shows_earlier_calls_from_the_number(engine: Engine) -> None:
    with Session(engine) as s, s.begin():
        s.add(
            Call(
                direction=CallDirection.INBOUND,
                caller_number=NUMBER,
                ringing_at=datetime(2026, 11, 20, 9, 0, tzinfo=UTC),
                outcome=CallOutcome.MISSED,
            )
        )
    card = _create(CustomerService(engine, "RU"), NUMBER)
    assert [c.caller_number for c in card.recent_calls] == [NUMBER]


@pytest.mark.parametrize(
    "phone", ["", "   ", "hello", "12", "1234", "+7 912", "8 912 345 67 89 12 34 56", "+7-abc"]
)
def test_garbage_and_extensions_are_refused_on_the_phone_field(engine: Engine, phone: str) -> None:
    service = CustomerService(engine, "RU")
    with pytest.raises(ValidationError) as refused:
        _create(service, phone, name="Someone")
    assert refused.value.fields == ("phone",)
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Customer)) == 0


def test_text_longer_than_its_column_is_refused_with_every_field_named(engine: Engine) -> None:
    service = CustomerService(engine, "RU")
    with pytest.raises(ValidationError) as refused:
        _create(service, "nonsense", name="x" * 201, region="r" * 101, address="a" * 300)
    assert refused.value.fields == ("name", "phone", "region")
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Customer)) == 0


def test_the_forms_limits_are_the_columns_lengths() -> None:
    columns = table_of(Customer).c
    assert {name: getattr(columns[name].type, "length", None) for name in MAX_LENGTHS} == MAX_LENGTHS
    assert table_of(CustomerPhone).c.e164.type.length == 16  # type: ignore[attr-defined]


def test_a_contract_number_taken_by_an_imported_customer_is_skipped(engine: Engine) -> None:
    service = CustomerService(engine, "RU")
    first = _create(service, NUMBER)
    # An import numbered its customers its own way, right where the next ids will land.
    with Session(engine) as s, s.begin():
        s.add_all(Customer(contract_number=f"IMP-{i}", name=f"Imported {i}") for i in range(3))
        s.flush()
        top = s.scalar(select(func.max(Customer.id)))
        assert top is not None
        for offset, contract_id in enumerate(range(3)):
            s.execute(
                update(Customer)
                .where(Customer.contract_number == f"IMP-{contract_id}")
                .values(contract_number=format_contract_number(top + 1 + offset))
            )
    second = _create(service, NUMBER)
    assert second.contract_number == format_contract_number(top + 4)
    assert first.contract_number != second.contract_number


def test_contract_numbers_stay_unique_when_desks_create_at_once(engine: Engine) -> None:
    """Eight desks, each with its own engine (own connections), create customers at the same
    moment, around contract numbers an import already took."""
    with Session(engine) as s, s.begin():
        s.add_all(Customer(contract_number=f"IMP-{i}", name=f"Imported {i}") for i in range(6))
        s.flush()
        top = s.scalar(select(func.max(Customer.id)))
        assert top is not None
        # Every other number the next dozen ids would get is already taken.
        for i in range(6):
            s.execute(
                update(Customer)
                .where(Customer.contract_number == f"IMP-{i}")
                .values(contract_number=format_contract_number(top + 1 + 2 * i))
            )
    desks, per_desk = 8, 6
    start = threading.Barrier(desks)
    created: list[CustomerCard] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def desk(index: int) -> None:
        own_engine = make_engine(engine.url)
        try:
            service = CustomerService(own_engine, "RU")
            start.wait()
            for n in range(per_desk):
                card = _create(service, f"+7 912 000-{index:02d}-{n:02d}", name=f"Desk {index} #{n}")
                with lock:
                    created.append(card)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            own_engine.dispose()

    threads = [threading.Thread(target=desk, args=(i,)) for i in range(desks)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert len(created) == desks * per_desk
    contracts = [c.contract_number for c in created]
    assert len(set(contracts)) == len(contracts)
    with Session(engine) as s:
        stored = s.scalars(select(Customer.contract_number)).all()
    assert len(set(stored)) == len(stored) == desks * per_desk + 6
    assert all(c.startswith("CN-") for c in stored)
    lookup = LookupService(engine, "RU")
    for card in created:
        assert lookup.lookup(card.contract_number).customers == (card,)


def test_an_unreachable_database_is_reported_and_nothing_half_done(unused_port: int) -> None:
    dead = make_engine(f"postgresql://nobody@127.0.0.1:{unused_port}/frontline?connect_timeout=2")
    try:
        with pytest.raises(DatabaseUnavailable) as failed:
            _create(CustomerService(dead, "RU"), NUMBER)
        assert not isinstance(failed.value, CustomerStoredNotShown)
        assert "PostgreSQL" in str(failed.value)
    finally:
        dead.dispose()


class _LookupGoneAfterCommit(LookupService):
    def lookup(self, query: str, **_kwargs: int) -> LookupResult:
        raise DatabaseUnavailable("The database went away.")


def test_a_customer_stored_but_not_read_back_says_under_which_number(engine: Engine) -> None:
    service = CustomerService(engine, "RU", lookup=_LookupGoneAfterCommit(engine, "RU"))
    with pytest.raises(CustomerStoredNotShown) as failed:
        _create(service, NUMBER, name="Анна")
    with Session(engine) as s:
        stored = s.scalars(select(Customer)).one()
    assert failed.value.contract_number == stored.contract_number == format_contract_number(stored.id)
    assert stored.contract_number in str(failed.value)


@pytest.fixture
def unused_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.pg
def test_a_desk_that_picks_a_number_another_desk_holds_starts_over_with_a_new_id(
    pg_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deterministic on PostgreSQL: desk A holds a contract number uncommitted, desk B picks the
    same one (it cannot see A's row), waits on A's lock, fails on the unique constraint when A
    commits, and starts over with a new id."""
    import app.services.customers as customers_module

    with Session(pg_engine) as s, s.begin():
        legacy = Customer(contract_number="IMP-1", name="Imported")
        s.add(legacy)
        s.flush()
        # Desk A's id (legacy.id + 1) is taken, so A falls back to legacy.id + 2: desk B's own.
        legacy.contract_number = format_contract_number(legacy.id + 1)
        base = legacy.id
    real = customers_module._free_contract_number
    a_holds = threading.Event()
    b_waits = threading.Event()

    def held_by_desk_a(s: Session, customer_id: int) -> str:
        number = real(s, customer_id)
        if threading.current_thread().name == "desk-a":
            s.execute(update(Customer).where(Customer.id == customer_id).values(contract_number=number))
            a_holds.set()
            assert b_waits.wait(timeout=20), "desk B never waited for desk A's number"
        return number

    monkeypatch.setattr(customers_module, "_free_contract_number", held_by_desk_a)
    results: dict[str, CustomerCard] = {}
    errors: list[BaseException] = []

    def desk(name: str) -> None:
        own_engine = make_engine(pg_engine.url)
        try:
            results[name] = _create(CustomerService(own_engine, "RU"), NUMBER, name=name)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            own_engine.dispose()

    a = threading.Thread(target=desk, args=("desk-a",), name="desk-a")
    b = threading.Thread(target=desk, args=("desk-b",), name="desk-b")
    a.start()
    assert a_holds.wait(timeout=20)
    b.start()
    with pg_engine.connect() as watcher:
        for _ in range(2000):
            waiting = watcher.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            ).scalar_one()
            if waiting:
                break
            watcher.rollback()  # a fresh snapshot of pg_stat_activity next time
            time.sleep(0.01)  # polling for a condition, not waiting a guessed time
    b_waits.set()
    a.join(timeout=30)
    b.join(timeout=30)

    assert errors == []
    assert waiting, "desk B should have waited on desk A's uncommitted number"
    assert (results["desk-a"].id, results["desk-a"].contract_number) == (
        base + 1,
        format_contract_number(base + 2),
    )
    # B's first id (base + 2) went with its failed attempt; it started over with the next one.
    assert (results["desk-b"].id, results["desk-b"].contract_number) == (
        base + 3,
        format_contract_number(base + 3),
    )
