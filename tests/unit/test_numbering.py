"""Ticket numbers: unique across desks online and offline, and a misheard number is caught."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.tickets.numbering import (
    InMemoryReserve,
    InvalidTicketNumber,
    NumberBlock,
    ReservePolicy,
    TicketNumber,
    TicketNumberAllocator,
    TicketNumberKind,
    damm_check_digit,
    damm_is_valid,
    format_provisional,
    format_regular,
    is_valid_ticket_number,
    parse_ticket_number,
)

sequence_numbers = st.integers(min_value=1, max_value=10**12)
workstation_ids = st.integers(min_value=0, max_value=2**40 - 1)


class FakeCentral:
    """The central database's leasing, as a lock and a counter."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._next = 1
        self.leases: list[NumberBlock] = []

    def lease(self, count: int, size: int) -> list[NumberBlock]:
        with self._lock:
            blocks = [NumberBlock(self._next + i * size, size) for i in range(count)]
            self._next += count * size
            self.leases.extend(blocks)
            return blocks


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def test_known_values() -> None:
    assert damm_check_digit("572") == 4  # the worked example of the Damm algorithm
    assert format_regular(12345) == "T-0012-3459"
    assert format_regular(1) == "T-0000-0013"
    assert format_regular(12_345_678) == "T-1234-5678-6"
    assert format_provisional(2**40 - 1, 1) == "P-1099-5116-2777-5000-16"


@given(sequence_numbers)
def test_regular_numbers_round_trip(n: int) -> None:
    text = format_regular(n)
    assert text.startswith("T-")
    assert parse_ticket_number(text) == TicketNumber(TicketNumberKind.REGULAR, n)
    assert parse_ticket_number(text.lower().replace("-", " ")).value == n
    assert parse_ticket_number("Т" + text[1:]).value == n  # Cyrillic Т typed on a Russian layout


@given(workstation_ids, st.integers(min_value=1, max_value=10**6))
def test_provisional_numbers_round_trip_and_the_prefix_keeps_them_apart(ws: int, counter: int) -> None:
    text = format_provisional(ws, counter)
    assert text.startswith("P-")
    number = parse_ticket_number(text)
    assert number == TicketNumber(TicketNumberKind.PROVISIONAL, counter, ws)
    assert number.text == text
    assert parse_ticket_number("T" + text[1:]) != number  # the same digits under T are another ticket


@given(sequence_numbers, st.data())
def test_any_single_wrong_digit_is_detected(n: int, data: st.DataObject) -> None:
    digits = _digits(format_regular(n))
    pos = data.draw(st.integers(0, len(digits) - 1))
    wrong = data.draw(st.sampled_from([d for d in "0123456789" if d != digits[pos]]))
    misheard = digits[:pos] + wrong + digits[pos + 1 :]
    assert not damm_is_valid(misheard)
    assert not is_valid_ticket_number("T-" + misheard)


@given(sequence_numbers, st.data())
def test_any_adjacent_swap_is_detected(n: int, data: st.DataObject) -> None:
    digits = _digits(format_regular(n))
    candidates = [i for i in range(len(digits) - 1) if digits[i] != digits[i + 1]]
    if not candidates:
        return
    i = data.draw(st.sampled_from(candidates))
    swapped = digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :]
    assert not damm_is_valid(swapped)
    with pytest.raises(InvalidTicketNumber, match="misheard"):
        parse_ticket_number("T-" + swapped)


def test_exhaustively_every_single_error_in_one_block_is_detected() -> None:
    for n in range(1, 1001):
        digits = _digits(format_regular(n))
        for pos in range(len(digits)):
            for d in "0123456789":
                if d != digits[pos]:
                    assert not damm_is_valid(digits[:pos] + d + digits[pos + 1 :])


@pytest.mark.parametrize(
    "text", ["", "T-", "X-0000-0013", "T-0000-001", "T-0000-0000", "P-0000-0013", "12345678"]
)
def test_not_ticket_numbers(text: str) -> None:
    with pytest.raises(InvalidTicketNumber):
        parse_ticket_number(text)


@pytest.mark.parametrize(
    ("remaining", "expected"), [(5000, 0), (2000, 0), (1000, 0), (999, 2), (500, 2), (0, 2)]
)
def test_policy_tops_up_to_about_two_blocks_below_the_low_water_mark(remaining: int, expected: int) -> None:
    assert (
        ReservePolicy(block_size=1000, target_blocks=2, low_water=1000).blocks_to_lease(remaining) == expected
    )


def test_empty_reserve_falls_back_to_provisional_numbers() -> None:
    reserve = InMemoryReserve(workstation_id=0xABCDE12345)
    allocator = TicketNumberAllocator(reserve)
    first, second = allocator.allocate(), allocator.allocate()
    assert (first.kind, second.kind) == (TicketNumberKind.PROVISIONAL, TicketNumberKind.PROVISIONAL)
    assert (first.workstation_id, first.value, second.value) == (0xABCDE12345, 1, 2)
    assert parse_ticket_number(first.text) == first


def test_allocation_uses_the_reserve_then_goes_provisional_when_the_database_is_down() -> None:
    central = FakeCentral()
    allocator = TicketNumberAllocator(
        InMemoryReserve(), ReservePolicy(block_size=10, target_blocks=2, low_water=10)
    )
    assert allocator.top_up(central.lease) == 2
    assert allocator.top_up(central.lease) == 0  # above the low-water mark: nothing to do
    numbers = [allocator.allocate() for _ in range(15)]
    assert [n.value for n in numbers] == list(range(1, 16))
    assert allocator.needs_top_up()

    def offline(count: int, size: int) -> Sequence[NumberBlock]:
        raise ConnectionError("central database unreachable")

    with pytest.raises(ConnectionError):
        allocator.top_up(offline)
    rest = [allocator.allocate() for _ in range(7)]
    assert [n.kind for n in rest] == [TicketNumberKind.REGULAR] * 5 + [TicketNumberKind.PROVISIONAL] * 2
    allocator.top_up(central.lease)
    assert allocator.allocate() == TicketNumber(TicketNumberKind.REGULAR, 21)


def test_fifty_workstations_allocating_concurrently_online_and_offline_never_collide() -> None:
    central = FakeCentral()
    policy = ReservePolicy(block_size=20, target_blocks=2, low_water=20)
    per_desk = 150
    start = threading.Barrier(50)
    results: list[list[TicketNumber]] = [[] for _ in range(50)]

    def desk(index: int) -> None:
        allocator = TicketNumberAllocator(InMemoryReserve(), policy)
        goes_offline_after = 60 if index % 3 == 0 else None  # every third desk loses the network
        start.wait()
        for i in range(per_desk):
            if allocator.needs_top_up() and (goes_offline_after is None or i < goes_offline_after):
                allocator.top_up(central.lease)
            results[index].append(allocator.allocate())

    threads = [threading.Thread(target=desk, args=(i,)) for i in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    issued = [n for desk_numbers in results for n in desk_numbers]
    texts = [n.text for n in issued]
    assert len(issued) == 50 * per_desk
    assert len(set(texts)) == len(texts), "two tickets got the same number"
    assert any(n.kind is TicketNumberKind.PROVISIONAL for n in issued), "offline desks never went provisional"
    leased = {v for block in central.leases for v in range(block.start, block.end)}
    regular = [n.value for n in issued if n.kind is TicketNumberKind.REGULAR]
    assert set(regular) <= leased
    ranges = sorted((b.start, b.end) for b in central.leases)
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in pairwise(ranges))
    assert all(is_valid_ticket_number(t) for t in texts)
