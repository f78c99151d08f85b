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
    #: a study larger than FIT_UNITS: every unit, and its group (``units`` is then the sample the
    #: groups were found on, and what the personas are drafted from)
    population: list[Unit] | None = None
    assigned: list[int] | None = None

    def words(self) -> list[list[str]]:
        from persona.grouping.features import tokens

        if self.texts is None:
            self.texts = [tokens(unit.text(self.columns.free)) for unit in self.units]
        return self.texts

    def notes(self) -> list[str]:
        """What a reader must know about the grouping, one line each."""
        return [*self._sampled(), *self._grouping()]

    def _sampled(self) -> list[str]:
        if self.population is None:
            return []
        return [
            f"grouped on a random sample of {len(self.units):,} of the {len(self.population):,} "
            f"{self.kind}, then each of them assigned to the nearest group; the counts in the personas "
            "are of the sample, the manifest's assignments cover everyone"
        ]

    def _grouping(self) -> list[str]:
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

    def everyone(self, group: int) -> list[Record]:
        """The records of every unit in ``group``: of the whole study, sampled or not."""
        if self.population is None or self.assigned is None:
            return self.records(group)
        units = self.population
        return [
            record for i, label in enumerate(self.assigned) if label == group for record in units[i].records
        ]

    @property
    def size(self) -> int:
        """How many units the study has (more than ``units`` when the groups were found on a sample)."""
        return len(self.population) if self.population is not None else len(self.units)

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


#: above this many units, the groups are found on a seeded random sample of this size and every unit
#: is then assigned to the nearest group: memory and time stay bounded by the sample (the restarts
#: that choose the size are the costly part) plus one linear pass, however large the study
FIT_UNITS = 20_000
ASSIGN_BATCH = 10_000


def analyse(records: Sequence[Record], count: int, seed: int) -> Analysis:
    """Units of ``records`` grouped into at most ``count`` groups (numpy is imported here)."""
    from persona.grouping.clustering import choose
    from persona.grouping.features import TermSpace, tokens, unit_features
    from persona.grouping.units import classify_columns, make_units

    units = make_units(records)
    columns = classify_columns(records)
    if len(units) > FIT_UNITS:
        return _analyse_sample(units, columns, count, seed)
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


def _analyse_sample(units: list[Unit], columns: Columns, count: int, seed: int) -> Analysis:
    """The groups of a large study: found on a seeded sample of FIT_UNITS units, with every unit
    then placed in the group of the nearest centre (the sample's own units keep their group)."""
    import random

    import numpy as np

    from persona.grouping.clustering import choose
    from persona.grouping.features import FeatureModel, TermSpace, normalise_rows, tokens

    chosen = sorted(random.Random(seed).sample(range(len(units)), FIT_UNITS))
    sample = [units[i] for i in chosen]
    texts = [tokens(unit.text(columns.free)) for unit in sample]
    space = TermSpace(texts)
    model = FeatureModel(sample, columns, space, texts, seed)
    points = model.transform(sample, texts)
    grouping = choose(points, count, seed)
    labels = grouping.labels
    centres = normalise_rows(
        np.vstack([points[labels == g].sum(axis=0) for g in range(int(labels.max()) + 1)])
    )
    assigned = np.empty(len(units), dtype=int)
    for start in range(0, len(units), ASSIGN_BATCH):
        batch = units[start : start + ASSIGN_BATCH]
        placed = model.transform(batch, [tokens(unit.text(columns.free)) for unit in batch])
        assigned[start : start + len(batch)] = np.argmax(placed @ centres.T, axis=1)
    assigned[chosen] = labels
    return Analysis(
        sample,
        columns,
        space,
        labels.tolist(),
        seed,
        count,
        grouping.stability,
        grouping.stable,
        texts,
        population=units,
        assigned=assigned.tolist(),
    )
