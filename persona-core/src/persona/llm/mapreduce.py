"""Map-reduce for data larger than one prompt: findings per chunk, merged until they fit.

Findings carry their record ids, so evidence survives every merge. Nothing a model says can crash
this: a chunk whose findings cite no real record gets one repair request, and is then left out with
a warning when other chunks cover the data, or fails the run (exit 10) when none does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from persona.errors import AnswerError
from persona.llm.answers import Asker
from persona.llm.evidence import Sources, Tally
from persona.llm.fitting import pack_texts
from persona.llm.prompts import findings_messages, render_findings, render_records
from persona.providers import ModelInfo
from persona.records import Record
from persona.reporting import Reporter
from persona.schema import FindingSet, answer_schema
from persona.tokens import estimate_tokens

MAX_REDUCE_LEVELS = 6
Finding = dict[str, Any]
T = TypeVar("T")


class MapReduce:
    def __init__(self, asker: Asker, sources: Sources, reporter: Reporter, workers: int) -> None:
        self.asker = asker
        self.sources = sources
        self.reporter = reporter
        self.workers = workers
        self.tally = Tally()
        self.levels = 0
        self.uncovered = 0

    def map(self, model: ModelInfo, chunks: Sequence[Sequence[Record]], label: str = "") -> list[Finding]:
        generic = answer_schema(FindingSet)

        def one(index: int) -> tuple[list[Finding], Tally]:
            chunk = chunks[index]
            known = {record.id for record in chunk}
            schema = answer_schema(FindingSet, record_ids=[record.id for record in chunk])
            messages = findings_messages(render_records(chunk), schema=generic)
            return self._findings(model, messages, schema, known, f"{label}chunk {index + 1}/{len(chunks)}")

        results = self.parallel(one, len(chunks))
        findings: list[Finding] = []
        empty = []
        for index, (found, tally) in enumerate(results):
            self.tally.add(tally)
            if found:
                findings.extend(found)
            else:
                empty.append(index)
        if len(empty) == len(chunks):
            raise AnswerError(
                f"{label}chunk 1/{len(chunks)}: no finding of any chunk cites a record of the data, "
                "even after a repair; try a larger model"
            )
        if empty:
            lost = sum(len(chunks[i]) for i in empty)
            self.uncovered += lost
            names = ", ".join(f"{i + 1}/{len(chunks)}" for i in empty)
            self.reporter.warn(
                f"{label}chunk {names}: no usable findings after a repair; {lost} records lost coverage"
            )
        return findings

    def reduce(
        self, findings: list[Finding], data_tokens: int, model: ModelInfo, label: str = ""
    ) -> list[Finding]:
        """Findings merged until their text fits ``data_tokens``."""
        generic = answer_schema(FindingSet)
        for level in range(1, MAX_REDUCE_LEVELS + 1):
            self.levels = max(self.levels, level)
            if estimate(findings) <= data_tokens:
                return findings
            groups = pack_texts([render_findings([f]) for f in findings], data_tokens)
            if len(groups) >= len(findings):
                break
            self.reporter.info(f"{label}merging {len(findings)} findings in {len(groups)} groups")

            def merge(
                index: int,
                level: int = level,
                groups: list[list[int]] = groups,
                findings: list[Finding] = findings,
            ) -> tuple[list[Finding], Tally]:
                group = [findings[i] for i in groups[index]]
                known = {rid for finding in group for rid in finding["record_ids"]}
                schema = answer_schema(FindingSet, record_ids=sorted(known))
                messages = findings_messages(render_findings(group), schema=generic, from_findings=True)
                found, tally = self._findings(
                    model, messages, schema, known, f"{label}merge {level}.{index + 1}/{len(groups)}"
                )
                return (found or group), tally  # a merge that lost everything keeps its input

            merged: list[Finding] = []
            for found, tally in self.parallel(merge, len(groups)):
                self.tally.add(tally)
                merged.extend(found)
            if len(merged) >= len(findings):
                break
            findings = merged
        raise AnswerError(
            f"{label}the findings did not shrink enough to fit {model.name}'s context after merging; use a "
            "model with a larger context or less data"
        )

    def _findings(
        self, model: ModelInfo, messages: Any, schema: Any, known: set[str], label: str
    ) -> tuple[list[Finding], Tally]:
        kept: list[Finding] = []
        tally = Tally()

        def check(answer: FindingSet) -> str:
            nonlocal kept, tally
            kept, tally = self.sources.findings(answer, known)
            if kept:
                return ""
            return "no finding cites a record id of the data; use only ids shown in square brackets"

        self.asker.ask(model, messages, schema, FindingSet, label, check)
        return kept, tally

    def parallel(self, work: Callable[[int], T], count: int) -> list[T]:
        if self.workers == 1 or count == 1:
            return [work(index) for index in range(count)]
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="persona") as pool:
            futures = [pool.submit(work, index) for index in range(count)]
            try:
                return [future.result() for future in futures]
            except BaseException:
                for future in futures:
                    future.cancel()
                raise


def estimate(findings: Sequence[Finding]) -> int:
    return estimate_tokens(render_findings(findings))
