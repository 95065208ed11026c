"""The relational model, one definition for SQLite and PostgreSQL.

The tables are created and changed only by the Alembic migrations in ``migrations/``; this module
is what the code reads and writes through, and a test proves both agree.

Portability choices:
* enums are stored as short strings with a CHECK constraint (``native_enum=False``), so adding a
  value is a migration of a constraint rather than ``ALTER TYPE``, and SQLite enforces them too;
* timestamps are timezone-aware UTC on both databases (`UtcDateTime`), because SQLite keeps no
  zone and the desk must not mix naive and aware datetimes;
* ``customers.name_search`` is the name folded by `app.tickets.query.fold_name` (casefold, ``ё`` ->
  ``е``), maintained on every write, because SQLite's ``lower()`` only folds ASCII.  On PostgreSQL
  it carries a pg_trgm GIN index, which serves ``LIKE '%part%'``; on SQLite the same index is a
  plain b-tree, so a substring search scans that narrow index instead of the table and comes out
  already sorted.
* the screen pop's lookups each have an index: phone (``customer_phones.e164``), contract number
  (unique), calls by customer and by caller number with ``ringing_at`` second (a b-tree serves
  ``ORDER BY ringing_at DESC`` by scanning backwards), open tickets by ``(customer_id, status)``.
"""

from __future__ import annotations

import enum
import uuid
from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, validates
from sqlalchemy.types import TypeDecorator

from app.tickets.enums import CallDirection, CallEndReason, CallOutcome, Role, TicketEventKind, TicketStatus
from app.tickets.query import fold_name

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out, whatever the database keeps."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("Naive datetime given to the database; use datetime.now(UTC).")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_row_uid() -> str:
    """The ``uid`` of a new row (UUID4 text), when whoever inserts it did not give one."""
    return str(uuid.uuid4())


def str_enum(enum_cls: type[enum.StrEnum], name: str) -> Enum:
    """A portable enum column type: VARCHAR + CHECK, storing the values (not the member names)."""
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=24,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


JSON_PAYLOAD = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UtcDateTime(), date: Date()}


def table_of(entity: type[Base]) -> Table:
    """The Core table of a mapped class, typed as such (``__table__`` is typed as a FromClause)."""
    table = entity.__table__
    if not isinstance(table, Table):
        raise TypeError(f"{entity.__name__} is not mapped to a table.")
    return table


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


# --- reference data ------------------------------------------------------------------------------


class Line(Base):
    """A support line ("direction"), recognised by the number the caller dialled."""

    __tablename__ = "lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    numbers: Mapped[list[LineNumber]] = relationship(back_populates="line", cascade="all, delete-orphan")


class LineNumber(Base):
    __tablename__ = "line_numbers"
    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("lines.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)  # E.164 or a short service number
    line: Mapped[Line] = relationship(back_populates="numbers")


class Department(Base):
    __tablename__ = "departments"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)


class Operator(Base):
    __tablename__ = "operators"
    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    position: Mapped[str | None] = mapped_column(String(100))
    role: Mapped[Role] = mapped_column(str_enum(Role, "operator_role"), default=Role.OPERATOR)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    sip_extension: Mapped[str | None] = mapped_column(String(16), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Category(Base):
    """A node of the ticket category tree (``parent_id`` None for the roots)."""

    __tablename__ = "categories"
    __table_args__ = (UniqueConstraint("parent_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))


class ComplexityLevel(Base):
    __tablename__ = "complexity_levels"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    rank: Mapped[int] = mapped_column(Integer)


class Priority(Base):
    __tablename__ = "priorities"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    rank: Mapped[int] = mapped_column(Integer)
    response_hours: Mapped[int | None] = mapped_column(Integer)


# --- customers -----------------------------------------------------------------------------------


class Customer(TimestampMixin, Base):
    __tablename__ = "customers"
    __table_args__ = (
        Index(
            "ix_customers_name_search",
            "name_search",
            postgresql_using="gin",
            postgresql_ops={"name_search": "gin_trgm_ops"},
        ),
        # A desk's cache refreshes by it; on PostgreSQL the server's clock sets it (0006).
        Index("ix_customers_updated_at", "updated_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    contract_number: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_search: Mapped[str] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(300))
    region: Mapped[str | None] = mapped_column(String(100))
    service_plan: Mapped[str | None] = mapped_column(String(100))
    notes: Mapped[str | None] = mapped_column(Text)
    phones: Mapped[list[CustomerPhone]] = relationship(
        back_populates="customer", cascade="all, delete-orphan"
    )

    @validates("name")
    def _fold_name(self, _key: str, value: str) -> str:
        self.name_search = fold_name(value)
        return value


class CustomerPhone(Base):
    """A number a customer calls from.  One number may belong to several customers (a family)."""

    __tablename__ = "customer_phones"
    __table_args__ = (UniqueConstraint("customer_id", "e164"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    e164: Mapped[str] = mapped_column(String(16), index=True)
    label: Mapped[str | None] = mapped_column(String(50))
    customer: Mapped[Customer] = relationship(back_populates="phones")


# --- tickets -------------------------------------------------------------------------------------


# The part of the required-field rules the database itself enforces (migration 0002): whatever
# client writes, a resolved or closed ticket has its category, complexity and resolution, and an
# escalated one its department and due date.  Category-specific rules stay in the service.
TICKET_CLOSED_NEEDS = (
    "status NOT IN ('resolved', 'closed') OR (category_id IS NOT NULL AND complexity_id IS NOT NULL"
    " AND resolution IS NOT NULL AND TRIM(resolution) <> '')"
)
TICKET_ESCALATED_NEEDS = "status <> 'escalated' OR (department_id IS NOT NULL AND due_date IS NOT NULL)"


class Ticket(Base):
    """A customer's request.  `version` makes concurrent edits fail instead of overwriting."""

    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_customer_id_status", "customer_id", "status"),
        # A desk's cache refreshes by it; on PostgreSQL the server's clock sets it (0006).
        Index("ix_tickets_updated_at", "updated_at"),
        CheckConstraint(TICKET_CLOSED_NEEDS, name="closed_needs_category_complexity_resolution"),
        CheckConstraint(TICKET_ESCALATED_NEEDS, name="escalated_needs_department_due_date"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    line_id: Mapped[int | None] = mapped_column(ForeignKey("lines.id"))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    complexity_id: Mapped[int | None] = mapped_column(ForeignKey("complexity_levels.id"))
    priority_id: Mapped[int | None] = mapped_column(ForeignKey("priorities.id"))
    status: Mapped[TicketStatus] = mapped_column(
        str_enum(TicketStatus, "ticket_status"), default=TicketStatus.NEW
    )
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"), index=True)
    due_date: Mapped[date | None]
    subject: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    resolution: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer)
    # A UUID the desk generated for a row it created (migration 0004), else a new one (0005: a
    # Python default here, and on PostgreSQL also a server default for rows inserted by any tool).
    uid: Mapped[str | None] = mapped_column(String(36), unique=True, index=True, default=new_row_uid)

    __mapper_args__: Any = {"version_id_col": version}  # noqa: RUF012 - read by SQLAlchemy, never mutated

    priority: Mapped[Priority | None] = relationship()
    category: Mapped[Category | None] = relationship()


class TicketEvent(Base):
    """The ticket's history.  Append-only: the ORM refuses to update or delete a row."""

    __tablename__ = "ticket_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    kind: Mapped[TicketEventKind] = mapped_column(str_enum(TicketEventKind, "ticket_event_kind"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON_PAYLOAD)
    # A UUID the desk generated for a row it created (migration 0004), else a new one (0005: a
    # Python default here, and on PostgreSQL also a server default for rows inserted by any tool).
    uid: Mapped[str | None] = mapped_column(String(36), unique=True, index=True, default=new_row_uid)


@event.listens_for(TicketEvent, "before_update")
@event.listens_for(TicketEvent, "before_delete")
def _refuse_history_rewrite(_mapper: object, _connection: object, target: TicketEvent) -> None:
    raise ValueError(f"Ticket events are append-only (event {target.id}).")


# --- calls ---------------------------------------------------------------------------------------


class Call(Base):
    __tablename__ = "calls"
    __table_args__ = (
        Index("ix_calls_customer_id_ringing_at", "customer_id", "ringing_at"),
        Index("ix_calls_caller_number_ringing_at", "caller_number", "ringing_at"),
        Index("ix_calls_ringing_at", "ringing_at"),
        Index("ix_calls_updated_at", "updated_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    direction: Mapped[CallDirection] = mapped_column(str_enum(CallDirection, "call_direction"))
    caller_number: Mapped[str] = mapped_column(String(32))  # E.164, an extension, or as received
    dialled_number: Mapped[str | None] = mapped_column(String(32))
    line_id: Mapped[int | None] = mapped_column(ForeignKey("lines.id"))
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"), index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    ringing_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    outcome: Mapped[CallOutcome | None] = mapped_column(str_enum(CallOutcome, "call_outcome"))
    hold_seconds: Mapped[int] = mapped_column(Integer, default=0)
    recording_path: Mapped[str | None] = mapped_column(String(500))
    problem: Mapped[bool] = mapped_column(Boolean, default=False)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    caller_name: Mapped[str | None] = mapped_column(String(200))  # the display name, as received
    # What came of it: a disposition code (`app.tickets.dispositions`) picked at wrap-up.
    disposition: Mapped[str | None] = mapped_column(String(100))
    # When the row last changed (migration 0005), so a desk cache can pull calls incrementally.
    updated_at: Mapped[datetime] = mapped_column(
        default=utcnow, onupdate=utcnow, server_default=text("CURRENT_TIMESTAMP")
    )
    # A UUID the desk generated for a row it created (migration 0004), else a new one (0005: a
    # Python default here, and on PostgreSQL also a server default for rows inserted by any tool).
    uid: Mapped[str | None] = mapped_column(String(36), unique=True, index=True, default=new_row_uid)
    # Why it ended (migration 0007): who hung up, why it was refused, the engine died...
    end_reason: Mapped[CallEndReason | None] = mapped_column(str_enum(CallEndReason, "call_end_reason"))
    transferred_to: Mapped[str | None] = mapped_column(String(200))  # the blind-transfer target


# --- sync (migrations 0004, 0005) ------------------------------------------------------------------


class AppliedChange(Base):
    """The idempotency key of an outbox change the central database applied (`app.sync.applier`)."""

    __tablename__ = "applied_changes"
    key: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    applied_at: Mapped[datetime]


class SyncRefusal(Base):
    """A change the central database refused, as the desk that sent it reports it (0008): kept
    until the change goes through; ``frontline admin sync-status`` lists them per desk."""

    __tablename__ = "sync_refusals"
    key: Mapped[str] = mapped_column(String(36), primary_key=True)  # the change's idempotency key
    desk: Mapped[str] = mapped_column(String(200), index=True)  # user@host
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    kind: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str | None] = mapped_column(String(36))  # the ticket's or call's uid
    error: Mapped[str] = mapped_column(Text)
    first_at: Mapped[datetime]
    last_at: Mapped[datetime]
    attempts: Mapped[int]


class OperatorStateRow(Base):
    """An operator's current state for the floor view (ready, on call, wrap-up, break with a
    reason), written by `app.sync.applier` from the desks' ``operator_state`` changes (0005).

    `since` is when the operator entered the state (the desk's clock); a change older than the
    stored `since` is ignored.  `updated_at` is when the central database last wrote the row.
    """

    __tablename__ = "operator_states"
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id"), primary_key=True)
    status: Mapped[str] = mapped_column(String(24))
    reason: Mapped[str | None] = mapped_column(String(100))
    since: Mapped[datetime]
    call_uid: Mapped[str | None] = mapped_column(String(36))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


# --- ticket number leases --------------------------------------------------------------------------


class NumberBlockLease(Base):
    """A block of ticket numbers leased to one workstation (see `app.tickets.numbering`)."""

    __tablename__ = "number_blocks"
    id: Mapped[int] = mapped_column(primary_key=True)
    start: Mapped[int] = mapped_column(BigInteger, unique=True)
    size: Mapped[int] = mapped_column(Integer)
    workstation_id: Mapped[int] = mapped_column(BigInteger, index=True)
    leased_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- rules, scripts, announcements (migration 0002) ---------------------------------------------


class FieldRuleRow(Base):
    """A required-field rule (see `app.tickets.rules`): `fields` on `transitions` for a category
    subtree (``category_id`` None: every ticket).  Both lists are JSON arrays of ids."""

    __tablename__ = "field_rules"
    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("categories.id", ondelete="CASCADE"), index=True
    )
    transitions: Mapped[list[str]] = mapped_column(JSON)
    fields: Mapped[list[str]] = mapped_column(JSON)


class DispositionRow(Base):
    """One entry of a disposition list (`app.tickets.dispositions`): the default list (``line_id``
    None) or a line's own, in ``position`` order; ``labels`` maps a language code to the label
    (migration 0007)."""

    __tablename__ = "dispositions"
    __table_args__ = (UniqueConstraint("line_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int | None] = mapped_column(ForeignKey("lines.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer)
    labels: Mapped[dict[str, str]] = mapped_column(JSON)


class ScriptText(Base):
    """One call-script template (`app.tickets.scripts.TemplateKey`) for a line (None: the default
    for every line) in one language."""

    __tablename__ = "scripts"
    __table_args__ = (UniqueConstraint("line_id", "language", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int | None] = mapped_column(ForeignKey("lines.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(8))
    key: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)


class Announcement(Base):
    """A notice for callers from some regions ("outage in ..."), shown on their card while valid.

    `regions` is a JSON array of region names; an empty array means every region.
    """

    __tablename__ = "announcements"
    __table_args__ = (Index("ix_announcements_valid_to_valid_from", "valid_to", "valid_from"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    regions: Mapped[list[str]] = mapped_column(JSON)
    valid_from: Mapped[datetime]
    valid_to: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
