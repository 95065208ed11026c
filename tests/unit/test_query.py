"""One search box: each kind of query is recognised and normalised, and kinds never overlap."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.tickets.enums import QueryKind
from app.tickets.query import (
    InvalidQuery,
    Query,
    classify,
    fold_name,
    format_contract_number,
    parse_contract_number,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", Query(QueryKind.EMPTY, "")),
        ("   \t", Query(QueryKind.EMPTY, "")),
        ("+7 912 345-67-89", Query(QueryKind.PHONE, "+79123456789")),
        ("8 (912) 345 67 89", Query(QueryKind.PHONE, "+79123456789")),
        ("9123456789", Query(QueryKind.PHONE, "+79123456789")),
        ("1234", Query(QueryKind.EXTENSION, "1234")),
        ("CN-0012345", Query(QueryKind.CONTRACT, "CN-0012345")),
        ("cn 12345", Query(QueryKind.CONTRACT, "CN-0012345")),
        ("CN12345", Query(QueryKind.CONTRACT, "CN-0012345")),
        ("СН-12345", Query(QueryKind.CONTRACT, "CN-0012345")),  # Cyrillic letters, same keys
        ("CN № 7", Query(QueryKind.CONTRACT, "CN-0000007")),
        ("  Иванов   Иван ", Query(QueryKind.NAME, "иванов иван")),
        ("SMITH", Query(QueryKind.NAME, "smith")),
        ("Алёна", Query(QueryKind.NAME, "алена")),
        ("CN-12a", Query(QueryKind.NAME, "cn-12a")),
        ("442071838750", Query(QueryKind.PHONE, "+442071838750")),  # caller ID without "+"
    ],
)
def test_classify(text: str, expected: Query) -> None:
    assert classify(text, "RU") == expected


@pytest.mark.parametrize("text", ["12345678", "+7 912", "+", "()"])
def test_digits_that_are_no_number_are_refused(text: str) -> None:
    with pytest.raises(InvalidQuery):
        classify(text, "RU")


def test_a_caller_id_that_reads_both_ways_keeps_the_national_reading_first() -> None:
    query = classify("442071838750", "DE")
    assert query == Query(QueryKind.PHONE, "+49442071838750", ("+442071838750",))
    assert [q.value for q in query.readings()] == ["+49442071838750", "+442071838750"]


def test_contract_numbers_round_trip() -> None:
    assert format_contract_number(12345) == "CN-0012345"
    assert format_contract_number(123456789) == "CN-123456789"
    assert parse_contract_number("CN-0012345") == "CN-0012345"
    assert parse_contract_number("12345") is None  # bare digits are phones/extensions, never contracts
    with pytest.raises(ValueError, match="negative"):
        format_contract_number(-1)


def test_fold_name_handles_cyrillic_case_and_yo() -> None:
    assert fold_name("ЁЛКИН  Пётр") == "елкин петр"
    assert fold_name("O'Brien") == "o'brien"


@given(st.integers(min_value=0, max_value=10**10 - 1))
def test_a_contract_number_is_never_taken_for_a_phone(n: int) -> None:
    text = format_contract_number(n)
    assert classify(text, "RU") == Query(QueryKind.CONTRACT, text)


@given(st.text(max_size=40))
def test_classify_is_total(text: str) -> None:
    try:
        query = classify(text, "RU")
    except InvalidQuery:
        return
    assert query.kind in QueryKind
    assert query.value == query.value.strip()
