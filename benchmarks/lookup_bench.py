"""Screen-pop lookup by phone number: how long the database takes, and how long the Python API takes.

    python benchmarks/lookup_bench.py --db URL --customers N --queries 1000

Migrates the database, generates demo data if it has fewer than N customers (and says how long
that took), then looks up `--queries` phone numbers of random customers twice:

* **db**: the customer-by-number query alone, as raw SQL on the driver's connection (what the
  database and the round trip cost);
* **api**: `LookupService.lookup` with the number in international formatting -- normalisation,
  the customer cards, their phones, open tickets and last calls (what the screen pop waits for).

Targets (the compass): p95 <= 5 ms in the database, <= 20 ms through the API.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select

from app.demo.data import generate_demo_data
from app.services.lookup import LookupService
from app.storage import migrate
from app.storage.database import make_engine
from app.storage.schema import Customer, CustomerPhone
from app.tickets.phones import format_phone

PHONE_SQL = (
    "SELECT c.id, c.contract_number, c.name, c.address, c.region, c.service_plan, c.notes"
    " FROM customers c WHERE c.id IN (SELECT p.customer_id FROM customer_phones p WHERE p.e164 = {param})"
    " ORDER BY c.name, c.id LIMIT 20"
)
WARMUP = 50


def percentiles(samples_ms: list[float]) -> str:
    q = statistics.quantiles(samples_ms, n=100)
    return (
        f"p50 {statistics.median(samples_ms):6.2f} ms  p95 {q[94]:6.2f} ms  p99 {q[98]:6.2f} ms"
        f"  max {max(samples_ms):6.2f} ms  (n={len(samples_ms)})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", required=True, help="sqlite:///path or postgresql://user@host:port/db")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--region", default="RU")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    engine = make_engine(args.db)
    migrate.upgrade(engine)
    with engine.connect() as conn:
        have = conn.execute(select(func.count()).select_from(Customer)).scalar_one()
    if have < args.customers:
        missing = args.customers - have
        print(f"generating {missing} customers into {engine.url.render_as_string(hide_password=True)} ...")
        last = [0.0]

        def progress(stage: str, done: int, total: int) -> None:
            if time.monotonic() - last[0] > 10:
                last[0] = time.monotonic()
                print(f"  {stage}: {done}/{total}", flush=True)

        report = generate_demo_data(
            engine,
            customers=missing,
            seed=args.seed,
            default_region=args.region,
            progress=progress,
            append=have > 0,
        )
        print(
            f"generate_demo_data: {report.customers} customers, {report.phones} phones,"
            f" {report.tickets} tickets, {report.calls} calls in {report.seconds:.1f} s"
        )
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")

    rng = random.Random(args.seed)
    with engine.connect() as conn:
        top = conn.execute(select(func.max(CustomerPhone.id))).scalar_one()
        ids = rng.sample(range(1, top + 1), min(top, args.queries + WARMUP))
        numbers = list(conn.execute(select(CustomerPhone.e164).where(CustomerPhone.id.in_(ids))).scalars())
    rng.shuffle(numbers)
    print(f"database: {engine.dialect.name}, {have if have >= args.customers else args.customers} customers")

    raw = engine.raw_connection()
    try:
        param = "%s" if engine.dialect.name == "postgresql" else "?"
        sql = PHONE_SQL.format(param=param)
        cursor = raw.cursor()
        db_ms: list[float] = []
        for i, number in enumerate(numbers):
            started = time.perf_counter()
            cursor.execute(sql, (number,))
            rows = cursor.fetchall()
            elapsed = (time.perf_counter() - started) * 1000
            if not rows:
                raise SystemExit(f"no customer for {number}: the data is inconsistent")
            if i >= WARMUP:
                db_ms.append(elapsed)
        cursor.close()
    finally:
        raw.close()
    print(f"db  (raw SQL, phone -> customers):      {percentiles(db_ms)}")

    service = LookupService(engine, args.region)
    api_ms: list[float] = []
    for i, number in enumerate(numbers):
        typed = format_phone(number)
        started = time.perf_counter()
        result = service.lookup(typed)
        elapsed = (time.perf_counter() - started) * 1000
        if not result.customers:
            raise SystemExit(f"LookupService found nobody for {typed}")
        if i >= WARMUP:
            api_ms.append(elapsed)
    print(f"api (LookupService.lookup, full cards): {percentiles(api_ms)}")
    engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
