"""Phone numbers in every formatting the desk meets come out as one E.164 value."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.tickets.phones import (
    DialTarget,
    InvalidPhoneNumber,
    NumberKind,
    extension_digits,
    format_phone,
    normalize_phone,
    parse_number,
    phone_readings,
)

RU_MOBILE = "+79123456789"


@pytest.mark.parametrize(
    ("text", "region", "expected"),
    [
        ("+7 912 345-67-89", "RU", RU_MOBILE),
        ("8 (912) 345 67 89", "RU", RU_MOBILE),
        ("79123456789", "RU", RU_MOBILE),
        ("9123456789", "RU", RU_MOBILE),
        ("+7(912)3456789", "GB", RU_MOBILE),
        ("8-800-555-35-35", "RU", "+78005553535"),
        ("+44 20 7946 0958", "RU", "+442079460958"),
        ("020 7946 0958", "GB", "+442079460958"),
        ("sip:+79123456789@pbx.example.org", "RU", RU_MOBILE),
        ("<tel:8-912-345-67-89>", "RU", RU_MOBILE),
    ],
)
def test_formattings_normalise_to_e164(text: str, region: str, expected: str) -> None:
    assert normalize_phone(text, region) == expected


@pytest.mark.parametrize(
    ("text", "digits"), [("1234", "1234"), ("12", "12"), ("123456", "123456"), ("12-34", "1234")]
)
def test_short_digit_strings_are_extensions(text: str, digits: str) -> None:
    target = parse_number(text, "RU")
    assert target.kind is NumberKind.EXTENSION
    assert target.value == digits
    assert extension_digits(text) == digits


def test_an_extension_is_not_a_phone_number() -> None:
    with pytest.raises(InvalidPhoneNumber, match="extension"):
        normalize_phone("1234", "RU")


@pytest.mark.parametrize(
    "garbage", ["", "   ", "abc", "+7 912", "1", "12345678", "+7 912 345 67 89 00 11 22 33", "9I2345678"]
)
def test_garbage_is_rejected_with_a_value_error(garbage: str) -> None:
    with pytest.raises(InvalidPhoneNumber):
        normalize_phone(garbage, "RU")
    assert issubclass(InvalidPhoneNumber, ValueError)


def test_display_format_is_international() -> None:
    assert format_phone(RU_MOBILE) == "+7 912 345-67-89"
    assert format_phone("+442079460958") == "+44 20 7946 0958"
    assert format_phone("1234") == "1234"  # extensions and oddities are shown as they are
    assert format_phone("+") == "+"


_SEPARATOR = st.sampled_from(["", " ", "-", " - ", ".", "  "])


@st.composite
def ru_mobile_formattings(draw: st.DrawFn) -> tuple[str, str]:
    """A Russian mobile number and one way a person or a trunk might write it."""
    digits = "9" + draw(st.text("0123456789", min_size=9, max_size=9))
    prefix = draw(st.sampled_from(["+7", "8", "7", "", "+7 ", "8 "]))
    code, rest = digits[:3], digits[3:]
    if draw(st.booleans()):
        code = f"({code})"
    groups = [rest[:3], rest[3:5], rest[5:]]
    body = code + draw(_SEPARATOR) + draw(_SEPARATOR).join(groups)
    return "+7" + digits, prefix + draw(_SEPARATOR) + body


@given(ru_mobile_formattings())
def test_every_formatting_of_one_number_gives_the_same_e164(case: tuple[str, str]) -> None:
    expected, written = case
    assert normalize_phone(written, "RU") == expected


@given(st.text(max_size=30))
def test_parse_never_fails_with_anything_but_invalid_phone_number(text: str) -> None:
    try:
        target = parse_number(text, "RU")
    except InvalidPhoneNumber:
        return
    assert target.value.startswith("+") or target.kind is NumberKind.EXTENSION


@pytest.mark.parametrize(
    ("text", "region", "expected"),
    [
        ("442071838750", "RU", ("+442071838750",)),  # a carrier's caller ID without "+"
        ("12125551234", "RU", ("+12125551234",)),
        ("sip:442071838750@trunk.example", "RU", ("+442071838750",)),
        ("442071838750", "DE", ("+49442071838750", "+442071838750")),  # national reading first
        ("33123456789", "DE", ("+4933123456789", "+33123456789")),
        ("79123456789", "RU", ("+79123456789",)),  # both readings are the same number
        ("+442071838750", "RU", ("+442071838750",)),
        ("8 (912) 345-67-89", "RU", ("+79123456789",)),
    ],
)
def test_caller_ids_are_read_nationally_then_internationally(
    text: str, region: str, expected: tuple[str, ...]
) -> None:
    readings = phone_readings(text, region)
    assert tuple(r.value for r in readings) == expected
    assert all(r.kind is NumberKind.PHONE for r in readings)


def test_an_extension_has_no_international_reading() -> None:
    assert phone_readings("1234", "RU") == (DialTarget(NumberKind.EXTENSION, "1234"),)


@pytest.mark.parametrize("text", ["12345678", "999999999999999"])
def test_digits_that_are_no_number_either_way_are_refused(text: str) -> None:
    with pytest.raises(InvalidPhoneNumber):
        phone_readings(text, "RU")
