"""The ``extractive`` engine: group units, then compose one persona per group."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from persona.engines import EngineContext, EngineResult
from persona.errors import InputError
from persona.records import Record

SMALL_STUDY = 30


class ExtractiveEngine:
    name = "extractive"

    def __init__(self, context: EngineContext) -> None:
        self.count = context.config.count
        self.seed = context.config.seed if context.config.seed is not None else 0
        self.reporter = context.reporter

    def start(self) -> None:
        import numpy  # noqa: F401  (a missing numpy is reported before any data is read)

    def plan(self, records: Sequence[Record]) -> dict[str, Any]:
        from persona.extractive.units import classify_columns, make_units

        units = make_units(records)
        columns = classify_columns(records)
        return {
            "engine": self.name,
            "plan": [
                f"Plan: {len(units)} units ({_kind(units)}), "
                f"grouped into {min(self.count, len(units))} personas; no model is needed",
                f"Free-text columns: {', '.join(sorted(columns.free)) or 'none'}; structured: "
                f"{', '.join(sorted(columns.categorical | columns.ages)) or 'none'}",
            ],
            "units": len(units),
        }

    def run(self, records: Sequence[Record]) -> EngineResult:
        from persona.extractive.compose import compose, sentences
        from persona.extractive.features import TermSpace, tokens, unit_features
        from persona.extractive.grouping import group
        from persona.extractive.units import classify_columns, make_units

        if not records:
            raise InputError("no records to build personas from")
        units = make_units(records)
        columns = classify_columns(records)
        texts = [tokens(unit.text(columns.free)) for unit in units]
        space = TermSpace(texts)
        self.reporter.info(
            f"extractive: {len(records)} records in {len(units)} units, {len(space.terms)} terms"
        )
        points = unit_features(units, columns, space, texts, self.seed)
        labels = group(points, self.count, self.seed)
        candidates = sentences(units, columns)
        warnings = []
        groups = sorted(set(labels.tolist()))
        if len(groups) < self.count:
            warnings.append(
                f"only {len(units)} units ({_kind(units)}) "
                f"in the data, so {len(groups)} personas instead of {self.count}"
            )
        if len(units) < SMALL_STUDY:
            warnings.append(
                f"{len(units)} participants or records is a small study: read these personas as an "
                "affinity map of what people said, not as statistically grounded segments"
            )
        if not candidates:
            warnings.append(
                "the data holds no free-text sentences; the personas list the groups' dominant answers"
            )
        personas = []
        assignments: dict[str, str] = {}
        for number, g in enumerate(groups):
            members = [i for i, label in enumerate(labels.tolist()) if label == g]
            persona = compose(number, members, units, columns, candidates, space, len(units), self.seed)
            personas.append(persona)
            for i in members:
                for record in units[i].records:
                    assignments[record.id] = persona.id
        return EngineResult(
            personas=personas,
            engine=self.name,
            model={"name": None, "method": "tf-idf + truncated svd + spherical k-means, merged down"},
            assignments=assignments,
            details={
                "units": len(units),
                "unit": _kind(units).removesuffix("s"),
                "terms": len(space.terms),
                "sentences": len(candidates),
                "free_text_columns": sorted(columns.free),
                "structured_columns": sorted(columns.categorical | columns.ages),
                "seed": self.seed,
            },
            warnings=warnings,
        )


def _kind(units: Sequence[Any]) -> str:
    return "participants" if any(u.key.startswith("participant:") for u in units) else "records"
