"""The groups of a study: units of records and the group of each, with the means to draft a persona
for a group. Both engines use it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from persona.records import Record

if TYPE_CHECKING:
    from persona.grouping.draft import Sentence
    from persona.grouping.features import TermSpace
    from persona.grouping.units import Columns, Unit
    from persona.schema import Persona


@dataclass
class Analysis:
    units: list[Unit]
    columns: Columns
    space: TermSpace
    labels: list[int]  #: the group of each unit, numbered by size (largest first)
    seed: int
    asked: int = 0  #: the number of groups asked for
    stability: float = 1.0  #: agreement of the grouping's restarts (clustering.choose)
    stable: bool = True  #: whether the grouping met clustering.STABLE
    texts: list[list[str]] | None = None  #: each unit's free-text words (features.tokens)

    def words(self) -> list[list[str]]:
        from persona.grouping.features import tokens

        if self.texts is None:
            self.texts = [tokens(unit.text(self.columns.free)) for unit in self.units]
        return self.texts

    def notes(self) -> list[str]:
        """What a reader must know about the grouping, one line each."""
        found = len(self.groups)
        if not self.stable:
            return [
                f"no grouping of these {len(self.units)} {self.kind} holds across restarts "
                f"(agreement {self.stability:.2f}): read the personas as an affinity map of what "
                "people said, not as distinct types"
            ]
        if found < min(self.asked, len(self.units)):
            return [
                f"the data holds {found} distinct groups, not {self.asked}: {found} personas "
                f"instead of splitting the rest by chance (agreement {self.stability:.2f})"
            ]
        return []

    @property
    def groups(self) -> list[int]:
        return sorted(set(self.labels))

    def members(self, group: int) -> list[int]:
        return [i for i, label in enumerate(self.labels) if label == group]

    def records(self, group: int) -> list[Record]:
        return [record for i in self.members(group) for record in self.units[i].records]

    @property
    def kind(self) -> str:
        from persona.grouping.units import unit_kind

        return unit_kind(self.units)

    def candidates(self) -> list[Sentence]:
        from persona.grouping.draft import sentences

        if not hasattr(self, "_candidates"):
            self._candidates = sentences(self.units, self.columns)
        return self._candidates

    def draft(self, group: int, number: int | None = None) -> Persona:
        """The extractive persona of ``group``: verbatim sentences of its members, with support."""
        from persona.grouping.draft import compose

        return compose(
            group if number is None else number,
            self.members(group),
            self.units,
            self.columns,
            self.candidates(),
            self.space,
            len(self.units),
            self.seed,
            self.words(),
        )


def analyse(records: Sequence[Record], count: int, seed: int) -> Analysis:
    """Units of ``records`` grouped into at most ``count`` groups (numpy is imported here)."""
    from persona.grouping.clustering import choose
    from persona.grouping.features import TermSpace, tokens, unit_features
    from persona.grouping.units import classify_columns, make_units

    units = make_units(records)
    columns = classify_columns(records)
    texts = [tokens(unit.text(columns.free)) for unit in units]
    space = TermSpace(texts)
    points = unit_features(units, columns, space, texts, seed)
    grouping = choose(points, count, seed)
    return Analysis(
        units,
        columns,
        space,
        grouping.labels.tolist(),
        seed,
        count,
        grouping.stability,
        grouping.stable,
        texts,
    )
