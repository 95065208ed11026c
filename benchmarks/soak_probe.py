"""The workstation with a probe inside, for finding what a long shift accumulates.

    python benchmarks/soak_probe.py OUT_DIR [app arguments...]

runs `python -m app [app arguments...]` in this process; each SIGUSR1 writes
OUT_DIR/probe-N.json (N = 1, 2, ...) with, after a full garbage collection: Python objects per
type, Qt widgets per class and the QObjects under each top-level window, the asyncio tasks alive,
and, with SOAK_PROBE_FRAMES=N in the environment (tracemalloc keeping N frames), the biggest
allocation sites and their growth since the previous probe.
`soak_bench.py --probe` drives it; the probe slows the window down (tracemalloc a lot, and a report
with it takes a minute), so latency figures of a probed run are not comparable.
"""

from __future__ import annotations

import asyncio
import collections
import gc
import json
import linecache
import os
import signal
import sys
import threading
import tracemalloc
from pathlib import Path
from types import FrameType
from typing import Any

TOP = 40
# Frames kept per allocation; 0 = tracemalloc off (object counts only: fast enough to run often).
FRAMES = int(os.environ.get("SOAK_PROBE_FRAMES", "0"))


class Probe:
    def __init__(self, out: Path) -> None:
        self.out = out
        self.count = 0
        self.previous: tracemalloc.Snapshot | None = None
        self.sizes: dict[int, int] = {}  # id -> len of every big container at the last report

    def on_signal(self, _signum: int, _frame: FrameType | None) -> None:
        # Python runs this between two bytecodes of the GUI thread: the app is in a coherent state.
        self.count += 1
        path = self.out / f"probe-{self.count}.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.report(), indent=1, default=str), encoding="utf-8")
        tmp.rename(path)

    def report(self) -> dict[str, Any]:
        gc.collect()
        types = collections.Counter(_type_name(o) for o in gc.get_objects())
        report: dict[str, Any] = {
            "gc_objects": dict(types.most_common(80)),
            "gc_total": sum(types.values()),
            "qt": _qt_counts(),
            "asyncio_tasks": _tasks(),
            "threads": [t.name for t in threading.enumerate()],
            "modules": len(sys.modules),
            "python_blocks": sys.getallocatedblocks(),
            "malloc": _mallinfo(),
            "pymalloc_arenas_mib": _pymalloc_arenas_mib(),
            "sqlite": _sqlite_memory(),
            "linecache_kib": round(
                sum(len(line) for entry in linecache.cache.values() if len(entry) > 2 for line in entry[2])
                / 1024
            ),
            "mappings": _mappings(),
            "growing_containers": self._growing_containers(),
        }
        if tracemalloc.is_tracing():
            report.update(self._allocations())
        return report

    def _growing_containers(self) -> list[dict[str, Any]]:
        """Dicts, lists, sets and deques of 20+ items that grew by 5+ since the last report, and
        who holds them (an attribute of some object, when one can be found)."""
        sizes, grown = {}, []
        for obj in gc.get_objects():
            if isinstance(obj, dict | list | set | collections.deque) and len(obj) >= 20:
                sizes[id(obj)] = len(obj)
                before = self.sizes.get(id(obj))
                if before is not None and len(obj) - before >= 5:
                    grown.append(
                        {"kind": type(obj).__name__, "len": len(obj), "was": before, "held_by": _holder(obj)}
                    )
        self.sizes = sizes
        return sorted(grown, key=lambda g: g["was"] - g["len"])[:30]

    def _allocations(self) -> dict[str, Any]:
        snapshot = tracemalloc.take_snapshot().filter_traces(
            [tracemalloc.Filter(False, tracemalloc.__file__), tracemalloc.Filter(False, __file__)]
        )
        top = snapshot.statistics("traceback")[:TOP]
        growth = snapshot.compare_to(self.previous, "traceback")[:TOP] if self.previous else []
        self.previous = snapshot
        traced, peak = tracemalloc.get_traced_memory()
        return {
            "traced_mib": round(traced / 2**20, 2),
            "traced_peak_mib": round(peak / 2**20, 2),
            "top": [_stat(s.size, s.count, s.traceback) for s in top],
            "growth": [_stat(s.size_diff, s.count_diff, s.traceback, total=s.size) for s in growth],
        }


def _mallinfo() -> dict[str, float]:
    """glibc's heap: what malloc holds from the system (arena + mmapped) and what is in use."""
    import ctypes

    class MallInfo2(ctypes.Structure):
        _fields_ = [
            (name, ctypes.c_size_t)
            for name in (
                "arena",
                "ordblks",
                "smblks",
                "hblks",
                "hblkhd",
                "usmblks",
                "fsmblks",
                "uordblks",
                "fordblks",
                "keepcost",
            )
        ]

    libc = ctypes.CDLL(None)
    libc.mallinfo2.restype = MallInfo2
    info = libc.mallinfo2()
    mib = 2**20
    return {
        "arena_mib": round(info.arena / mib, 2),
        "mmapped_mib": round(info.hblkhd / mib, 2),
        "in_use_mib": round(info.uordblks / mib, 2),
        "free_mib": round(info.fordblks / mib, 2),
        "heaps": _malloc_heaps(libc),
    }


def _sqlite_memory() -> dict[str, Any]:
    """What SQLite itself has allocated (page caches, schemas, statements: every connection of
    the process), and the SQLAlchemy pools' connections."""
    import ctypes

    from sqlalchemy import Engine

    lib = ctypes.CDLL("libsqlite3.so.0")  # the one _sqlite3 is linked with (ldd)
    lib.sqlite3_memory_used.restype = ctypes.c_int64
    lib.sqlite3_memory_highwater.restype = ctypes.c_int64
    pools = [o.pool.status() for o in gc.get_objects() if isinstance(o, Engine)]
    return {
        "used_mib": round(lib.sqlite3_memory_used() / 2**20, 2),
        "highwater_mib": round(lib.sqlite3_memory_highwater(0) / 2**20, 2),
        "pools": pools,
    }


def _pymalloc_arenas_mib() -> float:
    """What Python's own allocator holds in 1 MiB arenas (anonymous mmaps, outside glibc's heap):
    objects of up to 512 bytes.  sys._debugmallocstats writes to the C stderr: caught through
    its descriptor."""
    import re
    import tempfile

    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile("w+") as out:
        os.dup2(out.fileno(), 2)
        try:
            sys._debugmallocstats()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        out.seek(0)
        stats = out.read()
    found = re.search(r"(\d+) arenas \* (\d+) bytes/arena", stats)
    return round(int(found.group(1)) * int(found.group(2)) / 2**20, 2) if found else -1.0


def _malloc_heaps(libc: Any) -> list[dict[str, float]]:
    """Each glibc arena (0: the main thread's; others are taken by other threads) from
    malloc_info: what it holds from the system and what of that is free."""
    import ctypes
    import re
    import tempfile

    with tempfile.NamedTemporaryFile("w+") as out:
        libc.fdopen.restype = ctypes.c_void_p
        stream = libc.fdopen(os.dup(out.fileno()), b"w")
        libc.malloc_info(0, ctypes.c_void_p(stream))
        libc.fclose(ctypes.c_void_p(stream))
        xml = Path(out.name).read_text()
    heaps = []
    for number, body in re.findall(r'<heap nr="(\d+)">(.*?)</heap>', xml, re.S):
        free = sum(
            int(size) for size in re.findall(r'<total type="(?:fast|rest)" count="\d+" size="(\d+)"', body)
        )
        current = int(re.search(r'<system type="current" size="(\d+)"', body).group(1))  # type: ignore[union-attr]
        heaps.append(
            {
                "nr": int(number),
                "system_mib": round(current / 2**20, 2),
                "in_use_mib": round((current - free) / 2**20, 2),
            }
        )
    return heaps


def _mappings() -> dict[str, dict[str, int]]:
    """Resident and private kB per mapped file ([heap], [anon] for anonymous memory)."""
    totals: dict[str, dict[str, int]] = collections.defaultdict(collections.Counter)
    name = "?"
    for line in Path("/proc/self/smaps").read_text().splitlines():
        head = line.split()
        if "-" in head[0] and ":" not in head[0]:
            name = head[5] if len(head) > 5 else "[anon]"
        elif head[0] in ("Rss:", "Private_Clean:", "Private_Dirty:", "Anonymous:"):
            totals[name][head[0][:-1]] += int(head[1])
    ordered = sorted(totals.items(), key=lambda item: -item[1]["Rss"])
    return {key: dict(value) for key, value in ordered[:60]}


def _holder(container: object) -> list[str]:
    """`Class.attribute` for objects whose attribute is `container` (a few levels of dicts)."""
    found = []
    for ref in gc.get_referrers(container):
        if isinstance(ref, dict):
            keys = [k for k, v in ref.items() if v is container]
            for owner in gc.get_referrers(ref):
                if getattr(owner, "__dict__", None) is ref:
                    found += [f"{_type_name(owner)}.{k}" for k in keys]
            if not found:
                found += [f"dict[{k!r}]" for k in keys[:3]]
        elif not isinstance(ref, list) or ref is not gc.garbage:
            found.append(_type_name(ref))
    return found[:8]


def _type_name(o: object) -> str:
    kind = type(o)
    return f"{getattr(kind, '__module__', None)!s}.{getattr(kind, '__qualname__', kind.__name__)!s}"


def _stat(
    size: int, count: int, traceback: tracemalloc.Traceback, total: int | None = None
) -> dict[str, Any]:
    entry: dict[str, Any] = {"kib": round(size / 1024, 1), "count": count, "where": traceback.format()}
    if total is not None:
        entry["total_kib"] = round(total / 1024, 1)
    return entry


def _qt_counts() -> dict[str, Any]:
    from PySide6.QtCore import QObject
    from PySide6.QtWidgets import QApplication

    widgets = collections.Counter(type(w).__name__ for w in QApplication.allWidgets())
    tops = {}
    for top in QApplication.topLevelWidgets():
        children = top.findChildren(QObject)
        kinds = collections.Counter(type(c).__name__ for c in children)
        tops[f"{type(top).__name__}:{top.objectName()}"] = {
            "objects": len(children),
            **dict(kinds.most_common(25)),
        }
    return {"widgets": sum(widgets.values()), "by_class": dict(widgets.most_common(40)), "top_levels": tops}


def _tasks() -> dict[str, Any]:
    try:
        loop = asyncio.get_event_loop_policy().get_event_loop()
        tasks = asyncio.all_tasks(loop)
    except RuntimeError:
        return {"count": -1}
    names = collections.Counter(getattr(t.get_coro(), "__qualname__", "?") for t in tasks)
    return {"count": len(tasks), "by_coroutine": dict(names.most_common(20))}


def main() -> None:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    if FRAMES:
        tracemalloc.start(FRAMES)
    probe = Probe(out)
    signal.signal(signal.SIGUSR1, probe.on_signal)
    sys.argv = ["frontline", *sys.argv[2:]]
    from app.cli import main as app_main

    sys.exit(app_main(sys.argv[1:]))


if __name__ == "__main__":
    main()
