"""Who the demo caller pretends to be: real demo customers' numbers, and the lines to dial."""

from __future__ import annotations

import random

from sqlalchemy import Engine, func, select

from app.demo.caller import DemoCallers
from app.storage.database import database_errors
from app.storage.schema import Customer, CustomerPhone, LineNumber


def sample_demo_callers(engine: Engine, count: int = 50, seed: int | None = None) -> DemoCallers:
    """A random handful of customers to call as (blocking; run it on the database worker)."""
    rng = random.Random(seed)
    with database_errors(engine), engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(CustomerPhone)).scalar_one()
        offsets = sorted(rng.sample(range(total), min(count, total))) if total else []
        known = []
        for offset in offsets:
            row = conn.execute(
                select(CustomerPhone.e164, Customer.name)
                .join(Customer, Customer.id == CustomerPhone.customer_id)
                .order_by(CustomerPhone.id)
                .offset(offset)
                .limit(1)
            ).one()
            known.append((row[0], row[1]))
        lines = conn.execute(select(LineNumber.number).order_by(LineNumber.id)).scalars().all()
    return DemoCallers(known=tuple(known), line_numbers=tuple(lines))
