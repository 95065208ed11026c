"""Ticket numbers: unique across every desk, handed out instantly, even with the database down.

The scheme
==========

**Regular numbers** (``T-0012-3459``).  The central database owns one sequence of positive
integers.  It never hands them out one by one: a workstation *leases a block* of them (HiLo style,
1000 at a time, recorded in the ``number_blocks`` table with the workstation's id) and keeps them
in a local reserve (`app.storage.number_reserve`, a small SQLite file, so a restart or two
processes on one desk never reuse a number).  Allocating a number is then a local operation that
needs no network.  The desk keeps about two blocks in reserve and leases more whenever it falls
below the low-water mark (one block), so it can keep working through a long outage.  Blocks never
overlap, hence numbers never collide.

The printed form is ``T-`` + the integer zero-padded to 7 digits + one **Damm check digit**,
grouped in fours for reading aloud: integer 12345 -> body ``0012345`` -> check ``9`` ->
``T-0012-3459``.  Beyond 9 999 999 the body simply grows (``T-1234-5678-6``).  The Damm check
digit detects every single wrong digit and every swap of two adjacent digits -- the two ways a
number gets misheard or mistyped -- so a wrong number is refused instead of opening someone else's
ticket.

**Provisional numbers** (``P-0549-7558-1388-7000-10``).  If a desk's reserve runs dry while the
central database is unreachable, it still must give the caller a number.  It then uses its own
namespace: the workstation's random 40-bit id (13 digits, chosen once and kept in the reserve file)
followed by a local counter (at least 4 digits), and the Damm check digit over all of them.  The
``P`` prefix and the length keep provisional numbers apart from regular ones; two desks collide
only if they drew the same 40-bit id (about 1 in 2 million for 1000 desks), and the central
``number_blocks`` table makes such a pair visible.  A provisional number stays the ticket's number
for good: it is unique, so there is nothing to renumber.

Parsing (`parse_ticket_number`) accepts any case, spaces or dashes anywhere and the Cyrillic
look-alikes ``Т``/``Р`` for the prefix, because that is how numbers come back from callers.
"""

from __future__ import annotations

import math
import re
import secrets
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

REGULAR_PREFIX = "T"
PROVISIONAL_PREFIX = "P"
REGULAR_BODY_DIGITS = 7
WORKSTATION_ID_BITS = 40
WORKSTATION_ID_DIGITS = 13  # len(str(2**40 - 1))
PROVISIONAL_COUNTER_DIGITS = 4

# Damm's totally anti-symmetric quasigroup of order 10 (H. M. Damm, 2004).
_DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)
_PREFIX_ALIASES = {"T": REGULAR_PREFIX, "Т": REGULAR_PREFIX, "P": PROVISIONAL_PREFIX, "Р": PROVISIONAL_PREFIX}
_NUMBER_RE = re.compile(r"^([TPТР])[\s\-]*([\d\s\-]+)$", re.IGNORECASE)


class InvalidTicketNumber(ValueError):
    """The text is not a ticket number, or its check digit says it was misheard."""


class TicketNumberKind(StrEnum):
    REGULAR = "regular"
    PROVISIONAL = "provisional"


@dataclass(frozen=True, slots=True)
class TicketNumber:
    """A parsed ticket number.  `value` is the sequence number (regular) or the local counter."""

    kind: TicketNumberKind
    value: int
    workstation_id: int | None = None

    @property
    def text(self) -> str:
        if self.kind is TicketNumberKind.REGULAR:
            return format_regular(self.value)
        if self.workstation_id is None:
            raise ValueError("A provisional ticket number needs its workstation id.")
        return format_provisional(self.workstation_id, self.value)

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class NumberBlock:
    """Numbers ``start .. start + size - 1``, leased to one workstation by the central database."""

    start: int
    size: int

    @property
    def end(self) -> int:
        """One past the last number of the block."""
        return self.start + self.size


# --- check digit -------------------------------------------------------------------------------


def damm_check_digit(digits: str) -> int:
    """The Damm check digit of a string of decimal digits."""
    interim = 0
    for ch in digits:
        interim = _DAMM[interim][int(ch)]
    return interim


def damm_is_valid(digits_with_check: str) -> bool:
    """True when the last digit is the Damm check digit of the others."""
    return bool(digits_with_check) and damm_check_digit(digits_with_check) == 0


# --- formatting and parsing ----------------------------------------------------------------------


def _group(prefix: str, digits: str) -> str:
    return prefix + "-" + "-".join(digits[i : i + 4] for i in range(0, len(digits), 4))


def format_regular(value: int) -> str:
    """``12345`` -> ``T-0012-3459``."""
    if value < 1:
        raise ValueError("Ticket sequence numbers start at 1.")
    body = f"{value:0{REGULAR_BODY_DIGITS}d}"
    return _group(REGULAR_PREFIX, body + str(damm_check_digit(body)))


def format_provisional(workstation_id: int, counter: int) -> str:
    """The offline fallback number of `workstation_id`'s `counter`-th provisional ticket."""
    check_workstation_id(workstation_id)
    if counter < 1:
        raise ValueError("Provisional counters start at 1.")
    body = f"{workstation_id:0{WORKSTATION_ID_DIGITS}d}{counter:0{PROVISIONAL_COUNTER_DIGITS}d}"
    return _group(PROVISIONAL_PREFIX, body + str(damm_check_digit(body)))


def parse_ticket_number(text: str) -> TicketNumber:
    """Read a ticket number as typed or dictated.

    Raises:
        InvalidTicketNumber: wrong shape, or a check digit that does not match (misheard digit).
    """
    match = _NUMBER_RE.match(text.strip())
    if not match:
        raise InvalidTicketNumber(f"{text!r} is not a ticket number (expected T-1234-5678).")
    prefix = _PREFIX_ALIASES[match.group(1).upper()]
    digits = re.sub(r"[\s\-]", "", match.group(2))
    min_len = (
        REGULAR_BODY_DIGITS + 1
        if prefix == REGULAR_PREFIX
        else WORKSTATION_ID_DIGITS + PROVISIONAL_COUNTER_DIGITS + 1
    )
    if len(digits) < min_len:
        raise InvalidTicketNumber(f"{text!r} has too few digits for a ticket number.")
    if not damm_is_valid(digits):
        raise InvalidTicketNumber(f"{text!r} is not a valid ticket number: a digit was probably misheard.")
    body = digits[:-1]
    if prefix == REGULAR_PREFIX:
        if int(body) < 1:
            raise InvalidTicketNumber(f"{text!r} is not a ticket number.")
        return TicketNumber(TicketNumberKind.REGULAR, int(body))
    workstation_id = int(body[:WORKSTATION_ID_DIGITS])
    counter = int(body[WORKSTATION_ID_DIGITS:])
    if workstation_id >= 1 << WORKSTATION_ID_BITS or counter < 1:
        raise InvalidTicketNumber(f"{text!r} is not a ticket number.")
    return TicketNumber(TicketNumberKind.PROVISIONAL, counter, workstation_id)


def is_valid_ticket_number(text: str) -> bool:
    try:
        parse_ticket_number(text)
    except InvalidTicketNumber:
        return False
    return True


# --- allocation ---------------------------------------------------------------------------------


def new_workstation_id() -> int:
    """A random 40-bit workstation id, drawn once per desk and kept in its reserve file."""
    return secrets.randbits(WORKSTATION_ID_BITS)


def check_workstation_id(workstation_id: int) -> None:
    if not 0 <= workstation_id < 1 << WORKSTATION_ID_BITS:
        raise ValueError(f"Workstation ids are 40-bit, not {workstation_id}.")


@dataclass(frozen=True, slots=True)
class ReservePolicy:
    """How many numbers a desk keeps in hand: lease blocks when below `low_water`."""

    block_size: int = 1000
    target_blocks: int = 2
    low_water: int = 1000

    def blocks_to_lease(self, remaining: int) -> int:
        """How many blocks to lease now to be back at the target reserve (0 above low water)."""
        if remaining >= self.low_water:
            return 0
        return max(0, math.ceil((self.target_blocks * self.block_size - remaining) / self.block_size))


class ReserveStore(Protocol):
    """A desk's durable reserve of leased numbers.  Every method is atomic on its own."""

    def workstation_id(self) -> int: ...

    def take(self) -> int | None:
        """The lowest unused leased number, now used; None when the reserve is empty."""

    def remaining(self) -> int: ...

    def add_blocks(self, blocks: Sequence[NumberBlock]) -> None: ...

    def next_provisional_counter(self) -> int:
        """1, 2, 3, ... for this desk, never repeating."""


LeaseFunction = Callable[[int, int], Sequence[NumberBlock]]
"""``lease(count, block_size)`` asks the central database for `count` new blocks."""


class TicketNumberAllocator:
    """Hands out ticket numbers from the local reserve; never touches the network itself.

    `allocate` is what the desk calls when a ticket is created (instant, offline-safe).
    `top_up` is what a background job on the database worker calls when the central database is
    reachable; it is a no-op while the reserve is above the low-water mark.
    """

    def __init__(self, store: ReserveStore, policy: ReservePolicy | None = None) -> None:
        self._store = store
        self.policy = policy or ReservePolicy()

    def allocate(self) -> TicketNumber:
        value = self._store.take()
        if value is not None:
            return TicketNumber(TicketNumberKind.REGULAR, value)
        return TicketNumber(
            TicketNumberKind.PROVISIONAL, self._store.next_provisional_counter(), self._store.workstation_id()
        )

    def remaining(self) -> int:
        return self._store.remaining()

    def needs_top_up(self) -> bool:
        return self.policy.blocks_to_lease(self._store.remaining()) > 0

    def top_up(self, lease: LeaseFunction) -> int:
        """Lease blocks if the reserve is low; returns how many were added.

        Exceptions from `lease` (database unreachable) propagate: the caller retries later, and
        meanwhile `allocate` keeps working from what is left, then provisionally.
        """
        count = self.policy.blocks_to_lease(self._store.remaining())
        if count == 0:
            return 0
        blocks = lease(count, self.policy.block_size)
        self._store.add_blocks(blocks)
        return len(blocks)


class InMemoryReserve:
    """A `ReserveStore` in memory: the twin of the SQLite reserve for unit tests and demos."""

    def __init__(self, workstation_id: int | None = None) -> None:
        self._workstation_id = new_workstation_id() if workstation_id is None else workstation_id
        check_workstation_id(self._workstation_id)
        self._lock = threading.Lock()
        self._ranges: list[list[int]] = []  # [next, end) pairs, lowest first
        self._provisional = 0

    def workstation_id(self) -> int:
        return self._workstation_id

    def take(self) -> int | None:
        with self._lock:
            while self._ranges and self._ranges[0][0] >= self._ranges[0][1]:
                self._ranges.pop(0)
            if not self._ranges:
                return None
            value = self._ranges[0][0]
            self._ranges[0][0] += 1
            return value

    def remaining(self) -> int:
        with self._lock:
            return sum(end - nxt for nxt, end in self._ranges)

    def add_blocks(self, blocks: Sequence[NumberBlock]) -> None:
        with self._lock:
            self._ranges.extend([b.start, b.end] for b in blocks)
            self._ranges.sort()

    def next_provisional_counter(self) -> int:
        with self._lock:
            self._provisional += 1
            return self._provisional
