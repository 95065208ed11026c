"""Disposition lists: the shipped file, one list per line with the default as fallback, labels
per language, and clear errors for a file that does not follow the format."""

from __future__ import annotations

import tomllib

import pytest

from app.resources import resources_dir
from app.tickets.dispositions import (
    NOT_CHOSEN,
    DispositionsError,
    load_dispositions_file,
    parse_dispositions,
)

SHIPPED = resources_dir() / "dispositions" / "default_dispositions.toml"


def _parse(text: str):  # type: ignore[no-untyped-def]
    return parse_dispositions(tomllib.loads(text), where="test.toml")


def test_the_shipped_lists_load_with_english_and_russian_labels() -> None:
    lists = load_dispositions_file(SHIPPED)
    assert lists.default and "Billing" in lists.per_line
    for item in (*lists.default, *lists.per_line["Billing"]):
        assert set(item.labels) == {"en", "ru"}, item.code
    assert lists.default[0].code == "resolved"
    assert lists.default[0].label("ru") == "Решено во время звонка"


def test_a_line_with_its_own_list_gets_only_that_list_and_others_the_default() -> None:
    lists = _parse(
        """
        [[disposition]]
        code = "resolved"
        en = "Resolved"
        [[disposition]]
        code = "refund"
        line = "Billing"
        en = "Refund"
        ru = "Возврат"
        """
    )
    assert [d.code for d in lists.for_line("Billing")] == ["refund"]
    assert [d.code for d in lists.for_line("Internet")] == ["resolved"]
    assert [d.code for d in lists.for_line(None)] == ["resolved"]
    # A label falls back to English, then to the code; a code no list has any more is shown as is.
    assert lists.for_line(None)[0].label("de") == "Resolved"
    assert lists.label("refund", "ru", "Billing") == "Возврат"
    assert lists.label("refund", "en") == "Refund"  # found in another list
    assert lists.label("gone_code", "en") == "gone_code"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[disposition]]\ncode = "Bad Code"\nen = "x"', "code must be"),
        ('[[disposition]]\ncode = "ok"', "at least one label"),
        ('[[disposition]]\ncode = "ok"\nen = "  "', "non-empty"),
        (f'[[disposition]]\ncode = "{NOT_CHOSEN}"\nen = "x"', "reserved"),
        ('[[disposition]]\ncode = "a"\nen = "x"\n[[disposition]]\ncode = "a"\nen = "y"', "twice"),
        ('[[disposition]]\ncode = "a"\nline = ""\nen = "x"', "line must be"),
        ('disposition = "nope"', "use [[disposition]]"),
    ],
)
def test_a_file_that_does_not_follow_the_format_says_where_and_what(text: str, message: str) -> None:
    with pytest.raises(DispositionsError, match=r"test\.toml") as caught:
        _parse(text)
    assert message in str(caught.value)
