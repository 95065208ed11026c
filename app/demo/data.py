"""Realistic demo data, from a dozen customers for a trial to a million for the benchmarks.

How it stays fast at 1 000 000 customers: Faker runs only a few thousand times, to fill pools of
Russian and English names, streets and towns, which are then combined with a seeded `random`;
phone numbers are a permutation of the customer id (unique without a lookup table); rows go in
with PostgreSQL ``COPY`` (SQLite: ``executemany`` in batches of 10 000), all in one transaction,
so a failed run leaves nothing behind.

What it makes: reference data (three support lines with their dialled numbers, departments,
operators including a shift lead and an admin, a category tree, complexity levels, priorities),
customers (about 70 % Russian, 30 % English) with one or two numbers -- about one in twenty
shares a number with the previous customer, a family at the same address -- tickets numbered
from blocks leased by a demo workstation, their history, and call history including some calls
from unknown numbers; two current outage announcements for the first customers' regions; and the
shipped required-field rules and call scripts (`app.storage.seed`).
"""

from __future__ import annotations

import json
import math
import random
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Any

from faker import Faker
from sqlalchemy import Connection, Engine, Table, func, select

from app.demo import DEMO_LOGIN_PREFIX, DEMO_OPERATOR
from app.errors import UserFacingError, ValidationError
from app.storage.admin import department_id_for
from app.storage.database import database_errors
from app.storage.number_blocks import lease_blocks
from app.storage.schema import (
    Announcement,
    Call,
    Category,
    ComplexityLevel,
    Customer,
    CustomerPhone,
    Department,
    Line,
    LineNumber,
    Operator,
    Priority,
    Ticket,
    TicketEvent,
    table_of,
)
from app.storage.seed import seed_defaults
from app.text import QT_TRANSLATE_NOOP
from app.tickets.enums import CallDirection, CallOutcome, Role, TicketEventKind, TicketStatus
from app.tickets.numbering import format_regular
from app.tickets.query import fold_name, format_contract_number

Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``, called now and then during a long run."""

DEMO_WORKSTATION_ID = 0xDE_0000_0001
BATCH = 10_000
POOL = 300
HISTORY_DAYS = 180
_RU_SHARE = 70  # percent of customers with Russian names and numbers


class DemoDataExists(UserFacingError):
    """The database already has customers; demo data is only added when asked to append."""


@dataclass(frozen=True, slots=True)
class DemoDataReport:
    customers: int
    phones: int
    shared_numbers: int
    operators: int
    tickets: int
    open_tickets: int
    calls: int
    seconds: float


# --- deterministic per-customer facts (so calls can be generated without remembering customers) ---


def _mix(customer_id: int, salt: int) -> int:
    return (customer_id * 2_654_435_761 + salt * 40_503) % 1000


def is_russian(customer_id: int, seed: int) -> bool:
    return _mix(customer_id, seed) % 100 < _RU_SHARE


def shares_previous_number(customer_id: int, seed: int) -> bool:
    """About 1 in 20 customers (odd ids only, so sharing never chains) use the previous one's number."""
    return customer_id % 2 == 1 and customer_id > 1 and _mix(customer_id, seed + 1) < 100


def has_second_number(customer_id: int, seed: int) -> bool:
    return _mix(customer_id, seed + 2) < 400


def mobile_number(customer_id: int, seed: int) -> str:
    """Unique per id: ``id -> (id * A + B) mod 10**k`` is a permutation because gcd(A, 10) = 1."""
    if is_russian(customer_id, seed):
        return f"+79{(customer_id * 7_654_321 + seed * 1_000_003) % 10**9:09d}"
    return f"+4477{(customer_id * 7_654_321 + seed * 1_000_003) % 10**8:08d}"


def landline_number(customer_id: int, seed: int) -> str:
    if is_russian(customer_id, seed):
        return f"+7495{(customer_id * 3_456_789 + seed) % 10**7:07d}"
    return f"+4420{(customer_id * 3_456_789 + seed) % 10**8:08d}"


def customer_numbers(customer_id: int, seed: int) -> list[str]:
    """The numbers a demo customer has, the shared one first."""
    owner = customer_id - 1 if shares_previous_number(customer_id, seed) else customer_id
    numbers = [mobile_number(owner, seed)]
    if has_second_number(customer_id, seed):
        numbers.append(landline_number(customer_id, seed))
    return numbers


# --- pools ----------------------------------------------------------------------------------------


def _feminine(surname: str) -> str:
    if surname.endswith(("ий", "ой")) and len(surname) > 4:
        return surname[:-2] + "ая"
    if surname.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return surname + "а"
    return surname


@dataclass(frozen=True, slots=True)
class _Pools:
    ru_surnames: list[str]
    ru_male: list[str]
    ru_female: list[str]
    ru_middle_male: list[str]
    ru_middle_female: list[str]
    ru_cities: list[str]
    ru_streets: list[str]
    ru_regions: list[str]
    en_first: list[str]
    en_last: list[str]
    en_cities: list[str]
    en_streets: list[str]
    en_regions: list[str]

    @classmethod
    def build(cls, seed: int) -> _Pools:
        ru, en = Faker("ru_RU"), Faker("en_GB")
        ru.seed_instance(seed)
        en.seed_instance(seed)

        def pool(make: Callable[[], str]) -> list[str]:
            return sorted({make() for _ in range(POOL)})

        return cls(
            ru_surnames=pool(ru.last_name_male),
            ru_male=pool(ru.first_name_male),
            ru_female=pool(ru.first_name_female),
            ru_middle_male=pool(ru.middle_name_male),
            ru_middle_female=pool(ru.middle_name_female),
            ru_cities=pool(ru.city_name),
            ru_streets=pool(lambda: f"{ru.street_title()} {ru.street_name()}"),
            ru_regions=pool(ru.region),
            en_first=pool(en.first_name),
            en_last=pool(en.last_name),
            en_cities=pool(en.city),
            en_streets=pool(en.street_name),
            en_regions=pool(en.county),
        )


RU_PLANS = ("Домашний 100", "Домашний 500", "Гигабит", "ТВ Базовый", "ТВ + Интернет", "Бизнес 1G")
EN_PLANS = ("Home 100", "Home 500", "Gigabit", "TV Basic", "TV + Broadband", "Business 1G")
NOTES = (
    "Звонить после 18:00",
    "Prefers e-mail contact",
    "VIP: escalate to the shift lead",
    "Роутер клиента, не наш",
    "Hard of hearing: speak slowly",
)


class _CustomerMaker:
    """Turns an id into a customer row; remembers only the previous row (for families)."""

    def __init__(self, pools: _Pools, rng: random.Random, seed: int, now: datetime) -> None:
        self._p, self._rng, self._seed, self._now = pools, rng, seed, now
        self._previous: tuple[str, str, str] | None = None  # surname, address, region

    def row(self, customer_id: int) -> tuple[Any, ...]:
        p, rng = self._p, self._rng
        russian = is_russian(customer_id, self._seed)
        family = self._previous if shares_previous_number(customer_id, self._seed) else None
        if russian:
            surname = family[0] if family else rng.choice(p.ru_surnames)
            if rng.random() < 0.5:
                name = f"{surname} {rng.choice(p.ru_male)} {rng.choice(p.ru_middle_male)}"
            else:
                name = f"{_feminine(surname)} {rng.choice(p.ru_female)} {rng.choice(p.ru_middle_female)}"
            address = (
                f"г. {rng.choice(p.ru_cities)}, {rng.choice(p.ru_streets)}, "
                f"д. {rng.randint(1, 150)}, кв. {rng.randint(1, 300)}"
            )
            region, plans = rng.choice(p.ru_regions), RU_PLANS
        else:
            surname = family[0] if family else rng.choice(p.en_last)
            name = f"{rng.choice(p.en_first)} {surname}"
            address = f"{rng.randint(1, 250)} {rng.choice(p.en_streets)}, {rng.choice(p.en_cities)}"
            region, plans = rng.choice(p.en_regions), EN_PLANS
        if family:
            address, region = family[1], family[2]
        self._previous = (surname, address, region)
        created = self._now - timedelta(days=rng.randint(30, 3650))
        note = rng.choice(NOTES) if rng.random() < 0.05 else None
        return (
            customer_id,
            format_contract_number(customer_id),
            name,
            fold_name(name),
            address,
            region,
            rng.choice(plans),
            note,
            created,
            created,
        )


CUSTOMER_COLUMNS = (
    "id",
    "contract_number",
    "name",
    "name_search",
    "address",
    "region",
    "service_plan",
    "notes",
    "created_at",
    "updated_at",
)


# --- reference data -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Reference:
    line_ids: list[int]
    line_numbers: dict[int, str]
    operator_ids: list[int]
    department_ids: list[int]
    leaf_categories: list[tuple[int, str]]
    complexity_ids: list[int]
    priority_ids: list[int]


DEMO_STAFF = (
    (f"{DEMO_LOGIN_PREFIX}lead", "Мария Соколова", "Shift lead", Role.SHIFT_LEAD, 0, "1000"),
    (f"{DEMO_LOGIN_PREFIX}admin", "Alex Carter", "Administrator", Role.ADMIN, 0, None),
    (f"{DEMO_LOGIN_PREFIX}ivanov", "Иван Иванов", "Operator", Role.OPERATOR, 0, "1001"),
    (f"{DEMO_LOGIN_PREFIX}petrova", "Анна Петрова", "Operator", Role.OPERATOR, 0, "1002"),
    (DEMO_OPERATOR, "John Smith", "Operator", Role.OPERATOR, 0, "1003"),
    (f"{DEMO_LOGIN_PREFIX}kuznetsov", "Дмитрий Кузнецов", "Senior operator", Role.OPERATOR, 0, "1004"),
    (f"{DEMO_LOGIN_PREFIX}brown", "Emily Brown", "Network engineer", Role.OPERATOR, 1, "2001"),
    (f"{DEMO_LOGIN_PREFIX}orlov", "Сергей Орлов", "Network engineer", Role.OPERATOR, 1, "2002"),
    (f"{DEMO_LOGIN_PREFIX}volkova", "Ольга Волкова", "Billing specialist", Role.OPERATOR, 2, "3001"),
    (f"{DEMO_LOGIN_PREFIX}field1", "Павел Морозов", "Field engineer", Role.OPERATOR, 3, None),
)
"""login, display name, position, role, index into the departments, SIP extension"""

CATEGORY_TREE = {
    "Internet": ("No connection", "Slow speed", "Router setup"),
    "Television": ("No signal", "Channel package"),
    "Billing": ("Payment not received", "Plan change", "Refund"),
    "Equipment": ("Replacement", "Return"),
}


def _reference_data(conn: Connection, region: str) -> _Reference:
    """Create the reference data unless it is there already; return what the generator needs."""
    if conn.execute(select(func.count()).select_from(Line)).scalar_one() == 0:
        _create_reference_data(conn, region)
    line_numbers: dict[int, str] = {}
    for line_id, number in conn.execute(
        select(LineNumber.line_id, LineNumber.number).order_by(LineNumber.id)
    ):
        line_numbers.setdefault(line_id, number)
    parents = set(conn.execute(select(Category.parent_id).where(Category.parent_id.is_not(None))).scalars())
    leaves = [
        (cid, name) for cid, name in conn.execute(select(Category.id, Category.name)) if cid not in parents
    ]

    def ids(entity: Any) -> list[int]:
        return list(conn.execute(select(entity.id).order_by(entity.id)).scalars())

    return _Reference(
        line_ids=ids(Line),
        line_numbers=line_numbers,
        operator_ids=ids(Operator),
        department_ids=ids(Department),
        leaf_categories=sorted(leaves),
        complexity_ids=ids(ComplexityLevel),
        priority_ids=ids(Priority),
    )


def _insert(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> list[int]:
    return [conn.execute(table.insert().returning(table.c.id), row).scalar_one() for row in rows]


def _create_reference_data(conn: Connection, region: str) -> None:
    country = "+7" if region.upper() == "RU" else "+44"
    line_ids = _insert(
        conn, table_of(Line), [{"name": n} for n in ("Home internet & TV", "Business customers", "Billing")]
    )
    for i, line_id in enumerate(line_ids):
        _insert(conn, table_of(LineNumber), [{"line_id": line_id, "number": f"{country}800555010{i}"}])
    # IT may have added operators (and so departments) before asking for demo data: departments are
    # shared by name, and demo logins all start with DEMO_LOGIN_PREFIX, so none is a real login or
    # one the documentation uses as an example.
    departments = [
        department_id_for(conn, name)
        for name in ("First line", "Second line (technical)", "Billing", "Field engineers")
    ]
    taken = set(conn.execute(select(Operator.login)).scalars())
    _insert(
        conn,
        table_of(Operator),
        [
            {
                "login": login,
                "display_name": name,
                "position": position,
                "role": role.value,
                "department_id": departments[dept],
                "sip_extension": ext,
                "active": True,
            }
            for login, name, position, role, dept, ext in DEMO_STAFF
            if login not in taken
        ],
    )
    for root, children in CATEGORY_TREE.items():
        (root_id,) = _insert(conn, table_of(Category), [{"name": root, "parent_id": None}])
        _insert(conn, table_of(Category), [{"name": child, "parent_id": root_id} for child in children])
    _insert(
        conn,
        table_of(ComplexityLevel),
        [{"name": n, "rank": r} for r, n in enumerate(("Simple", "Medium", "Complex"), start=1)],
    )
    _insert(
        conn,
        table_of(Priority),
        [
            {"name": n, "rank": r, "response_hours": h}
            for r, (n, h) in enumerate((("Low", 72), ("Normal", 24), ("High", 8), ("Critical", 2)), start=1)
        ],
    )


# --- bulk writing ---------------------------------------------------------------------------------


def _batched(rows: Iterable[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


class _BulkWriter:
    """COPY on PostgreSQL, batched executemany on SQLite; same rows, same transaction."""

    def __init__(self, conn: Connection, progress: Progress | None) -> None:
        self._conn = conn
        self._progress = progress
        self._pg = conn.dialect.name == "postgresql"

    def write(
        self,
        table: Table,
        columns: Sequence[str],
        rows: Iterable[tuple[Any, ...]],
        total: int,
        json_column: int = -1,
    ) -> int:
        count = 0
        for batch in _batched(rows, BATCH):
            if self._pg:
                self._copy(table, columns, batch, json_column)
            else:
                self._conn.execute(table.insert(), [dict(zip(columns, row, strict=True)) for row in batch])
            count += len(batch)
            if self._progress:
                self._progress(table.name, count, total)
        return count

    def _copy(
        self, table: Table, columns: Sequence[str], batch: Sequence[tuple[Any, ...]], json_column: int
    ) -> None:
        raw = self._conn.connection.driver_connection
        if raw is None:
            raise RuntimeError("The database connection was closed during the demo data load.")
        statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in batch:
                if json_column >= 0:
                    row = (*row[:json_column], json.dumps(row[json_column]), *row[json_column + 1 :])  # noqa: PLW2901
                copy.write_row(row)

    def fix_sequences(self, tables: Sequence[Table]) -> None:
        """Explicit ids bypass PostgreSQL's sequences: move them past the highest id."""
        if not self._pg:
            return
        for table in tables:
            highest = select(func.max(table.c.id)).scalar_subquery()
            self._conn.execute(select(func.setval(func.pg_get_serial_sequence(table.name, "id"), highest)))


# --- the generator --------------------------------------------------------------------------------


def generate_demo_data(
    engine: Engine,
    *,
    customers: int,
    seed: int = 1,
    default_region: str = "RU",
    progress: Progress | None = None,
    append: bool = False,
) -> DemoDataReport:
    """Fill the database with `customers` demo customers plus reference data, tickets and calls.

    `default_region` picks the country of the support lines' dialled numbers (customers are a
    Russian/English mix either way); `seed` makes the run reproducible; `append` adds customers
    after the existing ones instead of refusing.

    Raises:
        DemoDataExists: customers are there already and `append` is False.
        DatabaseUnavailable: the database cannot be reached.
    """
    if customers < 1:
        raise ValidationError(
            QT_TRANSLATE_NOOP(
                "DemoData",
                "Ask for at least one demo customer (you asked for {count}), e.g. --customers 2000.",
            ).format(count=customers),
            fields=("customers",),
        )
    started = time.perf_counter()
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    ticket_count = max(2, min(customers // 10, 100_000))
    call_count = max(4, min(customers // 5, 200_000))
    with database_errors(engine):
        with engine.connect() as conn:
            existing, last_id = conn.execute(
                select(func.count(), func.coalesce(func.max(Customer.id), 0))
            ).one()
        if existing and not append:
            raise DemoDataExists(
                QT_TRANSLATE_NOOP(
                    "DemoData",
                    "The database already has {count} customers. Add demo customers after them with "
                    "--append, or use an empty database.",
                ).format(count=existing)
            )
        # Leased in its own transaction, as a real desk would: the central counter is shared.
        numbers = lease_blocks(engine, DEMO_WORKSTATION_ID, count=math.ceil(ticket_count / 1000))
        with engine.begin() as conn:
            ref = _reference_data(conn, default_region)
            writer = _BulkWriter(conn, progress)
            first = last_id + 1
            ids = range(first, first + customers)
            maker = _CustomerMaker(_Pools.build(seed), rng, seed, now)
            writer.write(table_of(Customer), CUSTOMER_COLUMNS, (maker.row(i) for i in ids), customers)
            expected_phones = customers + sum(1 for i in ids if has_second_number(i, seed))
            phone_count = writer.write(
                table_of(CustomerPhone),
                ("customer_id", "e164", "label"),
                _phone_rows(ids, seed),
                expected_phones,
            )
            ticket_numbers = (format_regular(n) for block in numbers for n in range(block.start, block.end))
            tickets = _TicketMaker(rng, ref, now, conn).plan(ids, ticket_count, ticket_numbers)
            writer.write(table_of(Ticket), TICKET_COLUMNS, (t.row for t in tickets), ticket_count)
            writer.write(
                table_of(TicketEvent),
                EVENT_COLUMNS,
                _event_rows(tickets, conn),
                len(tickets) * 2,
                json_column=5,
            )
            calls = _call_rows(rng, ref=ref, now=now, ids=ids, seed=seed, count=call_count, tickets=tickets)
            writer.write(table_of(Call), CALL_COLUMNS, calls, call_count)
            writer.fix_sequences([table_of(Customer), table_of(Ticket), table_of(TicketEvent)])
            _announcements(conn, ids, now)
        seed_defaults(engine)  # the shipped rules and scripts, now that categories and lines exist
    return DemoDataReport(
        customers=customers,
        phones=phone_count,
        shared_numbers=sum(1 for i in ids if shares_previous_number(i, seed)),
        operators=len(ref.operator_ids),
        tickets=len(tickets),
        open_tickets=sum(1 for t in tickets if t.status.is_open),
        calls=call_count,
        seconds=time.perf_counter() - started,
    )


def _announcements(conn: Connection, ids: range, now: datetime) -> None:
    """A current outage in the regions of the first demo customers, so the demo pop shows one."""
    found = conn.execute(select(Customer.region).where(Customer.id.in_(ids[:2]))).scalars()
    regions = sorted({region for region in found if region})
    if not regions:
        return
    rows = [
        {
            "text": f"Planned works in {regions[0]}: internet may be interrupted until 18:00.",
            "regions": regions[:1],
            "valid_from": now - timedelta(hours=2),
            "valid_to": now + timedelta(days=2),
            "created_by_id": None,
            "created_at": now,
        },
        {
            "text": "Outage: TV channels of the Premium package are not available; engineers are on it.",
            "regions": regions,
            "valid_from": now - timedelta(minutes=30),
            "valid_to": None,
            "created_by_id": None,
            "created_at": now,
        },
    ]
    conn.execute(table_of(Announcement).insert(), rows)


def _phone_rows(ids: range, seed: int) -> Iterator[tuple[Any, ...]]:
    for customer_id in ids:
        numbers = customer_numbers(customer_id, seed)
        yield (customer_id, numbers[0], "mobile")
        if len(numbers) > 1:
            yield (customer_id, numbers[1], "home")


TICKET_COLUMNS = (
    "id",
    "number",
    "customer_id",
    "line_id",
    "category_id",
    "complexity_id",
    "status",
    "priority_id",
    "department_id",
    "assignee_id",
    "due_date",
    "subject",
    "description",
    "resolution",
    "created_by_id",
    "created_at",
    "updated_by_id",
    "updated_at",
    "version",
)
_STATUS_WEIGHTS = {
    TicketStatus.NEW: 10,
    TicketStatus.IN_PROGRESS: 15,
    TicketStatus.ESCALATED: 5,
    TicketStatus.WAITING_CUSTOMER: 5,
    TicketStatus.RESOLVED: 25,
    TicketStatus.CLOSED: 40,
}


@dataclass(frozen=True, slots=True)
class _PlannedTicket:
    row: tuple[Any, ...]

    @property
    def id(self) -> int:
        return int(self.row[0])

    @property
    def customer_id(self) -> int:
        return int(self.row[2])

    @property
    def status(self) -> TicketStatus:
        return TicketStatus(self.row[6])


class _TicketMaker:
    def __init__(self, rng: random.Random, ref: _Reference, now: datetime, conn: Connection) -> None:
        self._rng, self._ref, self._now = rng, ref, now
        self._first_id = int(conn.execute(select(func.coalesce(func.max(Ticket.id), 0))).scalar_one()) + 1

    def plan(self, ids: range, count: int, numbers: Iterator[str]) -> list[_PlannedTicket]:
        rng, ref = self._rng, self._ref
        statuses, weights = list(_STATUS_WEIGHTS), list(_STATUS_WEIGHTS.values())
        planned = []
        for offset, status in enumerate(rng.choices(statuses, weights, k=count)):
            created = self._now - timedelta(seconds=rng.randrange(HISTORY_DAYS * 86_400))
            category_id, category = rng.choice(ref.leaf_categories)
            priority = rng.choice(ref.priority_ids)
            operator = rng.choice(ref.operator_ids)
            resolution = "Resolved on the call" if not status.is_open else None
            due = (created + timedelta(days=rng.randint(1, 14))).date() if status.is_open else None
            row = (
                self._first_id + offset,
                next(numbers),
                rng.choice(ids),
                rng.choice(ref.line_ids),
                category_id,
                rng.choice(ref.complexity_ids),
                status.value,
                priority,
                rng.choice(ref.department_ids),
                operator,
                due,
                category,
                f"Customer reports: {category.lower()}.",
                resolution,
                operator,
                created,
                operator,
                created + timedelta(minutes=rng.randint(1, 600)),
                1,
            )
            planned.append(_PlannedTicket(row))
        return planned


EVENT_COLUMNS = ("id", "ticket_id", "kind", "author_id", "at", "payload")


def _event_rows(tickets: list[_PlannedTicket], conn: Connection) -> Iterator[tuple[Any, ...]]:
    next_id = int(conn.execute(select(func.coalesce(func.max(TicketEvent.id), 0))).scalar_one()) + 1
    for t in tickets:
        status, author, created, updated = t.row[6], t.row[14], t.row[15], t.row[17]
        yield (
            next_id,
            t.id,
            TicketEventKind.CREATED.value,
            author,
            created,
            {"status": TicketStatus.NEW.value},
        )
        next_id += 1
        if status != TicketStatus.NEW.value:
            payload = {"from": TicketStatus.NEW.value, "to": status}
            yield (next_id, t.id, TicketEventKind.STATUS_CHANGE.value, author, updated, payload)
            next_id += 1


CALL_COLUMNS = (
    "direction",
    "caller_number",
    "dialled_number",
    "line_id",
    "operator_id",
    "customer_id",
    "ringing_at",
    "answered_at",
    "ended_at",
    "outcome",
    "hold_seconds",
    "recording_path",
    "problem",
    "ticket_id",
)
_OUTCOMES = (CallOutcome.ANSWERED, CallOutcome.MISSED, CallOutcome.ABANDONED, CallOutcome.TRANSFERRED)


def _call_rows(
    rng: random.Random,
    *,
    ref: _Reference,
    now: datetime,
    ids: range,
    seed: int,
    count: int,
    tickets: list[_PlannedTicket],
) -> Iterator[tuple[Any, ...]]:
    ticket_of = {t.customer_id: t.id for t in tickets}
    for _ in range(count):
        unknown = rng.random() < 0.05
        customer_id = None if unknown else rng.choice(ids)
        if customer_id is None:
            caller = f"+79{rng.randrange(10**9):09d}"
        else:
            caller = rng.choice(customer_numbers(customer_id, seed))
        line_id = rng.choice(ref.line_ids)
        outcome = rng.choices(_OUTCOMES, (80, 8, 8, 4))[0]
        ringing = now - timedelta(seconds=rng.randrange(HISTORY_DAYS * 86_400))
        talked = outcome in (CallOutcome.ANSWERED, CallOutcome.TRANSFERRED)
        answered = ringing + timedelta(seconds=rng.randint(2, 40)) if talked else None
        ended = (answered or ringing) + timedelta(
            seconds=rng.randint(20, 900) if talked else rng.randint(5, 60)
        )
        yield (
            (CallDirection.INBOUND if rng.random() < 0.9 else CallDirection.OUTBOUND).value,
            caller,
            ref.line_numbers.get(line_id),
            line_id,
            rng.choice(ref.operator_ids) if talked else None,
            customer_id,
            ringing,
            answered,
            ended,
            outcome.value,
            rng.choice((0, 0, 0, 30, 90)) if talked else 0,
            None,
            rng.random() < 0.02,
            ticket_of.get(customer_id) if customer_id is not None and rng.random() < 0.5 else None,
        )
