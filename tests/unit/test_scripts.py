"""Call scripts: the phase machine, rendering by time of day in both languages, hold promises."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.resources import resources_dir
from app.tickets.scripts import (
    PHASE_TABLE,
    CallEvent,
    HoldPromise,
    ScriptContext,
    ScriptPhase,
    ScriptsError,
    TemplateKey,
    UnexpectedCallEvent,
    greeting_key,
    load_scripts_dir,
    next_phase,
    parse_scripts,
    render,
    substitute,
)

LIBRARY = load_scripts_dir(resources_dir() / "scripts")
EN = LIBRARY.for_line("Home internet & TV", "en")
RU = LIBRARY.for_line("Home internet & TV", "ru")
CTX = ScriptContext(
    company="Acme Telecom",
    line="Home internet",
    operator_name="Anna",
    position="support engineer",
    ticket_number="T-0012-3459",
    minutes=3,
)
P, E = ScriptPhase, CallEvent


def _at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 22, hour, minute)


@pytest.mark.parametrize(
    ("hour", "minute", "key"),
    [
        (4, 59, TemplateKey.GREETING_NIGHT),
        (5, 0, TemplateKey.GREETING_MORNING),
        (11, 59, TemplateKey.GREETING_MORNING),
        (12, 0, TemplateKey.GREETING_AFTERNOON),
        (16, 59, TemplateKey.GREETING_AFTERNOON),
        (17, 0, TemplateKey.GREETING_EVENING),
        (22, 59, TemplateKey.GREETING_EVENING),
        (23, 0, TemplateKey.GREETING_NIGHT),
        (0, 0, TemplateKey.GREETING_NIGHT),
    ],
)
def test_greeting_by_time_of_day_boundaries(hour: int, minute: int, key: TemplateKey) -> None:
    assert greeting_key(_at(hour, minute).hour) is key


def test_english_greeting_is_filled_in() -> None:
    assert render(P.GREETING, CTX, EN, _at(9)) == (
        "Good morning, Acme Telecom, Home internet, my name is Anna, support engineer. "
        "Please tell me your contract number."
    )
    assert render(P.GREETING, CTX, EN, _at(23, 30)).startswith("Good night, Acme Telecom")


def test_russian_scripts_follow_the_same_phases() -> None:
    assert render(P.GREETING, CTX, RU, _at(13)).startswith("Добрый день, Acme Telecom, Home internet")
    assert render(P.HOLD, CTX, RU, _at(13)) == "Пожалуйста, оставайтесь на линии, это займёт около 3 мин."
    assert render(P.RESUME, CTX, RU, _at(13)) == "Спасибо за ожидание."
    assert "T-0012-3459" in render(P.CLOSING, CTX, RU, _at(13))


def test_hold_resume_closing_in_english() -> None:
    assert render(P.HOLD, CTX, EN, _at(10)) == "Please stay on the line, it will take about 3 minutes."
    assert render(P.RESUME, CTX, EN, _at(10)) == "Thank you for waiting."
    assert render(P.CLOSING, CTX, EN, _at(10)) == (
        "Is there anything else I can help you with?\n"
        "Thank you for calling, your ticket number is T-0012-3459."
    )
    assert render(P.IDLE, CTX, EN, _at(10)) == ""


def test_a_line_overrides_the_defaults_and_other_lines_use_them() -> None:
    billing = LIBRARY.for_line("Billing", "en")
    assert "billing" in render(P.CLOSING, CTX, billing, _at(10))
    assert render(P.RESUME, CTX, billing, _at(10)) == "Thank you for waiting."
    assert LIBRARY.for_line(None, "en").texts == EN.texts


def test_an_unknown_language_falls_back_to_english() -> None:
    assert LIBRARY.for_line("Billing", "de").language == "en"


def test_missing_values_show_as_visible_placeholders() -> None:
    text = render(P.CLOSING, ScriptContext(), EN, _at(10))
    assert text.endswith("your ticket number is [ticket_number].")
    greeting = render(P.GREETING, ScriptContext(company="Acme", operator_name="  "), EN, _at(10))
    assert "my name is [operator_name], [position]" in greeting


def test_a_value_known_to_be_absent_is_left_out_with_its_comma() -> None:
    context = ScriptContext(company="Acme", line="TV", operator_name="Anna", omitted=frozenset({"position"}))
    assert "my name is Anna. Please tell me" in render(P.GREETING, context, EN, _at(10))
    assert "меня зовут Anna. Назовите" in render(P.GREETING, context, RU, _at(10))
    # Only what is named: a value not known yet still shows as a gap to fill by voice.
    assert "[line]" in render(P.GREETING, dataclasses.replace(context, line=None), EN, _at(10))
    assert substitute("{company}, {position}", {"company": "Acme", "position": ""}) == "Acme"
    assert substitute("{position} and {company}", {"company": "Acme", "position": ""}) == " and Acme"


@pytest.mark.parametrize(
    "hostile",
    [
        "{company}",
        "{operator_name.__class__.__mro__}",
        "{0}",
        "%s %(x)s",
        "$company",
        "<b>bold</b>",
        "{ticket_number!r:>10}",
        "\u202eevil",
    ],
)
def test_hostile_values_stay_literal(hostile: str) -> None:
    ctx = ScriptContext(company="Acme", operator_name=hostile, ticket_number="T-1")
    assert f"my name is {hostile}," in render(P.GREETING, ctx, EN, _at(10))


@given(st.text(), st.text())
def test_substitution_never_fails_and_inserts_values_verbatim(name: str, template_tail: str) -> None:
    out = substitute("[{operator_name}]" + template_tail, {"operator_name": name})
    assert out.startswith(f"[{name}]")


def test_template_attribute_access_is_not_a_placeholder() -> None:
    assert substitute("{company.__class__} {company}", {"company": "Acme"}) == "{company.__class__} Acme"


def test_a_scripts_file_with_unknown_keys_or_placeholders_is_refused() -> None:
    with pytest.raises(ScriptsError):
        parse_scripts({"language": "en", "default": {"greting": "x"}})
    with pytest.raises(ScriptsError):
        parse_scripts({"language": "en", "default": {"hold": "{secret}"}})
    with pytest.raises(ScriptsError):
        parse_scripts({"default": {"hold": "x"}})


def test_phases_follow_a_call() -> None:
    phase = P.IDLE
    seen = []
    for event in (E.ANSWERED, E.HELD, E.RESUMED, E.TRANSFER_STARTED, E.RESUMED, E.CLOSING_STARTED, E.ENDED):
        phase = next_phase(phase, event)
        seen.append(phase)
    assert seen == [P.GREETING, P.HOLD, P.RESUME, P.TRANSFER, P.RESUME, P.CLOSING, P.IDLE]


def test_duplicate_events_are_harmless_and_impossible_ones_raise() -> None:
    assert next_phase(P.HOLD, E.HELD) is P.HOLD
    with pytest.raises(UnexpectedCallEvent):
        next_phase(P.IDLE, E.RESUMED)
    with pytest.raises(UnexpectedCallEvent):
        next_phase(P.GREETING, E.ANSWERED)


@given(st.sampled_from(list(P)), st.sampled_from(list(E)))
def test_next_phase_is_the_table(phase: ScriptPhase, event: CallEvent) -> None:
    if (phase, event) in PHASE_TABLE:
        assert next_phase(phase, event) is PHASE_TABLE[(phase, event)]
    else:
        with pytest.raises(UnexpectedCallEvent):
            next_phase(phase, event)
    if event is E.ENDED:
        assert next_phase(phase, event) is P.IDLE


def test_hold_promise_counts_down_and_turns_overdue() -> None:
    start = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
    promise = HoldPromise(start, 2)
    assert promise.remaining(start + timedelta(seconds=30)) == timedelta(seconds=90)
    assert not promise.overdue(start + timedelta(seconds=119))
    assert promise.overdue(start + timedelta(minutes=2))
    assert promise.remaining(start + timedelta(minutes=5)) == timedelta(0)
    assert promise.overdue_by(start + timedelta(minutes=5)) == timedelta(minutes=3)
    with pytest.raises(ValueError):
        HoldPromise(start, 0)
