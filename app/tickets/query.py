"""What the operator typed into the search box (or what caller ID gave us), and what it means.

One box takes everything, so the kinds must not overlap:

* **contract number** -- ``CN-`` followed by 1 to 10 digits, canonically ``CN-`` + at least 7
  digits (``CN-0012345``).  The letters are required: bare digits are phones or extensions.
  Spaces, ``-``, ``#`` or ``№`` may sit between the prefix and the digits, the prefix may be typed
  in either case and with a Cyrillic ``С`` or ``Н`` (same keys on a Russian layout), and leading
  zeros may be dropped: ``cn 12345`` finds ``CN-0012345``.
* **extension** -- 2 to 6 digits (see `app.tickets.phones`).
* **phone** -- anything else made of digits and phone punctuation, normalised to E.164; digits
  without ``+`` that are also a valid international number carry that reading as an alternative
  (`app.tickets.phones.phone_readings`: ``442071838750`` from a carrier is a London number).
* **name** -- any other text: trimmed, inner whitespace collapsed, matched case-insensitively as
  substrings of the customer's name (every word must occur).  Matching uses `fold_name`, which
  casefolds and maps ``ё`` to ``е`` (Russian spelling uses both for the same name).
* **empty** -- nothing but whitespace.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.tickets.enums import QueryKind
from app.tickets.phones import NumberKind, phone_readings

CONTRACT_PREFIX = "CN-"
CONTRACT_DIGITS = 7
_CONTRACT_RE = re.compile(r"^[CС][NН][\s\-#№]*(\d{1,10})$", re.IGNORECASE)
_PHONEISH_RE = re.compile(r"^[+\d\s\-().]+$")
_URI_RE = re.compile(r"^<?(?:sips?|tel):", re.IGNORECASE)


class InvalidQuery(ValueError):
    """Digits that are neither an extension nor a possible phone number."""


@dataclass(frozen=True, slots=True)
class Query:
    kind: QueryKind
    value: str  # E.164 / extension digits / canonical contract number / folded name / ""
    alternatives: tuple[str, ...] = ()  # other E.164 readings of a phone query, to try in order

    def readings(self) -> tuple[Query, ...]:
        """This query, then one per alternative reading (the order a lookup tries them in)."""
        return (self, *(Query(self.kind, value) for value in self.alternatives))


def format_contract_number(number: int) -> str:
    """``12345`` -> ``CN-0012345``: the one spelling stored in the database."""
    if number < 0:
        raise ValueError("Contract numbers are not negative.")
    return f"{CONTRACT_PREFIX}{number:0{CONTRACT_DIGITS}d}"


def parse_contract_number(text: str) -> str | None:
    """The canonical contract number in `text`, or None when `text` is not one."""
    match = _CONTRACT_RE.match(text.strip())
    return format_contract_number(int(match.group(1))) if match else None


def fold_name(text: str) -> str:
    """The form names are compared in: casefolded, ``ё`` -> ``е``, whitespace collapsed.

    Done in Python rather than with SQL ``lower()`` because SQLite's ``lower()`` only knows ASCII.
    """
    return " ".join(text.casefold().replace("ё", "е").split())


def classify(text: str, default_region: str) -> Query:
    """Decide what a lookup query is and return it normalised.

    Raises:
        InvalidQuery: for digits that cannot be a phone number or an extension.
    """
    stripped = text.strip()
    if not stripped:
        return Query(QueryKind.EMPTY, "")
    contract = parse_contract_number(stripped)
    if contract is not None:
        return Query(QueryKind.CONTRACT, contract)
    if _PHONEISH_RE.match(stripped) or _URI_RE.match(stripped):
        try:
            first, *others = phone_readings(stripped, default_region)
        except ValueError as exc:
            raise InvalidQuery(str(exc)) from exc
        kind = QueryKind.EXTENSION if first.kind is NumberKind.EXTENSION else QueryKind.PHONE
        return Query(kind, first.value, tuple(other.value for other in others))
    return Query(QueryKind.NAME, fold_name(stripped))
