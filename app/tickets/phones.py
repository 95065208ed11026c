"""Phone numbers as the desk meets them: typed by hand, read from caller ID, printed on a contract.

Every number the database stores or compares is E.164 (``+79123456789``), because the same line
arrives as ``+7 912 345-67-89`` from the trunk, ``8 (912) 345 67 89`` from an operator and
``79123456789`` from a spreadsheet.  National formats are read against the site's default region.

Short all-digit strings (2-6 digits, no ``+``) are internal extensions of the PBX, not phone
numbers: they are kept as digits and never given a country code, or ``1234`` would become
``+71234``.

A number is accepted when `phonenumbers` finds it *possible* (right length for its country), not
only when it is *valid* for the current numbering plan: a caller ID from a newly opened range must
still find its customer.

Many carriers send international caller IDs without their ``+`` (``442071838750`` for a London
number).  Read against the site's region those digits are a national number -- or nothing at all.
As libraries and PBX integrations do, `phone_readings` keeps the national reading first and adds
the international one (``+`` and the digits) when that is a *valid* number: the lookup tries them
in that order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

import phonenumbers

EXTENSION_RE = re.compile(r"^\d{2,6}$")
_SEPARATORS_RE = re.compile(r"[\s\-().]")
_URI_RE = re.compile(r"^(?:sips?|tel):(?P<user>[^@;>]+)", re.IGNORECASE)


class InvalidPhoneNumber(ValueError):
    """The text is neither a phone number nor an internal extension."""


class NumberKind(StrEnum):
    PHONE = "phone"
    EXTENSION = "extension"


@dataclass(frozen=True, slots=True)
class DialTarget:
    """A number understood: `value` is E.164 for a phone, bare digits for an extension."""

    kind: NumberKind
    value: str


def _strip_uri(text: str) -> str:
    """Caller IDs may come as ``sip:+7912...@host`` or ``tel:+7912...``: keep the user part."""
    text = text.strip().strip("<>")
    match = _URI_RE.match(text)
    return match.group("user") if match else text


def extension_digits(text: str) -> str | None:
    """The extension in `text` (``"12-34"`` -> ``"1234"``), or None when it is not one."""
    compact = _SEPARATORS_RE.sub("", _strip_uri(text))
    return compact if EXTENSION_RE.match(compact) else None


def parse_number(text: str, default_region: str) -> DialTarget:
    """Understand `text` as an internal extension or a phone number in any common formatting.

    Raises:
        InvalidPhoneNumber: for empty text, letters, too few or too many digits.
    """
    raw = _strip_uri(text)
    if not raw:
        raise InvalidPhoneNumber("No phone number given.")
    extension = extension_digits(raw)
    if extension is not None:
        return DialTarget(NumberKind.EXTENSION, extension)
    if not re.fullmatch(r"\+?[\d\s\-().]+", raw):
        raise InvalidPhoneNumber(
            f"{text!r} is not a phone number: only digits, spaces and + - ( ) . are allowed."
        )
    try:
        parsed = phonenumbers.parse(raw, default_region.upper())
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhoneNumber(f"{text!r} is not a phone number ({exc}).") from exc
    if not phonenumbers.is_possible_number(parsed):
        raise InvalidPhoneNumber(f"{text!r} has the wrong number of digits for a phone number.")
    return DialTarget(
        NumberKind.PHONE, phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    )


def international_reading(text: str) -> str | None:
    """`text` read as an international number written without its ``+``: its E.164 form when
    `phonenumbers` finds that a valid number, else None (also for text with a ``+`` already)."""
    digits = _SEPARATORS_RE.sub("", _strip_uri(text))
    if not digits.isdigit() or EXTENSION_RE.match(digits):
        return None
    try:
        parsed = phonenumbers.parse("+" + digits, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def phone_readings(text: str, default_region: str) -> tuple[DialTarget, ...]:
    """What `text` may be, most likely first: the national reading (`parse_number`), then the
    international reading without ``+`` (`international_reading`) when it is another number.

    Raises:
        InvalidPhoneNumber: when there is no reading at all.
    """
    international = international_reading(text)
    try:
        national = parse_number(text, default_region)
    except InvalidPhoneNumber:
        if international is None:
            raise
        return (DialTarget(NumberKind.PHONE, international),)
    if national.kind is NumberKind.EXTENSION or international in (None, national.value):
        return (national,)
    return (national, DialTarget(NumberKind.PHONE, international))


def normalize_phone(text: str, default_region: str) -> str:
    """The E.164 form of a phone number; an extension or garbage raises `InvalidPhoneNumber`."""
    target = parse_number(text, default_region)
    if target.kind is NumberKind.EXTENSION:
        raise InvalidPhoneNumber(f"{text!r} is an internal extension, not a phone number.")
    return target.value


def format_phone(value: str) -> str:
    """Human form for the screen: ``+79123456789`` -> ``+7 912 345-67-89``; extensions unchanged.

    Anything that does not parse is shown as given: display must never fail.
    """
    if not value.startswith("+"):
        return value
    try:
        parsed = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return value
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def example_number(region: str) -> str | None:
    """A number of `region` in E.164 (``RU`` -> ``+73011234567``); None for an unknown region."""
    example = phonenumbers.example_number(region.upper())
    if example is None:
        return None
    return phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)


def load_phone_metadata() -> None:
    """Load every region's numbering metadata now, and keep its patterns compiled from now on.

    `phonenumbers` loads a region's metadata the first time one of its numbers is read or
    formatted -- on whichever thread that is, the GUI thread too (the pop formats the caller's
    number) -- and compiles its patterns again once `re`'s own bounded cache has dropped them.
    Both are the library's documented remedies for "no pause later"; loading costs about 80 ms of
    CPU and 1.5 MiB, once, on a background thread at start-up (`app.warm_up`).
    """
    keep_patterns = getattr(phonenumbers, "enable_pattern_cache", None)  # phonenumbers >= 9.0
    if keep_patterns is not None:
        keep_patterns()
    phonenumbers.PhoneMetadata.load_all()
