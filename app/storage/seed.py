"""Editable domain data in the central database: required-field rules, call scripts and
disposition lists.

The shipped defaults live under ``resources/rules``, ``resources/scripts`` and
``resources/dispositions``.  `seed_defaults` copies them into the ``field_rules``, ``scripts`` and
``dispositions`` tables once (when those are empty), resolving category paths and line names
against what is in the database; from then on shift leads edit the tables.  The loaders read the
tables and fall back to the shipped files while a table is empty, so a desk enforces the default
rules even before anything was seeded.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sqlalchemy import Connection, Engine, func, select

from app.resources import resources_dir
from app.storage.database import database_errors
from app.storage.schema import Category, DispositionRow, FieldRuleRow, Line, ScriptText, table_of
from app.tickets.dispositions import (
    Disposition,
    DispositionLists,
    DispositionsError,
    build_lists,
    disposition_from_values,
    load_dispositions_file,
)
from app.tickets.drafts import CategoryNode, category_paths
from app.tickets.rules import FieldRule, RequiredFieldRules, RulesError, load_rules_file, rule_from_values
from app.tickets.scripts import ScriptLibrary, load_scripts_dir

log = logging.getLogger(__name__)


def default_rules_path() -> Path:
    return resources_dir() / "rules" / "default_rules.toml"


def default_scripts_dir() -> Path:
    return resources_dir() / "scripts"


def default_dispositions_path() -> Path:
    return resources_dir() / "dispositions" / "default_dispositions.toml"


@cache
def shipped_rules(path: Path | None = None) -> tuple[FieldRule, ...]:
    return load_rules_file(path or default_rules_path())


@cache
def shipped_scripts(directory: Path | None = None) -> ScriptLibrary:
    return load_scripts_dir(directory or default_scripts_dir())


@cache
def shipped_dispositions(path: Path | None = None) -> DispositionLists:
    return load_dispositions_file(path or default_dispositions_path())


@dataclass(frozen=True, slots=True)
class SeedReport:
    rules: int
    scripts: int
    skipped_rules: int
    dispositions: int = 0


def categories(conn: Connection) -> tuple[CategoryNode, ...]:
    rows = conn.execute(select(Category.id, Category.parent_id, Category.name)).all()
    return category_paths([(cid, parent, name) for cid, parent, name in rows])


def load_rules(conn: Connection, tree: tuple[CategoryNode, ...]) -> tuple[FieldRule, ...]:
    """The stored rules (category ids turned into paths); the shipped ones while none are stored.

    A stored rule that does not follow the format is skipped with a warning, not fatal: one bad
    edit by a shift lead must not stop every desk from saving tickets.
    """
    rows = conn.execute(
        select(FieldRuleRow.id, FieldRuleRow.category_id, FieldRuleRow.transitions, FieldRuleRow.fields)
    ).all()
    if not rows:
        return shipped_rules()
    paths = {node.id: node.path for node in tree}
    rules = []
    for rule_id, category_id, transitions, fields in rows:
        category = " / ".join(paths.get(category_id, ())) if category_id is not None else ""
        try:
            rules.append(rule_from_values(transitions, fields, category, where=f"field_rules id {rule_id}"))
        except RulesError:
            log.warning("ignoring a stored field rule that does not follow the format", exc_info=True)
    return tuple(rules)


def required_field_rules(
    conn: Connection, tree: tuple[CategoryNode, ...] | None = None
) -> RequiredFieldRules:
    """The rules in force (`load_rules`) matched to the category tree (read unless given)."""
    tree = categories(conn) if tree is None else tree
    return RequiredFieldRules.build(load_rules(conn, tree), tree)


def load_script_library(conn: Connection) -> ScriptLibrary:
    """The stored scripts; the shipped ones while none are stored."""
    rows = conn.execute(
        select(Line.name, ScriptText.language, ScriptText.key, ScriptText.text).outerjoin(
            Line, ScriptText.line_id == Line.id
        )
    ).all()
    if not rows:
        return shipped_scripts()
    defaults: dict[str, dict[str, str]] = {}
    per_line: dict[tuple[str, str], dict[str, str]] = {}
    for line, language, key, text in rows:
        target = (
            defaults.setdefault(language, {}) if line is None else per_line.setdefault((line, language), {})
        )
        target[key] = text
    return ScriptLibrary(defaults, per_line)


def load_disposition_lists(conn: Connection) -> DispositionLists:
    """The stored disposition lists; the shipped ones while none are stored.

    A stored entry that does not follow the format is skipped with a warning (as for rules): one
    bad edit must not take the picker away from every desk.
    """
    rows = conn.execute(
        select(DispositionRow.id, Line.name, DispositionRow.code, DispositionRow.labels)
        .outerjoin(Line, DispositionRow.line_id == Line.id)
        .order_by(DispositionRow.line_id.is_not(None), DispositionRow.line_id, DispositionRow.position)
    ).all()
    if not rows:
        return shipped_dispositions()
    entries: dict[tuple[str | None, str], Disposition] = {}
    for row_id, line, code, labels in rows:
        try:
            item = disposition_from_values(code, labels, where=f"dispositions id {row_id}")
        except DispositionsError:
            log.warning("ignoring a stored disposition that does not follow the format", exc_info=True)
            continue
        entries.setdefault((line, item.code), item)  # PostgreSQL lets two default rows share a code
    return build_lists((line, item) for (line, _), item in entries.items())


def _disposition_rows(conn: Connection) -> list[dict[str, object]]:
    """The shipped lists as rows; a line's list is skipped while that line does not exist."""
    line_ids = dict(conn.execute(select(Line.name, Line.id)).all())
    shipped = shipped_dispositions()
    lists = [(None, shipped.default)] + [
        (line_ids[line], items) for line, items in shipped.per_line.items() if line in line_ids
    ]
    return [
        {"line_id": line_id, "code": item.code, "position": position, "labels": dict(item.labels)}
        for line_id, items in lists
        for position, item in enumerate(items, start=1)
    ]


def seed_defaults(engine: Engine) -> SeedReport:
    """Copy the shipped rules and scripts into empty tables (a table with rows is left alone).

    Rules for a category path that does not exist, and scripts for an unknown line, are skipped.
    """
    with database_errors(engine), engine.begin() as conn:
        rules = skipped = scripts = 0
        if not conn.execute(select(func.count()).select_from(FieldRuleRow)).scalar_one():
            by_path = {node.path: node.id for node in categories(conn)}
            rows = []
            for rule in shipped_rules():
                category_id = by_path.get(rule.category) if rule.category else None
                if rule.category and category_id is None:
                    log.info("default rule for unknown category %s skipped", " / ".join(rule.category))
                    skipped += 1
                    continue
                rows.append(
                    {
                        "category_id": category_id,
                        "transitions": list(rule.transitions),
                        "fields": [f.value for f in rule.fields],
                    }
                )
            if rows:
                conn.execute(table_of(FieldRuleRow).insert(), rows)
            rules = len(rows)
        if not conn.execute(select(func.count()).select_from(ScriptText)).scalar_one():
            line_ids = dict(conn.execute(select(Line.name, Line.id)).all())
            library = shipped_scripts()
            script_rows: list[dict[str, object]] = [
                {"line_id": None, "language": language, "key": key, "text": text}
                for language, texts in library.defaults.items()
                for key, text in texts.items()
            ]
            script_rows += [
                {"line_id": line_ids[line], "language": language, "key": key, "text": text}
                for (line, language), texts in library.per_line.items()
                if line in line_ids
                for key, text in texts.items()
            ]
            conn.execute(table_of(ScriptText).insert(), script_rows)
            scripts = len(script_rows)
        dispositions = 0
        if not conn.execute(select(func.count()).select_from(DispositionRow)).scalar_one():
            disposition_rows = _disposition_rows(conn)
            conn.execute(table_of(DispositionRow).insert(), disposition_rows)
            dispositions = len(disposition_rows)
    log.info(
        "seeded %d field rules (%d skipped), %d script texts and %d dispositions",
        rules,
        skipped,
        scripts,
        dispositions,
    )
    return SeedReport(rules=rules, scripts=scripts, skipped_rules=skipped, dispositions=dispositions)
