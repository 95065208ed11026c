"""New customers, created by the operator while an unknown number is on the line.

`CustomerService.create` is blocking and runs on the database worker thread.  Only the phone
number is required (issue 5: phone-only customers, no e-mail):

* the number is stored in E.164, read against the site's default region; an extension or
  garbage is refused (`ValidationError` on ``phone``);
* a number already on file is accepted: families and offices share numbers, and the pop lists
  every customer on a number;
* without a name the customer is stored under the formatted number (``+7 912 345-67-89``):
  ``customers.name`` is required, and the number is what every list and card can show without
  guessing a language for "unknown caller"; the operator renames the customer once the caller
  says who they are.

Contract numbers (``CN-0012345``) are derived from the row's id, which the database hands out
uniquely to every desk at once: the row is inserted under a provisional contract number, then given
``format_contract_number(id)`` in the same transaction, so nobody ever sees the provisional one.
The demo data numbers its customers the same way.  A number that is already taken (say, by an
imported customer numbered differently) is skipped for the next free one; should two desks
pick the same free number at the same moment, the unique constraint lets one commit and the other
starts over with a new id.

The card returned is read back through `LookupService` (by the new contract number), so it is
exactly what a search would show, with the earlier calls from that number already on it.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.errors import DatabaseUnavailable, UserFacingError, ValidationError
from app.services.lookup import LookupService
from app.services.new_customer import CUSTOMER_FIELDS, MAX_LENGTHS, CustomerStoredNotShown
from app.services.sessions import session_scope
from app.storage.schema import Customer, CustomerPhone
from app.tickets.cards import CustomerCard
from app.tickets.phones import InvalidPhoneNumber, format_phone, normalize_phone
from app.tickets.query import format_contract_number

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 20  # whole transactions, each with a new id; a collision needs a concurrent desk
_CANDIDATES_PER_QUERY = 32
_MAX_SKIPPED_QUERIES = 1000


class ContractNumberContention(UserFacingError):
    """No free contract number after `MAX_ATTEMPTS` tries; nothing was stored."""


def _provisional_contract() -> str:
    # 16 characters, the column's width; never committed, so never seen by anyone else.
    return "TMP-" + secrets.token_hex(6)


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    return value.strip() or None


class CustomerService:
    """Creates customers (blocking: run it on the `DatabaseWorker`)."""

    def __init__(
        self,
        engine: Engine,
        default_region: str,
        *,
        lookup: LookupService | None = None,
        after_insert: Callable[[int], None] | None = None,
    ) -> None:
        """On a central-database deployment `engine` is the central database (a customer's
        contract number must be unique across desks, so it is given there, online), `lookup`
        reads the desk's cache and `after_insert(customer_id)` copies the new customer into it."""
        self._engine = engine
        self._region = default_region
        self._lookup = lookup or LookupService(engine, default_region)
        self._after_insert = after_insert

    def create(
        self,
        *,
        phone: str,
        name: str | None,
        address: str | None,
        region: str | None,
        notes: str | None,
        operator_login: str | None,
    ) -> CustomerCard:
        """Store a customer known by `phone` (the rest optional) and return its card.

        Raises:
            ValidationError: ``fields`` names every field that is wrong, in form order
                (`CUSTOMER_FIELDS`): a phone that is not one, text longer than its column.
            DatabaseUnavailable: the database cannot be reached; nothing was stored.
            CustomerStoredNotShown: stored, but the card could not be read back.
            ContractNumberContention: no contract number could be given; nothing was stored.
        """
        values = {
            "name": _clean(name),
            "address": _clean(address),
            "region": _clean(region),
            "notes": _clean(notes),
        }
        bad = [field for field, limit in MAX_LENGTHS.items() if len(values[field] or "") > limit]
        try:
            e164 = normalize_phone(phone, self._region)
        except InvalidPhoneNumber:
            bad.append("phone")
            e164 = ""
        if bad:
            fields = tuple(f for f in CUSTOMER_FIELDS if f in bad)
            raise ValidationError(f"The new customer's {', '.join(fields)} cannot be stored.", fields)
        customer_name = values["name"] or format_phone(e164)

        customer_id, contract = self._insert(e164, customer_name, values)
        if self._after_insert is not None:
            try:
                self._after_insert(customer_id)
            except DatabaseUnavailable as exc:
                raise CustomerStoredNotShown(
                    f"The customer was stored as {contract} but cannot be shown right now ({exc})", contract
                ) from exc
        log.info("customer %s created by %s", contract, operator_login or "an unknown operator")
        return self._card(contract)

    def _insert(self, e164: str, name: str, values: dict[str, str | None]) -> tuple[int, str]:
        """Insert the customer and its phone in one transaction; its id and contract number."""
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                with session_scope(self._engine) as s:
                    customer = Customer(
                        contract_number=_provisional_contract(),
                        name=name,
                        address=values["address"],
                        region=values["region"],
                        notes=values["notes"],
                        phones=[CustomerPhone(e164=e164)],
                    )
                    s.add(customer)
                    s.flush()
                    customer.contract_number = _free_contract_number(s, customer.id)
                    s.flush()
                    return customer.id, customer.contract_number
            except IntegrityError as exc:
                if "contract_number" not in str(exc.orig):
                    raise
                log.debug("contract number taken by a concurrent desk (attempt %d), retrying", attempt)
        raise ContractNumberContention(
            f"No contract number could be given after {MAX_ATTEMPTS} attempts; try again."
        )

    def _card(self, contract: str) -> CustomerCard:
        try:
            result = self._lookup.lookup(contract)
        except DatabaseUnavailable as exc:
            raise CustomerStoredNotShown(
                f"The customer was stored as {contract} but cannot be shown right now ({exc})", contract
            ) from exc
        return next(card for card in result.customers if card.contract_number == contract)


def _free_contract_number(s: Session, customer_id: int) -> str:
    """``CN-`` + the id, or the next number no committed customer holds."""
    start = customer_id
    for _ in range(_MAX_SKIPPED_QUERIES):
        candidates = [format_contract_number(n) for n in range(start, start + _CANDIDATES_PER_QUERY)]
        taken = set(
            s.scalars(select(Customer.contract_number).where(Customer.contract_number.in_(candidates)))
        )
        free = next((c for c in candidates if c not in taken), None)
        if free is not None:
            if start != customer_id or free != candidates[0]:
                log.info("contract number of customer %d is taken; using %s", customer_id, free)
            return free
        start += _CANDIDATES_PER_QUERY
    raise ContractNumberContention(f"No free contract number above {format_contract_number(customer_id)}.")
