"""One call from a request to a run folder: what ``persona generate`` runs, and what a program can
call. Each step is another module's job; this one only puts them in order:

engine ready (a server that is down fails in a second) -> discover and read (``discovery``,
``codec``) -> preprocess (``preprocess``) -> engine (``engines``) -> write (``output``, temporary
folder renamed when complete).
"""

from __future__ import annotations

import platform
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from persona import __version__
from persona.codec import InputLimits, Stream, stream_all
from persona.discovery import discover
from persona.engines import Engine, GenerateConfig
from persona.errors import (
    MissingPluginError,
    ModelNotFoundError,
    PersonaError,
    PluginError,
    ProviderUnavailableError,
    UsageError,
)
from persona.executors import Executor
from persona.output import check_target, new_run_folder
from persona.preprocess import preprocess
from persona.preprocessors import Preprocessor
from persona.reporting import Reporter, Stopwatch
from persona.run_folder import Run, write_failed, write_run

EngineMaker = Callable[[str, Reporter], Engine]
"""Makes the engine of a name, reporting to the reporter given (``Runtime.engine_maker`` makes one
from the plugin host: the one registry of engines)."""
#: What makes ``auto`` move on to the next engine: the engine's server, plugin or model is missing.
UNAVAILABLE = (ProviderUnavailableError, MissingPluginError, ModelNotFoundError, PluginError)


@dataclass
class GenerateRequest:
    inputs: Sequence[Path]
    config: GenerateConfig = field(default_factory=GenerateConfig)
    engine: str = "auto"
    #: what ``engine = "auto"`` tries, in order; the first that starts is used (setting auto_engines)
    auto_engines: Sequence[str] = ()
    #: a provider or model was named: ``auto`` means the first of ``auto_engines``, with no fallback
    provider_explicit: bool = False
    limits: InputLimits = field(default_factory=InputLimits)
    output: Path | None = None
    output_root: Path = Path("personas")
    dry_run: bool = False
    record_paths: bool = False  #: name inputs by path in the run folder even when anonymising
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
    note: str | None = None  #: the engine's line on how the personas were made


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
    """The engine asked for, started. ``auto`` tries ``auto_engines`` in order and takes the first
    that starts, saying which and why the ones before it could not."""
    candidates = list(request.auto_engines) if request.engine == "auto" else [request.engine]
    if not candidates:
        raise UsageError("engine = 'auto' needs the auto_engines setting to name at least one engine")
    if request.engine != "auto" or request.provider_explicit:
        engine = make(candidates[0], reporter)
        engine.start()
        return engine
    reasons: list[str] = []
    for index, name in enumerate(candidates):
        engine = make(name, reporter)
        try:
            engine.start()
        except UNAVAILABLE as exc:
            if index == len(candidates) - 1:
                raise
            reasons.append(f"{name}: {str(exc).split(';')[0]}")
            continue
        why = f", because {'; '.join(reasons)}" if reasons else ""
        reporter.info(f"engine: {name}{why}" + (f"; {_HINT}" if reasons else ""))
        return engine
    raise AssertionError("unreachable: the last candidate raises")  # pragma: no cover


_HINT = "to choose, pass --engine NAME (persona plugins lists the engines)"


def generate(
    request: GenerateRequest,
    *,
    engines: EngineMaker,
    preprocessors: Sequence[Preprocessor] = (),
    reporter: Reporter | None = None,
    executor: Executor | None = None,
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
    documents = stream_all(paths, request.limits)  # each checked whole, none held whole
    records, summaries = preprocess(
        [r for d in documents for r in d.records()], preprocessors, reporter, executor
    )
    if any(p.hides_paths for p in preprocessors) and not request.record_paths:
        # Paths can name participants: with anonymisation on, the run folder names inputs by number.
        for number, document in enumerate(documents, start=1):
            document.display = f"input {number}"
    for document in documents:
        for warning in document.warnings:
            reporter.warn(warning)
    load_seconds = clock.seconds()

    if request.dry_run:
        plan = engine.plan(records)
        return RunResult(
            folder=None,
            dry_run={
                "engine": engine.name,
                "files": [_input(d).model_dump() for d in documents],
                "records": len(records),
                "preprocessors": summaries,
                "plan": plan.lines,
                "details": plan.details,
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
        "options": asdict(request.config),
        "inputs": [_input(d) for d in documents],
        "records": len(records),
        "preprocessors": summaries,
    }
    try:
        result = engine.run(records)
    except PersonaError as exc:
        if exc.kept is not None:
            _save_failed(target, exc, base, clock)
        raise
    for warning in result.warnings:
        reporter.warn(warning)
    if len(result.personas) < request.config.count:
        reporter.warn(
            f"asked for {request.config.count} personas, the {engine.name} engine gave {len(result.personas)}"
        )
    personas = [p.model_copy(update={"kind": engine.name}) for p in result.personas]
    run = Run(personas=personas, manifest={}, records={r.id: r for r in records}, files=result.files)
    manifest = RunManifest(
        status="complete",
        finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
        provider=result.model.get("provider"),
        model=result.model,
        details=result.details,
        requests=result.requests,
        usage=_usage(result.requests),
        results={
            "personas": len(personas),
            "personas_requested": request.config.count,
            "files": run.markdown_files,
        },
        assignments=result.assignments,
        note=result.note,
        warnings=list(reporter.warnings),
        timings={"load": round(load_seconds, 3), "total": round(clock.seconds(), 3)},
        **base,
    ).model_dump(mode="json")
    run.manifest = manifest
    write_run(target, run)
    return RunResult(folder=target, manifest=manifest, warnings=list(reporter.warnings))


def _ready(request: GenerateRequest, engines: EngineMaker, reporter: Reporter) -> Engine:
    """The engine, started. In a dry run an engine that cannot start where there is no fallback
    (named, or a provider named) still plans, unstarted: the plan says what it assumed."""
    if not request.dry_run:
        return choose_engine(request, engines, reporter)
    try:
        return choose_engine(request, engines, reporter)
    except UNAVAILABLE as exc:
        name = request.engine if request.engine != "auto" else request.auto_engines[0]
        reporter.info(f"dry run: the {name} engine cannot start ({exc}); planning with what it assumes")
        return engines(name, reporter)


def _input(document: Stream) -> InputFile:
    return InputFile(
        path=document.display,
        format=document.format,
        encoding=document.encoding,
        sha256=document.sha256,
        bytes=document.size,
        records=document.record_count,
    )


def _usage(requests: Sequence[dict[str, Any]]) -> dict[str, int]:
    return {
        "requests": len(requests),
        "prompt_tokens": sum(
            r.get("prompt_tokens") or r.get("estimated_prompt_tokens") or 0 for r in requests
        ),
        "output_tokens": sum(r.get("output_tokens") or 0 for r in requests),
    }


def _save_failed(target: Path, exc: PersonaError, base: dict[str, Any], clock: Stopwatch) -> None:
    """Keep what the engine kept of a failed run for inspection, in a folder that is plainly not a run."""
    kept = exc.kept
    assert kept is not None
    requests = [dict(r) for r in kept.requests]
    manifest = RunManifest(
        status="failed",
        finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
        provider=kept.model.get("provider"),
        model=dict(kept.model),
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
    failed = write_failed(target, manifest, kept.files)
    if failed is not None:
        exc.args = (f"{exc} — what the run kept is in {failed}",)
