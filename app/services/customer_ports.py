"""Creating customers from the operator's window, as an async interface.

No SQL is imported here: the UI depends on this protocol, the frozen `CustomerCard` and the errors
below only.  `app.services.customer_workers.WorkerCustomers` implements it by running
`app.services.customers.CustomerService` on the database worker thread; tests may supply their own.
"""

from __future__ import annotations

from typing import Protocol

from app.errors import DatabaseUnavailable
from app.tickets.cards import CustomerCard

# The ids `ValidationError.fields` uses for the new-customer fields, in form order.
CUSTOMER_FIELDS = ("name", "phone", "address", "region", "notes")
# The longest text each field may hold (the columns' lengths; a test keeps them in step), so the
# form can stop typing where the database would refuse.
MAX_LENGTHS = {"name": 200, "address": 300, "region": 100}


class CustomerStoredNotShown(DatabaseUnavailable):
    """The customer was stored as `contract_number`, but the database went away before its card
    could be read back.  Creating it again would make a duplicate: search for it instead."""

    def __init__(self, message: str, contract_number: str) -> None:
        super().__init__(message)
        self.contract_number = contract_number


class CustomerPort(Protocol):
    async def create(
        self,
        *,
        phone: str,
        name: str | None,
        address: str | None,
        region: str | None,
        notes: str | None,
        operator_login: str | None,
    ) -> CustomerCard:
        """Store a new customer and return its card (as a lookup would show it).

        Raises:
            ValidationError: ``fields`` names what is wrong (ids from `CUSTOMER_FIELDS`).
            DatabaseUnavailable: nothing was stored; try again.
            CustomerStoredNotShown: stored, but not read back (do not create it again).
        """
        ...
