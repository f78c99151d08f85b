"""The grouping both engines share: records linked into units, units into groups of similar ones.

The ``extractive`` engine composes one persona per group; the ``llm`` engine uses the same groups
to chunk data that does not fit one prompt (one kind of user per chunk), or to write one persona
per group with that group's extractive persona as a draft to ground it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from persona.records import Record

if TYPE_CHECKING:
    from persona.extractive.compose import Sentence
    from persona.extractive.features import TermSpace
    from persona.extractive.units import Columns, Unit
    from persona.schema import Persona


@dataclass
class Analysis:
    units: list[Unit]
    columns: Columns
    space: TermSpace
    labels: list[int]  #: the group of each unit, numbered by size (largest first)
    seed: int

    @property
    def groups(self) -> list[int]:
        return sorted(set(self.labels))

    def members(self, group: int) -> list[int]:
        return [i for i, label in enumerate(self.labels) if label == group]

    def records(self, group: int) -> list[Record]:
        return [record for i in self.members(group) for record in self.units[i].records]

    @property
    def kind(self) -> str:
        from persona.extractive.units import unit_kind

        return unit_kind(self.units)

    def candidates(self) -> list[Sentence]:
        from persona.extractive.compose import sentences

        if not hasattr(self, "_candidates"):
            self._candidates = sentences(self.units, self.columns)
        return self._candidates

    def draft(self, group: int, number: int | None = None) -> Persona:
        """The extractive persona of ``group``: verbatim sentences of its members, with support."""
        from persona.extractive.compose import compose

        return compose(
            group if number is None else number,
            self.members(group),
            self.units,
            self.columns,
            self.candidates(),
            self.space,
            len(self.units),
            self.seed,
        )


def analyse(records: Sequence[Record], count: int, seed: int) -> Analysis:
    """Units of ``records`` grouped into at most ``count`` groups (numpy is imported here)."""
    from persona.extractive.features import TermSpace, tokens, unit_features
    from persona.extractive.grouping import group
    from persona.extractive.units import classify_columns, make_units

    units = make_units(records)
    columns = classify_columns(records)
    texts = [tokens(unit.text(columns.free)) for unit in units]
    space = TermSpace(texts)
    points = unit_features(units, columns, space, texts, seed)
    labels = group(points, count, seed).tolist()
    return Analysis(units, columns, space, labels, seed)
