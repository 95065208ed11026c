"""The words to say, following the call: greeting, hold, resume, transfer, closing.

* `next_phase(current, event)` is the phase machine: the call's events move the script panel.
* `render(phase, context, templates, now)` fills a template for the desk's line and language.
  Placeholders are ``{name}`` with a fixed set of names (`PLACEHOLDERS`); substitution is one pass
  of plain text replacement -- no attribute access, no indexing, no format specs -- so a caller's
  name such as ``{company.__class__}`` or ``{ticket_number}`` is shown literally.  A value that is
  not known yet (no customer identified) becomes a visible ``[name]`` marker, never an error.
* `ScriptLibrary` holds the templates per line and language: a line's own texts override the
  default set, a missing language falls back to English.  Shipped defaults are
  ``resources/scripts/<language>.toml``; the central database keeps the editable copy.
* `HoldPromise` is the "it will take about N minutes" the operator promised, with its countdown.
"""

from __future__ import annotations

import enum
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

DEFAULT_LANGUAGE = "en"


class ScriptPhase(enum.StrEnum):
    IDLE = "idle"  # no call: the panel is empty
    GREETING = "greeting"
    HOLD = "hold"
    RESUME = "resume"
    TRANSFER = "transfer"
    CLOSING = "closing"


class CallEvent(enum.StrEnum):
    ANSWERED = "answered"
    HELD = "held"
    RESUMED = "resumed"
    TRANSFER_STARTED = "transfer_started"
    CLOSING_STARTED = "closing_started"  # the operator moves on to the goodbye
    ENDED = "ended"


_P, _E = ScriptPhase, CallEvent
_TALKING = (_P.GREETING, _P.RESUME, _P.TRANSFER, _P.CLOSING)

PHASE_TABLE: dict[tuple[ScriptPhase, CallEvent], ScriptPhase] = {
    (_P.IDLE, _E.ANSWERED): _P.GREETING,
    **{(p, _E.HELD): _P.HOLD for p in (*_TALKING, _P.HOLD)},
    (_P.HOLD, _E.RESUMED): _P.RESUME,
    (_P.TRANSFER, _E.RESUMED): _P.RESUME,  # the transfer was cancelled: back to the caller
    **{(p, _E.TRANSFER_STARTED): _P.TRANSFER for p in (*_TALKING, _P.HOLD)},
    **{(p, _E.CLOSING_STARTED): _P.CLOSING for p in (_P.GREETING, _P.RESUME, _P.CLOSING)},
    **{(p, _E.ENDED): _P.IDLE for p in ScriptPhase},
}
"""Allowed ``(phase, event) -> phase`` moves.  Repeats that change nothing (held twice) are
listed, so a duplicated engine event is harmless; anything else is a bug and raises."""


class UnexpectedCallEvent(ValueError):
    def __init__(self, phase: ScriptPhase, event: CallEvent) -> None:
        super().__init__(f"Call event {event} does not fit the script phase {phase}.")
        self.phase = phase
        self.event = event


def next_phase(current: ScriptPhase, event: CallEvent) -> ScriptPhase:
    """The phase after `event`; raises `UnexpectedCallEvent` for a move `PHASE_TABLE` lacks."""
    try:
        return PHASE_TABLE[(current, event)]
    except KeyError:
        raise UnexpectedCallEvent(current, event) from None


# --- templates ------------------------------------------------------------------------------------


class TemplateKey(enum.StrEnum):
    GREETING_MORNING = "greeting_morning"
    GREETING_AFTERNOON = "greeting_afternoon"
    GREETING_EVENING = "greeting_evening"
    GREETING_NIGHT = "greeting_night"
    HOLD = "hold"
    RESUME = "resume"
    TRANSFER = "transfer"
    CLOSING = "closing"


PLACEHOLDERS = (
    "company",
    "line",
    "operator_name",
    "position",
    "customer_name",
    "contract_number",
    "ticket_number",
    "minutes",
    "transfer_to",
)

_PLACEHOLDER_RE = re.compile(r"\{([a-z_]+)\}")
# A placeholder with the comma that joins it to the words before it (", {position}").
_PLACEHOLDER_WITH_COMMA_RE = re.compile(r"(?P<comma>,[ \t]*)?\{(?P<name>[a-z_]+)\}")


def greeting_key(hour: int) -> TemplateKey:
    """Morning 05-12, afternoon 12-17, evening 17-23, night otherwise (start hour included)."""
    if 5 <= hour < 12:
        return TemplateKey.GREETING_MORNING
    if 12 <= hour < 17:
        return TemplateKey.GREETING_AFTERNOON
    if 17 <= hour < 23:
        return TemplateKey.GREETING_EVENING
    return TemplateKey.GREETING_NIGHT


_PHASE_KEYS: dict[ScriptPhase, TemplateKey] = {
    ScriptPhase.HOLD: TemplateKey.HOLD,
    ScriptPhase.RESUME: TemplateKey.RESUME,
    ScriptPhase.TRANSFER: TemplateKey.TRANSFER,
    ScriptPhase.CLOSING: TemplateKey.CLOSING,
}


def template_key(phase: ScriptPhase, now: datetime) -> TemplateKey | None:
    """Which template a phase shows at `now` (the desk's local time); None for IDLE."""
    if phase is ScriptPhase.GREETING:
        return greeting_key(now.hour)
    return _PHASE_KEYS.get(phase)


@dataclass(frozen=True, slots=True)
class ScriptContext:
    """The values a script may mention.

    None (or blank) means "not known yet" and shows as ``[name]``, so the operator sees a gap to
    fill by voice.  A name in `omitted` is known to have no value (an operator without a
    position): the placeholder is left out, together with the comma before it.
    """

    company: str | None = None
    line: str | None = None
    operator_name: str | None = None
    position: str | None = None
    customer_name: str | None = None
    contract_number: str | None = None
    ticket_number: str | None = None
    minutes: int | None = None
    transfer_to: str | None = None
    omitted: frozenset[str] = frozenset()

    def values(self) -> dict[str, str | None]:
        """Each placeholder's text: None when not known yet, "" when known to be empty."""
        return {name: "" if name in self.omitted else _text(getattr(self, name)) for name in PLACEHOLDERS}


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value)
    return text if text.strip() else None


def substitute(template: str, values: Mapping[str, str | None]) -> str:
    """Replace each ``{name}`` with its value in one pass; unknown or missing ones become ``[name]``,
    empty ones (``""``, see `ScriptContext.omitted`) are left out with the comma before them
    ("my name is Ann, {position}." -> "my name is Ann.").

    Values are inserted as they are: nothing inside a value is ever interpreted.
    """

    def replace(match: re.Match[str]) -> str:
        comma, name = match.group("comma") or "", match.group("name")
        value = values.get(name)
        if value is None:
            return f"{comma}[{name}]"
        return f"{comma}{value}" if value else ""

    return _PLACEHOLDER_WITH_COMMA_RE.sub(replace, template)


@dataclass(frozen=True, slots=True)
class ScriptTemplates:
    """The texts for one line in one language (``key -> template``)."""

    language: str
    texts: Mapping[str, str]


def render(phase: ScriptPhase, context: ScriptContext, templates: ScriptTemplates, now: datetime) -> str:
    """The words for `phase` at `now` (local time picks the greeting); "" for IDLE or no template."""
    key = template_key(phase, now)
    if key is None:
        return ""
    template = templates.texts.get(key.value)
    if template is None:
        return ""
    return substitute(template, context.values())


class ScriptsError(ValueError):
    """A scripts file does not follow the format."""


@dataclass(frozen=True, slots=True)
class ScriptLibrary:
    """All templates: ``defaults[language]`` and ``per_line[(line name, language)]`` overrides."""

    defaults: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    per_line: Mapping[tuple[str, str], Mapping[str, str]] = field(default_factory=dict)

    def languages(self) -> tuple[str, ...]:
        return tuple(sorted(self.defaults))

    def for_line(self, line: str | None, language: str) -> ScriptTemplates:
        """Templates for `line` in `language`: the line's own texts over the language's defaults;
        a language with no defaults at all falls back to English."""
        if language not in self.defaults and not any(lang == language for _, lang in self.per_line):
            language = DEFAULT_LANGUAGE
        texts = dict(self.defaults.get(language, {}))
        if line is not None:
            texts.update(self.per_line.get((line, language), {}))
        return ScriptTemplates(language, texts)


def _check_texts(table: Any, where: str) -> dict[str, str]:
    if not isinstance(table, dict):
        raise ScriptsError(f"{where}: expected a table of texts.")
    known = {k.value for k in TemplateKey}
    texts: dict[str, str] = {}
    for key, text in table.items():
        if key not in known:
            raise ScriptsError(f"{where}: unknown script {key!r}; known: {sorted(known)}.")
        if not isinstance(text, str):
            raise ScriptsError(f"{where}.{key}: must be a string.")
        unknown = set(_PLACEHOLDER_RE.findall(text)) - set(PLACEHOLDERS)
        if unknown:
            raise ScriptsError(f"{where}.{key}: unknown placeholder(s) {sorted(unknown)}.")
        texts[key] = text
    return texts


def parse_scripts(data: Mapping[str, Any], where: str = "scripts") -> ScriptLibrary:
    """A library from one parsed TOML document::

    language = "en"
    [default]
    greeting_morning = "Good morning, {company}, ..."
    [line."Billing"]            # optional overrides for the line named "Billing"
    closing = "..."
    """
    language = data.get("language")
    if not isinstance(language, str) or not language:
        raise ScriptsError(f"{where}: 'language' must be set, e.g. language = \"en\".")
    defaults = {language: _check_texts(data.get("default", {}), f"{where}: default")}
    lines = data.get("line", {})
    if not isinstance(lines, dict):
        raise ScriptsError(f"{where}: 'line' must be a table of line names.")
    per_line = {(name, language): _check_texts(t, f"{where}: line.{name}") for name, t in lines.items()}
    return ScriptLibrary(defaults, per_line)


def merge_libraries(libraries: Iterable[ScriptLibrary]) -> ScriptLibrary:
    defaults: dict[str, Mapping[str, str]] = {}
    per_line: dict[tuple[str, str], Mapping[str, str]] = {}
    for library in libraries:
        defaults.update(library.defaults)
        per_line.update(library.per_line)
    return ScriptLibrary(defaults, per_line)


def load_scripts_dir(directory: Path) -> ScriptLibrary:
    """Every ``*.toml`` in `directory` (one language each), merged."""
    libraries = []
    for path in sorted(directory.glob("*.toml")):
        with path.open("rb") as fh:
            try:
                libraries.append(parse_scripts(tomllib.load(fh), where=str(path)))
            except tomllib.TOMLDecodeError as exc:
                raise ScriptsError(f"{path}: {exc}") from exc
    return merge_libraries(libraries)


# --- the hold promise -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HoldPromise:
    """The promise "it will take about `minutes` minutes", made at `started_at`."""

    started_at: datetime
    minutes: int

    def __post_init__(self) -> None:
        if self.minutes < 1:
            raise ValueError("Promise at least one minute.")

    @property
    def due_at(self) -> datetime:
        return self.started_at + timedelta(minutes=self.minutes)

    def remaining(self, now: datetime) -> timedelta:
        """Time left until the promise is due; zero once it is overdue."""
        return max(timedelta(0), self.due_at - now)

    def overdue(self, now: datetime) -> bool:
        return now >= self.due_at

    def overdue_by(self, now: datetime) -> timedelta:
        return max(timedelta(0), now - self.due_at)
