"""The ``llm`` engine: fit the records to the model's context, ask, check, and gate the personas.

start: reach the provider and choose the model (before any data is read) -> plan: one prompt, or
chunks -> run: one request, or map-reduce -> personas validated, repaired once, checked against the
records and gated for quality.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Literal

from persona.engines import EngineContext, EnginePlan, EngineResult, GenerateConfig
from persona.errors import AnswerError, InputError, Kept, UsageError
from persona.llm.answers import Asker, InvalidAnswerError
from persona.llm.evidence import Sources, Tally
from persona.llm.fitting import Budget, FitPlan, make_budget, plan, plan_similar
from persona.llm.mapreduce import MapReduce
from persona.llm.options import LlmOptions
from persona.llm.prompts import (
    findings_messages,
    persona_messages,
    render_draft,
    render_findings,
    render_records,
)
from persona.providers import Message, ModelInfo, Provider
from persona.records import Record
from persona.schema import FindingSet, Persona, PersonaSet, answer_schema
from persona.tokens import estimate_messages, estimate_tokens

__all__ = ["LlmEngine", "persona_overhead"]


@functools.cache
def persona_overhead(count: int) -> int:
    """Tokens of a prompt without data (the larger of the two prompt kinds)."""
    schema = answer_schema(PersonaSet, max_items=count)
    findings = answer_schema(FindingSet)
    return max(
        *(
            estimate_messages(persona_messages("", count=count, schema=schema, from_findings=f))
            for f in (False, True)
        ),
        *(estimate_messages(findings_messages("", schema=findings, from_findings=f)) for f in (False, True)),
    )


class LlmEngine:
    name = "llm"

    def __init__(self, context: EngineContext) -> None:
        if context.provider is None:
            raise UsageError("the llm engine needs a provider (--provider)")
        self._make_provider = context.provider
        self.provider_name = context.provider_name or "provider"
        self.config: GenerateConfig = context.config
        self.options: LlmOptions = (
            context.options if isinstance(context.options, LlmOptions) else LlmOptions()
        )
        self.reporter = context.reporter
        self.provider: Provider | None = None
        self.model: ModelInfo | None = None
        self.asker: Asker | None = None
        self._drafts: list[str] = []  #: per-group: each group's extractive draft, rendered
        self._notes: list[str] = []  #: what the grouping says of itself (fewer types, not stable)

    # -- the engine interface ----------------------------------------------------------------------

    def start(self) -> None:
        """Reach the provider and choose the model; a server that is down fails here, in a second."""
        if self.model is not None:
            return
        self.provider = self._make_provider()
        model = self.provider.model_info(self.config.model)
        if model.capabilities and "completion" not in model.capabilities:
            chat = [
                m.name
                for m in self.provider.list_models()
                if "completion" in m.capabilities or not m.capabilities
            ]
            instead = f"use a chat model such as {chat[0]}" if chat else "install a chat model"
            raise UsageError(
                f"{model.name} is an {'/'.join(model.capabilities)} model and cannot write personas; "
                f"{instead}"
            )
        for warning in model.warnings:
            self.reporter.warn(warning)
        self.model = model
        concurrency = self.options.concurrency
        limit = getattr(self.provider, "max_concurrency", None)  # an older provider may lack it
        self.workers = max(1, min(concurrency, limit or concurrency))
        self.asker = Asker(self.provider, self.config, self.options, self.reporter)

    def plan(self, records: Sequence[Record]) -> EnginePlan:
        fit = self._fit(records)
        first = self._first_messages(fit)
        estimate = self._request_estimate(fit)
        details = {
            "model": self.model.name if self.model else self.config.model,
            "fitting": fit.describe(),
            "requests": estimate,
            "estimated_first_prompt_tokens": estimate_messages(first),
            "first_prompt": [{"role": m.role, "content": m.content} for m in first],
        }
        return EnginePlan(_plan_lines(fit, estimate, first), details)

    def run(self, records: Sequence[Record]) -> EngineResult:
        try:
            return self._run(records)
        except InvalidAnswerError as exc:
            exc.kept = Kept(
                files={f"raw-answer-{n}.txt": answer for n, answer in enumerate(exc.raw_answers, start=1)},
                model={"name": self.model.name if self.model else None, "provider": self.provider_name},
                requests=list(self.asker.requests) if self.asker else [],
            )
            raise

    def _run(self, records: Sequence[Record]) -> EngineResult:
        self.start()
        assert self.model is not None and self.asker is not None
        model = self.model
        fit = self._fit(records)
        self.asker.answer_tokens = fit.budget.answer_tokens
        sources = Sources(records)
        estimate = self._request_estimate(fit)
        self.reporter.info(
            f"model {model.name}: {fit.budget.context_length} tokens of context; {_what(fit, estimate)}"
        )
        if estimate["requests"] > self.options.max_requests:
            raise InputError(
                f"the data needs about {estimate['requests']} model requests, over engines.llm.max_requests "
                f"({self.options.max_requests}); raise it, use a model with a larger context, "
                "or give less data"
            )
        mapreduce = MapReduce(self.asker, sources, self.reporter, self.workers)
        assignments: dict[str, str] = {}
        if fit.strategy == "per-group":
            personas, tally, assignments = self._per_group(model, fit, sources, mapreduce)
        else:
            data, known, from_findings = self._data(model, fit, mapreduce)
            personas, tally = self._personas(model, data, known, sources, from_findings)
        tally.add(mapreduce.tally)
        warnings = list(self._notes)
        if tally.quotes_dropped:
            warnings.append(f"dropped {tally.quotes_dropped} quotes that do not occur in the source text")
        thinking = self.asker.thinking
        return EngineResult(
            personas=personas,
            assignments=assignments,
            model={
                "name": model.name,
                "provider": self.provider_name,
                "context_length": model.context_length,
                "capabilities": list(model.capabilities),
                "details": dict(model.details),
                "warnings": list(model.warnings),
            },
            details={
                "fitting": {**fit.describe(), "reduce_levels": mapreduce.levels},
                "quotes_dropped": tally.quotes_dropped,
                "evidence_ids_dropped": tally.evidence_dropped,
                "duplicate_items_removed": tally.items_deduplicated,
                "records_without_coverage": mapreduce.uncovered,
            },
            requests=self.asker.requests,
            warnings=warnings,
            files={"thinking.md": "\n\n".join(thinking) + "\n"}
            if self.config.save_thinking and thinking
            else {},
        )

    # -- the steps -----------------------------------------------------------------------------------

    def _fit(self, records: Sequence[Record]) -> FitPlan:
        context: int | None
        source: Literal["provider", "setting"]
        if self.model is not None and self.model.context_length:
            context, source = self.model.context_length, "provider"
        else:
            context, source = self.options.context_tokens, "setting"
        overhead = persona_overhead(self.config.count)
        budget: Budget = make_budget(context, source, self.options.answer_tokens, overhead)
        fit = plan(records, budget)
        if fit.strategy == "single" or self.options.grouping == "order":
            return fit
        from persona.grouping.analysis import analyse

        seed = self.config.seed if self.config.seed is not None else 0
        analysis = analyse(records, self.config.count, seed)
        groups = [analysis.records(g) for g in analysis.groups]
        self._notes = analysis.notes()
        if self.options.grouping == "similar":
            return plan_similar(groups, budget)
        self._drafts = [render_draft(analysis.draft(g)) for g in analysis.groups]
        plans = []
        for group, draft in zip(groups, self._drafts, strict=True):
            grounded = make_budget(
                budget.context_length,
                budget.context_source,
                self.options.answer_tokens,
                overhead + estimate_tokens(draft),
            )
            plans.append(plan(group, grounded))
        return FitPlan("per-group", budget, fit.data_tokens, groups=plans)

    def _request_estimate(self, fit: FitPlan) -> dict[str, int]:
        """How many requests and prompt tokens a run will take, roughly (merges included)."""
        if fit.strategy == "per-group":
            parts = [self._request_estimate(group) for group in fit.groups]
            return {key: sum(part[key] for part in parts) for key in ("requests", "prompt_tokens")}
        chunks = len(fit.chunks)
        requests = 1 if fit.strategy == "single" else chunks + max(0, (chunks - 1) // 8) + 1
        overhead = fit.budget.overhead_tokens
        return {"requests": requests, "prompt_tokens": fit.data_tokens + overhead * requests}

    def _first_messages(self, fit: FitPlan) -> tuple[Message, ...]:
        draft = None
        if fit.strategy == "per-group":
            fit, draft = fit.groups[0], self._drafts[0]
        chunk = fit.chunks[0]
        if fit.strategy == "single":
            count = 1 if draft is not None else self.config.count
            schema = answer_schema(PersonaSet, max_items=count)
            return persona_messages(render_records(chunk), count=count, schema=schema, draft=draft)
        return findings_messages(render_records(chunk), schema=answer_schema(FindingSet))

    def _data(
        self, model: ModelInfo, fit: FitPlan, mapreduce: MapReduce, label: str = ""
    ) -> tuple[str, list[str], bool]:
        """What the persona request shows: the records themselves, or the findings of map-reduce."""
        if fit.strategy == "single":
            records = fit.chunks[0]
            return render_records(records), [r.id for r in records], False
        findings = mapreduce.reduce(
            mapreduce.map(model, fit.chunks, label), fit.budget.data_tokens, model, label
        )
        known = sorted({rid for finding in findings for rid in finding["record_ids"]})
        return render_findings(findings), known, True

    def _per_group(
        self, model: ModelInfo, fit: FitPlan, sources: Sources, mapreduce: MapReduce
    ) -> tuple[list[Persona], Tally, dict[str, str]]:
        """One persona per group of similar records, each grounded by the group's draft. A group
        whose persona fails the quality gate is left out, saying how many records lost coverage."""
        total = len(fit.groups)

        def one(index: int) -> tuple[list[Persona], Tally] | AnswerError:
            group = fit.groups[index]
            label = f"group {index + 1}/{total}: "
            try:
                data, known, from_findings = self._data(model, group, mapreduce, label)
                return self._personas(
                    model, data, known, sources, from_findings, draft=self._drafts[index], label=label
                )
            except AnswerError as exc:
                return exc

        parallel = all(group.strategy == "single" for group in fit.groups)
        results = mapreduce.parallel(one, total) if parallel else [one(i) for i in range(total)]
        personas: list[Persona] = []
        assignments: dict[str, str] = {}
        tally = Tally()
        taken: set[str] = set()
        lost: list[str] = []
        for index, result in enumerate(results):
            group = fit.groups[index]
            if isinstance(result, AnswerError):
                lost.append(str(result))
                mapreduce.uncovered += len(group.records)
                continue
            found, part = result
            tally.add(part)
            for persona in found[:1]:
                pid, n = persona.id, 2
                while pid in taken:
                    pid, n = f"{persona.id[:36]}-{n}", n + 1
                taken.add(pid)
                personas.append(persona if pid == persona.id else persona.model_copy(update={"id": pid}))
                assignments.update({record.id: pid for record in group.records})
        if not personas:
            raise AnswerError(
                lost[0] if len(lost) == 1 else f"no group's persona passed the quality gate: {lost[0]}"
            )
        if lost:
            self.reporter.warn(
                f"{len(lost)} of {total} groups left out ({mapreduce.uncovered} records lost coverage): "
                + "; ".join(lost)
            )
        return personas, tally, assignments

    def _personas(
        self,
        model: ModelInfo,
        data: str,
        known: Sequence[str],
        sources: Sources,
        from_findings: bool,
        draft: str | None = None,
        label: str = "",
    ) -> tuple[list[Persona], Tally]:
        assert self.asker is not None
        count = 1 if draft is not None else self.config.count
        generic = answer_schema(PersonaSet, max_items=count)
        schema = answer_schema(PersonaSet, max_items=count, record_ids=known)
        messages = persona_messages(
            data, count=count, schema=generic, from_findings=from_findings, draft=draft
        )
        kept: list[Persona] = []
        tally = Tally()
        problems: list[str] = []

        def check(answer: PersonaSet) -> str:
            nonlocal kept, tally, problems
            kept, tally, problems = sources.personas(answer.personas, count)
            return "; ".join(problems)

        self.asker.ask(model, messages, schema, PersonaSet, f"{label}personas", check)
        for problem in problems:
            self.reporter.warn(f"{label}left out {problem}")
        if not kept:
            raise AnswerError(
                f"{label}personas: no persona passed the quality gate after a repair ("
                + "; ".join(problems)
                + ")"
            )
        return kept, tally


def _what(fit: FitPlan, estimate: dict[str, int]) -> str:
    about = f"about {estimate['requests']} requests and {estimate['prompt_tokens']:,} prompt tokens"
    if fit.strategy == "single":
        return "all records fit in one prompt"
    if fit.strategy == "per-group":
        count = len(fit.groups)
        return f"{count} group{'s' * (count != 1)} of similar records, one persona each; {about}"
    how = "grouped by similarity" if fit.grouping == "similar" else "in file order"
    return f"{len(fit.records)} records split into {len(fit.chunks)} chunks ({how}); {about}"


def _plan_lines(fit: FitPlan, estimate: dict[str, int], first: Sequence[Message]) -> list[str]:
    """The dry run as a person reads it: the context, the plan, and the first prompt in full."""
    budget = fit.budget
    per_prompt = f", {budget.data_tokens} for data per prompt" if fit.strategy != "per-group" else ""
    lines = [
        f"About {fit.data_tokens} tokens of data",
        f"Context: {budget.context_length} tokens ({budget.context_source}), {budget.answer_tokens} kept for "
        f"the answer{per_prompt}",
    ]
    about = f"about {estimate['requests']} requests and {estimate['prompt_tokens']:,} prompt tokens"
    if fit.strategy == "single":
        lines.append("Plan: one request with every record")
    elif fit.strategy == "per-group":
        count = len(fit.groups)
        sizes = ", ".join(str(len(group.records)) for group in fit.groups)
        lines.append(
            f"Plan: per-group, {count} group{'s' * (count != 1)} of similar records ({sizes} records), one "
            f"persona each, grounded by the group's extractive draft: {about}"
        )
    else:
        order = "grouped by similarity" if fit.grouping == "similar" else "in file order"
        sizes = ", ".join(str(len(chunk)) for chunk in fit.chunks)
        lines.append(
            f"Plan: map-reduce, {len(fit.chunks)} chunk requests ({sizes} records, {order}), then the "
            f"personas from their findings: {about}"
        )
    lines.append(f"First prompt (about {estimate_messages(first)} tokens):")
    for message in first:
        lines += [f"--- {message.role} ---", message.content]
    return lines
