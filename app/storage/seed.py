"""Editable domain data in the central database: required-field rules and call scripts.

The shipped defaults live under ``resources/rules`` and ``resources/scripts``.  `seed_defaults`
copies them into the ``field_rules`` and ``scripts`` tables once (when those are empty), resolving
category paths and line names against what is in the database; from then on shift leads edit the
tables.  The loaders read the tables and fall back to the shipped files while a table is empty,
so a desk enforces the default rules even before anything was seeded.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sqlalchemy import Connection, Engine, func, select

from app.resources import resources_dir
from app.storage.database import database_errors
from app.storage.schema import Category, FieldRuleRow, Line, ScriptText, table_of
from app.tickets.drafts import CategoryNode, category_paths
from app.tickets.rules import FieldRule, RequiredFieldRules, RulesError, load_rules_file, rule_from_values
from app.tickets.scripts import ScriptLibrary, load_scripts_dir

log = logging.getLogger(__name__)


def default_rules_path() -> Path:
    return resources_dir() / "rules" / "default_rules.toml"


def default_scripts_dir() -> Path:
    return resources_dir() / "scripts"


@cache
def shipped_rules(path: Path | None = None) -> tuple[FieldRule, ...]:
    return load_rules_file(path or default_rules_path())


@cache
def shipped_scripts(directory: Path | None = None) -> ScriptLibrary:
    return load_scripts_dir(directory or default_scripts_dir())


@dataclass(frozen=True, slots=True)
class SeedReport:
    rules: int
    scripts: int
    skipped_rules: int


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
    log.info("seeded %d field rules (%d skipped) and %d script texts", rules, skipped, scripts)
    return SeedReport(rules=rules, scripts=scripts, skipped_rules=skipped)
