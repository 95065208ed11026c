"""Dispositions: what came of a call, picked by the operator at wrap-up from a list per line.

A disposition is a stable *code* (stored on the call, ``calls.disposition``; what reports count)
with a label per language (what the operator reads; shift leads may reword it without touching
old calls).  Each support line may have a list of its own; a line without one uses the default
list.  A line's own list *replaces* the default (it is the whole menu for that line, in order),
so a line can leave out what does not apply to it.

The shipped defaults are ``resources/dispositions/default_dispositions.toml``; the central
database keeps the editable copy (table ``dispositions``, `app.storage.seed`).

When wrap-up ends and the operator chose nothing, the call gets `NOT_CHOSEN`, so a report tells
"skipped" apart from calls that never had a wrap-up (missed, refused: their outcome says it all).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_LANGUAGE = "en"
NOT_CHOSEN = "not_chosen"  # stored when wrap-up ended without a choice; never offered in a list
CODE_WIDTH = 40
_CODE = re.compile(r"^[a-z0-9_]+$")


class DispositionsError(ValueError):
    """A dispositions file or a stored disposition does not follow the format."""


@dataclass(frozen=True, slots=True)
class Disposition:
    code: str
    labels: Mapping[str, str]  # language -> label

    def label(self, language: str) -> str:
        """The label in `language`, else English, else the code itself."""
        return self.labels.get(language) or self.labels.get(DEFAULT_LANGUAGE) or self.code


@dataclass(frozen=True, slots=True)
class DispositionLists:
    """The default list and the lists of the lines that have their own, each in menu order."""

    default: tuple[Disposition, ...] = ()
    per_line: Mapping[str, tuple[Disposition, ...]] = field(default_factory=dict)

    def for_line(self, line: str | None) -> tuple[Disposition, ...]:
        if line is not None and line in self.per_line:
            return self.per_line[line]
        return self.default

    def label(self, code: str, language: str, line: str | None = None) -> str:
        """The label of a stored code (the code itself when no list has it any more)."""
        for item in (*self.for_line(line), *self.default, *(d for ds in self.per_line.values() for d in ds)):
            if item.code == code:
                return item.label(language)
        return code


def check_code(code: object, where: str) -> str:
    if not isinstance(code, str) or not _CODE.match(code) or len(code) > CODE_WIDTH:
        raise DispositionsError(
            f"{where}: code must be 1-{CODE_WIDTH} lower-case letters, digits or '_', not {code!r}"
        )
    if code == NOT_CHOSEN:
        raise DispositionsError(f"{where}: {NOT_CHOSEN!r} is reserved for wrap-ups without a choice")
    return code


def disposition_from_values(code: object, labels: object, where: str) -> Disposition:
    checked = check_code(code, where)
    if not isinstance(labels, Mapping) or not labels:
        raise DispositionsError(f'{where}: give at least one label, e.g. en = "..."')
    clean: dict[str, str] = {}
    for language, text in labels.items():
        if not isinstance(language, str) or not isinstance(text, str) or not text.strip():
            raise DispositionsError(f"{where}: the label {language!r} must be a non-empty text")
        clean[language] = text.strip()
    return Disposition(checked, clean)


def build_lists(
    rows: Iterable[tuple[str | None, Disposition]], where: str = "dispositions"
) -> DispositionLists:
    """Lists from ``(line or None, disposition)`` in menu order; a code twice in one list is an
    error (the second would never be told apart in reports)."""
    default: list[Disposition] = []
    per_line: dict[str, list[Disposition]] = {}
    for line, item in rows:
        target = default if line is None else per_line.setdefault(line, [])
        if any(d.code == item.code for d in target):
            of = line or "every line"
            raise DispositionsError(f"{where}: disposition {item.code!r} appears twice in the list of {of}")
        target.append(item)
    return DispositionLists(tuple(default), {k: tuple(v) for k, v in per_line.items()})


def parse_dispositions(data: Mapping[str, Any], where: str = "dispositions") -> DispositionLists:
    """Lists from a parsed TOML document::

    [[disposition]]
    code = "resolved"             # stored on the call: a-z, 0-9, _
    line = "Billing"              # optional: only this line's list (else the default list)
    en = "Resolved on the call"   # a label per language code
    ru = "Решено во время звонка"
    """
    items = data.get("disposition", [])
    if not isinstance(items, list):
        raise DispositionsError(f"{where}: use [[disposition]] tables")
    rows: list[tuple[str | None, Disposition]] = []
    for n, raw in enumerate(items, start=1):
        at = f"{where}, disposition {n}"
        if not isinstance(raw, Mapping):
            raise DispositionsError(f"{at}: not a table")
        line = raw.get("line")
        if line is not None and (not isinstance(line, str) or not line.strip()):
            raise DispositionsError(f"{at}: line must be a line's name")
        labels = {k: v for k, v in raw.items() if k not in ("code", "line")}
        rows.append((line.strip() if line else None, disposition_from_values(raw.get("code"), labels, at)))
    return build_lists(rows, where)


def load_dispositions_file(path: Path) -> DispositionLists:
    with path.open("rb") as fh:
        try:
            return parse_dispositions(tomllib.load(fh), where=str(path))
        except tomllib.TOMLDecodeError as exc:
            raise DispositionsError(f"{path}: {exc}") from exc
