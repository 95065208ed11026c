"""Everything the ticket form needs to fill its combo boxes and check its fields, in one value."""

from __future__ import annotations

from dataclasses import dataclass

from app.tickets.drafts import CategoryNode, Choice, OperatorChoice
from app.tickets.rules import RequiredFieldRules


@dataclass(frozen=True, slots=True)
class ReferenceData:
    """Lines, the category tree (sorted by path), complexity levels and priorities (by rank),
    departments, active operators, and the required-field rules matched to this category tree."""

    lines: tuple[Choice, ...]
    categories: tuple[CategoryNode, ...]
    complexity_levels: tuple[Choice, ...]
    priorities: tuple[Choice, ...]
    departments: tuple[Choice, ...]
    operators: tuple[OperatorChoice, ...]
    rules: RequiredFieldRules

    def category(self, category_id: int) -> CategoryNode | None:
        return next((c for c in self.categories if c.id == category_id), None)

    def leaf_categories(self) -> tuple[CategoryNode, ...]:
        parents = {c.parent_id for c in self.categories}
        return tuple(c for c in self.categories if c.id not in parents)
