"""The ``extractive`` engine: group units, then compose one persona per group."""

from __future__ import annotations

from collections.abc import Sequence

from persona.engines import EngineContext, EnginePlan, EngineResult
from persona.errors import InputError
from persona.records import Record

SMALL_STUDY = 30
NOTE = (
    "Extractive personas: every goal, pain point, behaviour, motivation and quote is a sentence from the "
    "data, with how many people in the group said something like it. No model wrote them."
)


class ExtractiveEngine:
    name = "extractive"

    def __init__(self, context: EngineContext) -> None:
        self.count = context.config.count
        self.seed = context.config.seed if context.config.seed is not None else 0
        self.reporter = context.reporter

    def start(self) -> None:
        import numpy  # noqa: F401  (a missing numpy is reported before any data is read)

    def plan(self, records: Sequence[Record]) -> EnginePlan:
        from persona.grouping.units import classify_columns, make_units, unit_kind

        units = make_units(records)
        columns = classify_columns(records)
        return EnginePlan(
            lines=[
                f"Plan: {len(units)} units ({unit_kind(units)}), "
                f"grouped into {min(self.count, len(units))} personas; no model is needed",
                f"Free-text columns: {', '.join(sorted(columns.free)) or 'none'}; structured: "
                f"{', '.join(sorted(columns.categorical | columns.ages)) or 'none'}",
            ],
            details={"units": len(units)},
        )

    def run(self, records: Sequence[Record]) -> EngineResult:
        from persona.grouping.analysis import analyse

        if not records:
            raise InputError("no records to build personas from")
        analysis = analyse(records, self.count, self.seed)
        units, columns, space = analysis.units, analysis.columns, analysis.space
        sampled = f" (grouped on a sample of {len(units):,})" if analysis.population is not None else ""
        self.reporter.info(
            f"extractive: {len(records)} records in {analysis.size} units{sampled}, {len(space.terms)} terms"
        )
        candidates = analysis.candidates()
        warnings = []
        groups = analysis.groups
        warnings.extend(analysis.notes())
        if analysis.size < self.count:
            warnings.append(
                f"only {len(units)} units ({analysis.kind}) "
                f"in the data, so {len(groups)} personas instead of {self.count}"
            )
        if analysis.size < SMALL_STUDY:
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
            persona = analysis.draft(g, number)
            personas.append(persona)
            for record in analysis.everyone(g):
                assignments[record.id] = persona.id
        return EngineResult(
            personas=personas,
            note=NOTE,
            model={
                "name": None,
                "method": "tf-idf + svd + spherical k-means, merged down, size by restart agreement",
            },
            assignments=assignments,
            details={
                "units": analysis.size,
                "grouped_on": len(units),
                "unit": analysis.kind.removesuffix("s"),
                "terms": len(space.terms),
                "sentences": len(candidates),
                "free_text_columns": sorted(columns.free),
                "structured_columns": sorted(columns.categorical | columns.ages),
                "seed": self.seed,
                "grouping_stability": round(analysis.stability, 3),
            },
            warnings=warnings,
        )
