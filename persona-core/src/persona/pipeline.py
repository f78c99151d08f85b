"""One call from a request to a run folder: what ``persona generate`` runs, and what a program can
call. Each step is another module's job; this one only puts them in order:

engine ready (a server that is down fails in a second) -> discover and read (``discovery``,
``codec``) -> preprocess (``preprocess``) -> engine (``engines``) -> write (``output``, temporary
folder renamed when complete).
"""

from __future__ import annotations

import platform
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from persona import __version__
from persona.codec import Document, InputLimits, read_all
from persona.discovery import discover
from persona.engines import Engine, EngineContext, EngineResult, GenerateConfig
from persona.errors import (
    MissingPluginError,
    ModelNotFoundError,
    PersonaError,
    PluginError,
    ProviderUnavailableError,
    UsageError,
)
from persona.llm.answers import InvalidAnswerError
from persona.output import (
    RunWriter,
    check_target,
    new_run_folder,
    persona_filename,
    render_index,
    render_markdown,
)
from persona.preprocess import preprocess
from persona.preprocessors import Preprocessor
from persona.providers import Provider
from persona.records import Record
from persona.reporting import Reporter, Stopwatch

EngineMaker = Callable[[str, Reporter], Engine]
"""Makes the engine of a name, reporting to the reporter given (the CLI's comes from the plugin host)."""
LLM_HINT = (
    "for personas written by a local model, start Ollama (https://ollama.com/download) and pull a chat model"
)


@dataclass
class GenerateRequest:
    inputs: Sequence[Path]
    config: GenerateConfig = field(default_factory=GenerateConfig)
    engine: str = "auto"
    provider: str = "ollama"
    provider_explicit: bool = False
    limits: InputLimits = field(default_factory=InputLimits)
    output: Path | None = None
    output_root: Path = Path("personas")
    dry_run: bool = False
    record_paths: bool = False  #: name inputs by path in the run folder even when anonymising
    save_thinking: bool = False
    plugin_versions: dict[str, str] = field(default_factory=dict)


class InputFile(BaseModel):
    path: str
    format: str
    encoding: str
    sha256: str
    bytes: int
    records: int


class RunManifest(BaseModel):
    """``manifest.json``: what was run, on what, and how. Never raw input values."""

    model_config = ConfigDict(extra="forbid")

    status: Literal["complete", "failed"]
    tool: dict[str, Any]
    started_at: str
    finished_at: str
    engine: str
    provider: str | None
    model: dict[str, Any]
    options: dict[str, Any]
    inputs: list[InputFile]
    records: int
    preprocessors: list[dict[str, Any]]
    details: dict[str, Any]
    requests: list[dict[str, Any]]
    usage: dict[str, int]
    results: dict[str, Any]
    assignments: dict[str, str]
    warnings: list[str]
    timings: dict[str, float]
    error: str | None = None


@dataclass
class RunResult:
    folder: Path | None
    manifest: dict[str, Any] | None = None
    dry_run: dict[str, Any] | None = None
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        if self.dry_run is not None:
            return {"dry_run": True, **self.dry_run}
        assert self.manifest is not None
        return {
            "run_folder": str(self.folder),
            "engine": self.manifest["engine"],
            "personas": self.manifest["results"]["personas"],
            "personas_requested": self.manifest["options"]["count"],
            "model": self.manifest["model"].get("name"),
            "requests": len(self.manifest["requests"]),
            "usage": self.manifest["usage"],
            "seconds": self.manifest["timings"]["total"],
            "warnings": self.warnings,
        }


def choose_engine(request: GenerateRequest, make: EngineMaker, reporter: Reporter) -> Engine:
    """The engine asked for, ready to run. ``auto`` takes the llm engine when its provider is
    installed and its server answers with a chat model, else the extractive engine, and says why."""
    if request.engine != "auto" or request.provider_explicit:
        engine = make("llm" if request.engine == "auto" else request.engine, reporter)
        engine.start()
        return engine
    try:
        engine = make("llm", reporter)
        engine.start()
        reporter.info(f"engine: llm ({request.provider}), because its server answers with a chat model")
        return engine
    except (ProviderUnavailableError, MissingPluginError, ModelNotFoundError) as exc:
        reason = str(exc).split(";")[0]
    except PluginError as exc:
        reason = str(exc)
    engine = make("extractive", reporter)
    engine.start()
    reporter.info(f"engine: extractive, with no model ({reason}); {LLM_HINT}, or pass --engine llm")
    return engine


def builtin_engines(
    config: GenerateConfig,
    *,
    provider: Callable[[], Provider] | None = None,
    provider_name: str | None = None,
) -> EngineMaker:
    """The built-in engines without a plugin host: for programs that call ``generate`` directly."""

    def make(name: str, reporter: Reporter) -> Engine:
        from persona.extractive.engine import ExtractiveEngine
        from persona.llm.engine import LlmEngine

        context = EngineContext(
            config=config, reporter=reporter, provider=provider, provider_name=provider_name
        )
        if name == "llm":
            return LlmEngine(context)
        if name == "extractive":
            return ExtractiveEngine(context)
        raise UsageError(f"unknown engine '{name}' (available: extractive, llm)")

    return make


def generate(
    request: GenerateRequest,
    *,
    engines: EngineMaker,
    preprocessors: Sequence[Preprocessor] = (),
    reporter: Reporter | None = None,
) -> RunResult:
    reporter = reporter or Reporter(quiet=True)
    clock = Stopwatch()
    started = datetime.now(UTC)
    target = request.output or new_run_folder(request.output_root)
    if not request.dry_run:
        check_target(target, explicit=request.output is not None)
    engine = _ready(request, engines, reporter)
    paths = discover(request.inputs, request.limits, reporter.info)
    reporter.info(f"reading {len(paths)} file{'s' if len(paths) != 1 else ''}")
    documents = read_all(paths, request.limits)
    records, summaries = preprocess([r for d in documents for r in d.records], preprocessors, reporter)
    if any(getattr(p, "hides_paths", False) for p in preprocessors) and not request.record_paths:
        # Paths can name participants: with anonymisation on, the run folder names inputs by number.
        for number, document in enumerate(documents, start=1):
            document.display = f"input {number}"
    for document in documents:
        for warning in document.warnings:
            reporter.warn(warning)
    load_seconds = clock.seconds()

    if request.dry_run:
        return RunResult(
            folder=None,
            dry_run={
                "files": [_input(d).model_dump() for d in documents],
                "records": len(records),
                "preprocessors": summaries,
                **engine.plan(records),
            },
        )

    base = {
        "tool": {
            "persona": __version__,
            "python": platform.python_version(),
            "plugins": request.plugin_versions,
        },
        "started_at": started.isoformat(timespec="seconds"),
        "engine": engine.name,
        "provider": request.provider if engine.name == "llm" else None,
        "options": {
            "count": request.config.count,
            "temperature": request.config.temperature,
            "seed": request.config.seed,
            "model": request.config.model,
            "answer_tokens": request.config.answer_tokens,
            "concurrency": request.config.concurrency,
        },
        "inputs": [_input(d) for d in documents],
        "records": len(records),
        "preprocessors": summaries,
    }
    try:
        result = engine.run(records)
    except InvalidAnswerError as exc:
        _save_failed(target, exc, engine, base, clock)
        raise
    for warning in result.warnings:
        reporter.warn(warning)
    if len(result.personas) < request.config.count:
        reporter.warn(
            f"asked for {request.config.count} personas, the {engine.name} engine gave {len(result.personas)}"
        )
    files = [persona_filename(i, p) for i, p in enumerate(result.personas, start=1)]
    manifest = RunManifest(
        status="complete",
        finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
        model=result.model,
        details=result.details,
        requests=result.requests,
        usage=_usage(result.requests),
        results={
            "personas": len(result.personas),
            "personas_requested": request.config.count,
            "files": files,
        },
        assignments=result.assignments,
        warnings=list(reporter.warnings),
        timings={"load": round(load_seconds, 3), "total": round(clock.seconds(), 3)},
        **base,
    ).model_dump(mode="json")
    _write(target, result, manifest, records, files, request.save_thinking)
    return RunResult(folder=target, manifest=manifest, warnings=list(reporter.warnings))


def _ready(request: GenerateRequest, engines: EngineMaker, reporter: Reporter) -> Engine:
    """The engine, started. In a dry run a server that is down is no error: the plan says 'assumed'."""
    if not request.dry_run:
        return choose_engine(request, engines, reporter)
    try:
        return choose_engine(request, engines, reporter)
    except PersonaError as exc:
        if request.engine not in ("llm", "auto") and not request.provider_explicit:
            raise
        reporter.info(f"dry run: the model cannot be reached ({exc}); planning with an assumed context")
        return engines("llm", reporter)


def _write(
    target: Path,
    result: EngineResult,
    manifest: dict[str, Any],
    records: Sequence[Any],
    files: list[str],
    save_thinking: bool,
) -> None:
    from persona.report import render_report

    sources = {record.id: record for record in records}
    with RunWriter(target) as writer:
        writer.write_json("personas.json", {"personas": [p.model_dump(mode="json") for p in result.personas]})
        counts = _represented(result)
        for name, persona in zip(files, result.personas, strict=True):
            writer.write_text(name, render_markdown(persona, sources, counts.get(persona.id)))
        writer.write_text("index.md", render_index(result.personas, files, manifest, counts))
        writer.write_text("report.html", render_report(result.personas, manifest, sources))
        # The records as the engine saw them (anonymised with --anonymise), so `persona report`
        # can rebuild the report; report.html shows the same records.
        writer.write_json("records.json", {"records": [record_json(r) for r in records]})
        if save_thinking and result.thinking:
            writer.write_text("thinking.md", "\n\n".join(result.thinking) + "\n")
        writer.write_json("manifest.json", manifest)
        writer.commit()


def record_json(record: Record) -> dict[str, Any]:
    source = record.source
    return {
        "id": record.id,
        "source": {
            "file": source.file,
            "row": source.row,
            "line_start": source.line_start,
            "line_end": source.line_end,
        },
        "text": record.text,
        "fields": dict(record.fields),
    }


def _represented(result: EngineResult) -> dict[str, int]:
    counts: dict[str, int] = {}
    for persona_id in result.assignments.values():
        counts[persona_id] = counts.get(persona_id, 0) + 1
    return counts


def _input(document: Document) -> InputFile:
    return InputFile(
        path=document.display,
        format=document.format,
        encoding=document.encoding,
        sha256=document.sha256,
        bytes=document.size,
        records=len(document.records),
    )


def _usage(requests: Sequence[dict[str, Any]]) -> dict[str, int]:
    return {
        "requests": len(requests),
        "prompt_tokens": sum(
            r.get("prompt_tokens") or r.get("estimated_prompt_tokens") or 0 for r in requests
        ),
        "output_tokens": sum(r.get("output_tokens") or 0 for r in requests),
    }


def _save_failed(
    target: Path, exc: InvalidAnswerError, engine: Engine, base: dict[str, Any], clock: Stopwatch
) -> None:
    """Keep the unusable answers for inspection, in a folder that is plainly not a run."""
    failed = target.with_name(f"{target.name}-failed")
    if failed.exists():
        return
    model = getattr(engine, "model", None)
    asker = getattr(engine, "asker", None)
    requests = list(asker.requests) if asker is not None else []
    manifest = RunManifest(
        status="failed",
        finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
        model={"name": model.name if model is not None else None},
        details={},
        requests=requests,
        usage=_usage(requests),
        results={},
        assignments={},
        warnings=[],
        timings={"total": round(clock.seconds(), 3)},
        error=str(exc),
        **base,
    ).model_dump(mode="json")
    with RunWriter(failed) as writer:
        for number, answer in enumerate(exc.raw_answers, start=1):
            writer.write_text(f"raw-answer-{number}.txt", answer)
        writer.write_json("manifest.json", manifest)
        writer.commit()
    exc.args = (f"{exc} — raw answers saved in {failed}",)
