"""What the new-customer form and `app.services.customers.CustomerService` agree on: the fields'
ids and longest lengths, and the one error that needs its own words (no SQL here: the UI reads it).
"""

from __future__ import annotations

from app.errors import DatabaseUnavailable

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
