"""The preprocess arrow: records through each chosen preprocessor, in order, before any engine."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from persona.executors import Executor
from persona.preprocessors import Preprocessor
from persona.records import Record
from persona.reporting import Reporter


def preprocess(
    records: list[Record],
    preprocessors: Sequence[Preprocessor],
    reporter: Reporter,
    executor: Executor | None = None,
) -> tuple[list[Record], list[dict[str, Any]]]:
    """The records after every preprocessor, and each one's summary (counts, never values). A
    preprocessor with a ``set_executor`` method is given the run's executor first."""
    summaries = []
    for preprocessor in preprocessors:
        reporter.info(f"preprocessing {len(records)} records with {preprocessor.name}")
        label = f"{preprocessor.name}"
        reporter.begin(label)

        def step(done: int, total: int, label: str = label) -> None:
            reporter.step(label, done, total)

        preprocessor.set_progress(step)
        if executor is not None and wants_executor(preprocessor):
            preprocessor.set_executor(executor)  # type: ignore[attr-defined]
        records = list(preprocessor.process(records))
        summary = {"name": preprocessor.name, **dict(preprocessor.summary())}
        for warning in summary.get("warnings", ()):
            reporter.warn(f"{preprocessor.name}: {warning}")
        summaries.append(summary)
    return records, summaries


def wants_executor(preprocessor: Preprocessor) -> bool:
    """Whether a preprocessor spreads its work over the run's executor (has ``set_executor``)."""
    return callable(getattr(preprocessor, "set_executor", None))
