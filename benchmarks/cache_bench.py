"""Cache refresh figures: the first copy of the central customers into a fresh desk cache, and an
incremental refresh after some of them changed.

    python benchmarks/cache_bench.py [--customers 100000] [--changed 100] [--tickets 0]

Starts its own throwaway PostgreSQL cluster (initdb into a temp dir, durability off as in the
tests), migrates a database, fills it with `--customers` customers (one or two phones each) and
`--tickets` tickets with an event each, then measures `app.sync.pull.CacheRefresher` against a
new SQLite cache file (migrated, WAL, ``synchronous=FULL`` as on a desk):

* **first copy**: seconds and customers per second;
* **incremental**: `--changed` customers renamed centrally, then one `refresh` (ms, rows written);
* **nothing changed**: one more `refresh` (ms).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text

from app.storage import migrate
from app.storage.database import make_engine
from app.sync.pull import CacheRefresher
from tests.fixtures.postgres import find_pg_bin, start_cluster

FILL = """
INSERT INTO customers (contract_number, name, name_search, address, region, service_plan,
                       created_at, updated_at)
SELECT 'CN-' || lpad(n::text, 7, '0'), 'Customer ' || n, 'customer ' || n, 'Street ' || n,
       'Region ' || (n % 50), 'Plan ' || (n % 5), now() - interval '1 day',
       now() - interval '1 day' + (n::float / :n) * interval '23 hours'
FROM generate_series(1, :n) AS n;
"""
PHONES = """
INSERT INTO customer_phones (customer_id, e164, label)
SELECT id, '+7912' || lpad(id::text, 7, '0'), 'mobile' FROM customers;
INSERT INTO customer_phones (customer_id, e164, label)
SELECT id, '+7495' || lpad(id::text, 7, '0'), 'home' FROM customers WHERE id % 2 = 0;
"""
TICKETS = """
INSERT INTO tickets (number, customer_id, status, subject, created_at, updated_at, version)
SELECT 'T-' || n, 1 + n % :customers, 'new', 'Ticket ' || n, now() - interval '1 day',
       now() - interval '1 day' + (n::float / :n) * interval '23 hours', 1
FROM generate_series(1, :n) AS n;
INSERT INTO ticket_events (ticket_id, kind, at, payload) SELECT id, 'created', created_at, '{}' FROM tickets;
"""
CHANGE = (
    "UPDATE customers SET name = name || ' (moved)', updated_at = now() WHERE id % :step = 0 AND id <= :last"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--changed", type=int, default=100)
    parser.add_argument("--tickets", type=int, default=0)
    args = parser.parse_args()

    pg_bin = find_pg_bin()
    if pg_bin is None:
        raise SystemExit("PostgreSQL server binaries not found (initdb, pg_ctl).")
    cluster = start_cluster(pg_bin)
    workdir = Path(tempfile.mkdtemp(prefix="cache-bench-"))
    try:
        name = f"bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(cluster.url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = cluster.url.set(database=name)
        migrate.upgrade(url)
        central = make_engine(url)
        with central.begin() as conn:
            conn.execute(text(FILL), {"n": args.customers})
            for statement in PHONES.split(";"):
                if statement.strip():
                    conn.execute(text(statement))
            if args.tickets:
                for statement in TICKETS.split(";"):
                    if statement.strip():
                        conn.execute(text(statement), {"n": args.tickets, "customers": args.customers})
            conn.execute(text("ANALYZE"))
        cache = make_engine(f"sqlite:///{workdir / 'cache.sqlite3'}")
        migrate.upgrade(cache)
        refresher = CacheRefresher(central, cache)

        start = time.perf_counter()
        first = refresher.refresh()
        seconds = time.perf_counter() - start
        print(
            f"first copy: {args.customers} customers, {first.rows.get('customer_phones', 0)} phones, "
            f"{first.rows.get('tickets', 0)} tickets in {seconds:.2f} s "
            f"({args.customers / seconds:,.0f} customers/s)"
        )

        step = max(1, args.customers // args.changed)
        with central.begin() as conn:
            changed = conn.execute(text(CHANGE), {"step": step, "last": step * args.changed}).rowcount
        start = time.perf_counter()
        report = refresher.refresh()
        print(
            f"incremental after {changed} changed customers: {(time.perf_counter() - start) * 1000:.0f} ms, "
            f"rows written {report.rows}"
        )
        start = time.perf_counter()
        report = refresher.refresh()
        print(f"nothing changed: {(time.perf_counter() - start) * 1000:.0f} ms, rows written {report.rows}")
        print(f"cache file: {(workdir / 'cache.sqlite3').stat().st_size / 1e6:.1f} MB")
        central.dispose()
        cache.dispose()
    finally:
        cluster.stop()
        for path in sorted(workdir.glob("*")):
            path.unlink()
        workdir.rmdir()


if __name__ == "__main__":
    main()
