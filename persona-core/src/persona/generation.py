"""The generation pipeline: records in, validated personas out.

load -> preprocess -> fit to the context -> provider (one prompt, or map -> findings -> reduce)
-> validate / repair -> personas with evidence. Writing the run folder is ``persona.output``'s job.
"""

from __future__ import annotations

import json
import re
import time
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from persona.errors import AnswerError, AnswerTruncatedError, ProviderError
from persona.fitting import FitPlan, make_budget, pack_texts, plan
from persona.loaders import InputLimits, LoadedFile, discover, load_files
from persona.preprocessors import Preprocessor
from persona.prompts import (
    estimate_messages,
    estimate_tokens,
    findings_messages,
    persona_messages,
    render_findings,
    render_records,
    repair_messages,
)
from persona.providers import ChatRequest, ChatResponse, GenerationOptions, Message, ModelInfo, Provider
from persona.records import Record
from persona.reporting import Reporter
from persona.schema import FindingSet, Persona, PersonaSet, answer_schema

Parsed = TypeVar("Parsed", bound=BaseModel)
MAX_REDUCE_LEVELS = 6


@dataclass(frozen=True)
class GenerateConfig:
    count: int = 3
    model: str | None = None
    temperature: float | None = None
    seed: int | None = None
    answer_tokens: int = 4096
    context_tokens: int | None = None
    concurrency: int = 2
    reasoning: bool | None = None


@dataclass
class Prepared:
    files: list[LoadedFile]
    records: list[Record]
    preprocessors: list[dict[str, Any]]


@dataclass
class Outcome:
    personas: list[Persona]
    model: ModelInfo
    plan: FitPlan
    requests: list[dict[str, Any]] = field(default_factory=list)
    reduce_levels: int = 0
    quotes_dropped: int = 0
    evidence_dropped: int = 0
    thinking: list[str] = field(default_factory=list)


class InvalidAnswerError(AnswerError):
    """The answer did not validate, even after one repair request. Carries the raw answers."""

    def __init__(self, message: str, raw_answers: Sequence[str]) -> None:
        super().__init__(message)
        self.raw_answers = list(raw_answers)


def prepare(
    inputs: Sequence[Path], limits: InputLimits, preprocessors: Sequence[Preprocessor], reporter: Reporter
) -> Prepared:
    """Read every input and apply the preprocessors. Raises before anything is written."""
    paths = discover(inputs, limits)
    reporter.info(f"reading {len(paths)} file{'s' if len(paths) != 1 else ''}")
    files = load_files(paths, limits)
    records: list[Record] = [record for loaded in files for record in loaded.records]
    summaries = []
    for preprocessor in preprocessors:
        reporter.info(f"preprocessing with {preprocessor.name}")
        records = list(preprocessor.process(records))
        summary = {"name": preprocessor.name, **dict(preprocessor.summary())}
        for warning in summary.get("warnings", ()):
            reporter.warn(f"{preprocessor.name}: {warning}")
        summaries.append(summary)
    return Prepared(files=files, records=records, preprocessors=summaries)


def persona_overhead(count: int) -> int:
    """Tokens of the persona prompt without data (the larger of the two prompt kinds)."""
    schema = answer_schema(PersonaSet, max_items=count)
    return max(
        estimate_messages(persona_messages("", count=count, schema=schema, example_id="x")),
        estimate_messages(findings_messages("", schema=answer_schema(FindingSet), example_id="x")),
    )


def dry_run_plan(prepared: Prepared, config: GenerateConfig) -> tuple[FitPlan, tuple[Message, ...]]:
    """The fitting plan and the first prompt, computed without calling any provider."""
    budget = make_budget(
        config.context_tokens, "setting", config.answer_tokens, persona_overhead(config.count)
    )
    fit = plan(prepared.records, budget)
    first = _first_messages(fit, config)
    return fit, first


def _first_messages(fit: FitPlan, config: GenerateConfig) -> tuple[Message, ...]:
    chunk = fit.chunks[0]
    if fit.strategy == "single":
        return persona_messages(
            render_records(chunk),
            count=config.count,
            schema=answer_schema(PersonaSet, max_items=config.count),
            example_id=chunk[0].id,
        )
    return findings_messages(render_records(chunk), schema=answer_schema(FindingSet), example_id=chunk[0].id)


class Generator:
    """Runs the requests for one run against one provider."""

    def __init__(self, provider: Provider, config: GenerateConfig, reporter: Reporter) -> None:
        self.provider = provider
        self.config = config
        self.reporter = reporter
        self.requests: list[dict[str, Any]] = []
        self.thinking: list[str] = []
        self.quotes_dropped = 0
        self.evidence_dropped = 0
        self._sources: dict[str, str] = {}
        self.model: ModelInfo | None = None
        limit = getattr(provider, "max_concurrency", None)
        self.workers = max(1, min(config.concurrency, limit or config.concurrency))

    def resolve_model(self) -> ModelInfo:
        """Ask the provider for the model once (it may warn, e.g. that the model will not fit)."""
        if self.model is None:
            self.model = self.provider.model_info(self.config.model)
            for warning in self.model.warnings:
                self.reporter.warn(warning)
        return self.model

    def run(self, records: Sequence[Record]) -> Outcome:
        model = self.resolve_model()
        source = "provider" if model.context_length else "setting"
        context = model.context_length or self.config.context_tokens
        budget = make_budget(context, source, self.config.answer_tokens, persona_overhead(self.config.count))
        fit = plan(records, budget)
        self._sources = {record.id: _normalise(_record_text(record)) for record in records}
        self.reporter.info(
            f"model {model.name}: {budget.context_length} tokens of context; "
            + (
                "all records fit in one prompt"
                if fit.strategy == "single"
                else f"{len(records)} records split into {len(fit.chunks)} chunks"
            )
        )
        levels = 0
        if fit.strategy == "single":
            answer = self._personas(model, render_records(records), records[0].id, from_findings=False)
        else:
            findings = self._map(model, fit.chunks)
            answer, levels = self._reduce(model, findings, budget.data_tokens)
        personas = self._check_personas(answer.personas)
        return Outcome(
            personas=personas,
            model=model,
            plan=fit,
            requests=self.requests,
            reduce_levels=levels,
            quotes_dropped=self.quotes_dropped,
            evidence_dropped=self.evidence_dropped,
            thinking=self.thinking,
        )

    # -- the stages ------------------------------------------------------------------------------

    def _personas(self, model: ModelInfo, data: str, example_id: str, *, from_findings: bool) -> PersonaSet:
        schema = answer_schema(PersonaSet, max_items=self.config.count)
        messages = persona_messages(
            data, count=self.config.count, schema=schema, example_id=example_id, from_findings=from_findings
        )
        return self._ask(model, messages, schema, PersonaSet, "personas")

    def _map(self, model: ModelInfo, chunks: Sequence[Sequence[Record]]) -> list[dict[str, Any]]:
        schema = answer_schema(FindingSet)

        def one(index: int) -> list[dict[str, Any]]:
            chunk = chunks[index]
            messages = findings_messages(render_records(chunk), schema=schema, example_id=chunk[0].id)
            answer = self._ask(model, messages, schema, FindingSet, f"chunk {index + 1}/{len(chunks)}")
            return self._check_findings(answer, {record.id for record in chunk})

        results = self._parallel(one, len(chunks))
        return [finding for result in results for finding in result]

    def _reduce(
        self, model: ModelInfo, findings: list[dict[str, Any]], data_tokens: int
    ) -> tuple[PersonaSet, int]:
        schema = answer_schema(FindingSet)
        for level in range(1, MAX_REDUCE_LEVELS + 1):
            text = render_findings(findings)
            if estimate_tokens(text) <= data_tokens:
                example = findings[0]["record_ids"][0]
                return self._personas(model, text, example, from_findings=True), level
            lines = [render_findings([finding]) for finding in findings]
            groups = pack_texts(lines, data_tokens)
            if len(groups) >= len(findings):
                break
            self.reporter.info(f"merging {len(findings)} findings in {len(groups)} groups")

            merge = partial(self._merge, model, schema, findings, groups, level)
            merged = [f for result in self._parallel(merge, len(groups)) for f in result]
            if len(merged) >= len(findings):
                break
            findings = merged
        raise AnswerError(
            f"the findings did not shrink enough to fit {model.name}'s context after merging; use a "
            "model with a larger context or less data"
        )

    def _merge(
        self,
        model: ModelInfo,
        schema: Mapping[str, Any],
        findings: list[dict[str, Any]],
        groups: list[list[int]],
        level: int,
        index: int,
    ) -> list[dict[str, Any]]:
        group = [findings[i] for i in groups[index]]
        known = {rid for finding in group for rid in finding["record_ids"]}
        messages = findings_messages(
            render_findings(group), schema=schema, example_id=group[0]["record_ids"][0], from_findings=True
        )
        label = f"merge {level}.{index + 1}/{len(groups)}"
        return self._check_findings(self._ask(model, messages, schema, FindingSet, label), known)

    def _parallel(
        self, work: Callable[[int], list[dict[str, Any]]], count: int
    ) -> list[list[dict[str, Any]]]:
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

    # -- one request, validated, with one repair -------------------------------------------------

    def _ask(
        self,
        model: ModelInfo,
        messages: tuple[Message, ...],
        schema: Mapping[str, Any],
        parse_as: type[Parsed],
        label: str,
    ) -> Parsed:
        options = GenerationOptions(
            temperature=self.config.temperature,
            seed=self.config.seed,
            max_output_tokens=self.config.answer_tokens,
            reasoning=self.config.reasoning,
        )
        answers: list[str] = []
        for attempt in (1, 2):
            request = ChatRequest(
                model=model.name,
                messages=messages,
                schema=schema,
                options=options,
                prompt_tokens=estimate_messages(messages),
            )
            response = self._send(request, label if attempt == 1 else f"{label} (repair)")
            answers.append(response.text)
            if response.stop_reason == "length":
                raise AnswerTruncatedError(
                    f"{label}: the answer was cut off at the output limit "
                    f"({response.output_tokens or self.config.answer_tokens} tokens); raise answer_tokens "
                    "(PERSONA_ANSWER_TOKENS) or ask for fewer personas with --count"
                )
            parsed, problems = parse_answer(response.text, parse_as)
            if parsed is not None:
                return parsed
            if attempt == 1:
                self.reporter.warn(f"{label}: the answer did not validate ({problems}); asking for a repair")
                messages = repair_messages(messages, response.text, problems)
        raise InvalidAnswerError(
            f"{label}: the model's answer did not follow the schema after one repair ({problems})",
            answers,
        )

    def _send(self, request: ChatRequest, label: str) -> ChatResponse:
        self.reporter.request_started(label)
        started = time.perf_counter()
        response = self.provider.chat(request, progress=lambda update: self.reporter.progress(label, update))
        seconds = time.perf_counter() - started
        if not isinstance(response, ChatResponse):
            raise ProviderError(
                f"{label}: the provider returned {type(response).__name__}, not a ChatResponse"
            )
        self.reporter.request_done(label, response.output_tokens, seconds)
        self.requests.append(
            {
                "label": label,
                "estimated_prompt_tokens": request.prompt_tokens,
                "prompt_tokens": response.prompt_tokens,
                "output_tokens": response.output_tokens,
                "stop_reason": response.stop_reason,
                "seconds": round(seconds, 3),
                "timings": dict(response.timings),
                **({"provider": dict(response.metadata)} if response.metadata else {}),
            }
        )
        if response.thinking:
            self.thinking.append(f"## {label}\n\n{response.thinking}")
        return response

    # -- checks against the source ----------------------------------------------------------------

    def _check_findings(self, answer: FindingSet, known: set[str]) -> list[dict[str, Any]]:
        findings = []
        for finding in answer.findings:
            ids = [rid for rid in dict.fromkeys(finding.record_ids) if rid in known]
            self.evidence_dropped += len(set(finding.record_ids)) - len(ids)
            if not ids:
                continue
            quotes = [q.model_dump() for q in finding.quotes if self._quote_source(q.text, q.record_id)]
            self.quotes_dropped += len(finding.quotes) - len(quotes)
            findings.append(
                {"kind": finding.kind, "statement": finding.statement, "record_ids": ids, "quotes": quotes}
            )
        return findings

    def _check_personas(self, personas: Sequence[Persona]) -> list[Persona]:
        checked: list[Persona] = []
        used_ids: set[str] = set()
        for persona in personas[: self.config.count]:
            evidence = [rid for rid in dict.fromkeys(persona.evidence) if rid in self._sources]
            self.evidence_dropped += len(set(persona.evidence)) - len(evidence)
            quotes = []
            for quote in persona.quotes:
                source = self._quote_source(quote.text, quote.record_id)
                if source is None:
                    self.quotes_dropped += 1
                else:
                    quotes.append(quote.model_copy(update={"record_id": source}))
            slug = persona.id
            suffix = 2
            while slug in used_ids:
                slug, suffix = f"{persona.id}-{suffix}", suffix + 1
            used_ids.add(slug)
            checked.append(persona.model_copy(update={"id": slug, "evidence": evidence, "quotes": quotes}))
        return checked

    def _quote_source(self, text: str, record_id: str) -> str | None:
        """The id of the record that holds ``text`` word for word: the cited one, else any."""
        needle = _normalise(text).strip(" .,;:!?\"'")
        if not needle:
            return None
        if needle in self._sources.get(record_id, ""):
            return record_id
        for rid, source in self._sources.items():
            if needle in source:
                return rid
        return None


def parse_answer(text: str, parse_as: type[Parsed]) -> tuple[Parsed | None, str]:
    """Validate a model's answer; return the object, or ``None`` and a short list of problems."""
    body = _json_body(text)
    try:
        data = json.loads(body)
    except json.JSONDecodeError as exc:
        return None, f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
    try:
        return parse_as.model_validate(data), ""
    except ValidationError as exc:
        problems = [
            f"{'.'.join(str(part) for part in error['loc']) or 'the answer'}: {error['msg']}"
            for error in exc.errors()[:8]
        ]
        more = f" (and {exc.error_count() - 8} more)" if exc.error_count() > 8 else ""
        return None, "; ".join(problems) + more


def _json_body(text: str) -> str:
    """The JSON object in an answer, without Markdown fences or chatter around it."""
    stripped = text.strip()
    fenced = re.match(r"^```(?:json)?\s*(.*?)\s*```$", stripped, re.S)
    if fenced:
        stripped = fenced.group(1)
    if not stripped.startswith("{"):
        start, end = stripped.find("{"), stripped.rfind("}")
        if 0 <= start < end:
            return stripped[start : end + 1]
    return stripped


_QUOTE_MARKS = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
    }
)


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_QUOTE_MARKS).casefold()
    return " ".join(text.split())


def _record_text(record: Record) -> str:
    return "\n".join([*record.fields.values(), record.text])
