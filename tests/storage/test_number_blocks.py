"""Leasing ticket number blocks from the central database, and the desk's durable reserve."""

from __future__ import annotations

import multiprocessing
import threading
from itertools import pairwise
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.storage.database import make_engine
from app.storage.number_blocks import lease_blocks, lease_function
from app.storage.number_reserve import SqliteNumberReserve
from app.storage.schema import NumberBlockLease
from app.tickets.numbering import NumberBlock, ReservePolicy, TicketNumberAllocator, TicketNumberKind


def _assert_disjoint(blocks: list[NumberBlock]) -> None:
    ordered = sorted(blocks, key=lambda b: b.start)
    for a, b in pairwise(ordered):
        assert a.end <= b.start, f"{a} overlaps {b}"


def test_blocks_follow_each_other_and_are_recorded(engine: Engine) -> None:
    first = lease_blocks(engine, 1, count=2, size=100)
    second = lease_blocks(engine, 2, count=1, size=10)
    assert first == [NumberBlock(1, 100), NumberBlock(101, 100)]
    assert second == [NumberBlock(201, 10)]
    with Session(engine) as session:
        rows = session.scalars(select(NumberBlockLease).order_by(NumberBlockLease.start)).all()
    assert [(r.start, r.size, r.workstation_id) for r in rows] == [(1, 100, 1), (101, 100, 1), (201, 10, 2)]


def test_concurrent_desks_get_disjoint_blocks(engine: Engine) -> None:
    """Twelve desks, each with its own engine (own connection pool), lease at the same moment."""
    desks = 12
    start = threading.Barrier(desks)
    leased: list[NumberBlock] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def desk(workstation_id: int) -> None:
        own_engine = make_engine(engine.url)
        try:
            start.wait()
            for _ in range(5):
                blocks = lease_blocks(own_engine, workstation_id, count=2, size=50)
                with lock:
                    leased.extend(blocks)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            own_engine.dispose()

    threads = [threading.Thread(target=desk, args=(ws,)) for ws in range(desks)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(leased) == desks * 5 * 2
    _assert_disjoint(leased)


def test_reserve_survives_reopening_and_keeps_its_workstation_id(tmp_path: Path) -> None:
    path = tmp_path / "reserve.sqlite3"
    reserve = SqliteNumberReserve(path)
    reserve.add_blocks([NumberBlock(1, 3)])
    assert [reserve.take(), reserve.take()] == [1, 2]
    again = SqliteNumberReserve(path, workstation_id=123)  # the id stored in the file wins
    assert again.workstation_id() == reserve.workstation_id()
    assert (again.remaining(), again.take(), again.take()) == (1, 3, None)
    assert [again.next_provisional_counter(), SqliteNumberReserve(path).next_provisional_counter()] == [1, 2]


def test_allocator_on_the_sqlite_reserve_leases_from_the_database(engine: Engine, tmp_path: Path) -> None:
    reserve = SqliteNumberReserve(tmp_path / "reserve.sqlite3")
    allocator = TicketNumberAllocator(reserve, ReservePolicy(block_size=5, target_blocks=2, low_water=5))
    assert allocator.top_up(lease_function(engine, reserve.workstation_id())) == 2
    numbers = [allocator.allocate() for _ in range(12)]
    assert [n.value for n in numbers[:10]] == list(range(1, 11))
    assert [n.kind for n in numbers[10:]] == [TicketNumberKind.PROVISIONAL] * 2
    assert reserve.blocks() == []


def _allocate_in_process(path: str, count: int, queue: multiprocessing.Queue[list[int | None]]) -> None:
    reserve = SqliteNumberReserve(Path(path))
    queue.put([reserve.take() for _ in range(count)])


def test_two_processes_on_one_desk_never_take_the_same_number(tmp_path: Path) -> None:
    path = tmp_path / "reserve.sqlite3"
    SqliteNumberReserve(path).add_blocks([NumberBlock(1, 400)])
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    processes = [ctx.Process(target=_allocate_in_process, args=(str(path), 100, queue)) for _ in range(3)]
    for p in processes:
        p.start()
    taken = [n for _ in processes for n in queue.get(timeout=120)]
    for p in processes:
        p.join(timeout=60)
        assert p.exitcode == 0
    assert len(taken) == 300
    assert len(set(taken)) == 300
    assert set(taken) <= set(range(1, 401))
