"""One call from flags to a run folder: what ``persona generate`` runs, and what a program can call.

Order matters for the promises made to users: the output target is checked and every input is read
before any provider is contacted, and nothing is written until the personas are complete.
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
from persona.generation import GenerateConfig, Generator, InvalidAnswerError, dry_run_plan, prepare
from persona.loaders import InputLimits
from persona.output import RunWriter, check_target, new_run_folder, persona_filename, render_markdown
from persona.preprocessors import Preprocessor
from persona.prompts import estimate_messages
from persona.providers import Provider
from persona.reporting import Reporter, Stopwatch


@dataclass
class GenerateRequest:
    inputs: Sequence[Path]
    provider: str
    config: GenerateConfig
    limits: InputLimits = field(default_factory=InputLimits)
    output: Path | None = None
    output_root: Path = Path("personas")
    dry_run: bool = False
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
    provider: str
    model: dict[str, Any]
    options: dict[str, Any]
    inputs: list[InputFile]
    records: int
    preprocessors: list[dict[str, Any]]
    fitting: dict[str, Any]
    requests: list[dict[str, Any]]
    usage: dict[str, int]
    results: dict[str, Any]
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
            "personas": self.manifest["results"]["personas"],
            "personas_requested": self.manifest["options"]["count"],
            "model": self.manifest["model"]["name"],
            "fitting": self.manifest["fitting"]["strategy"],
            "requests": len(self.manifest["requests"]),
            "usage": self.manifest["usage"],
            "seconds": self.manifest["timings"]["total"],
            "warnings": self.warnings,
        }


def generate(
    request: GenerateRequest,
    *,
    provider: Callable[[], Provider],
    preprocessors: Sequence[Preprocessor] = (),
    reporter: Reporter | None = None,
) -> RunResult:
    reporter = reporter or Reporter(quiet=True)
    clock = Stopwatch()
    started = datetime.now(UTC)
    target = request.output or new_run_folder(request.output_root)
    generator: Generator | None = None
    if not request.dry_run:
        check_target(target, explicit=request.output is not None)
        # Reach the model before the data is read and anonymised: a server that is down or a model
        # that is missing is reported in a second, not after minutes of preprocessing.
        generator = Generator(provider(), request.config, reporter)
        generator.resolve_model()
    prepared = prepare(request.inputs, request.limits, preprocessors, reporter)
    load_seconds = clock.seconds()

    if request.dry_run:
        fit, first = dry_run_plan(prepared, request.config)
        return RunResult(
            folder=None,
            dry_run={
                "files": [_input(f).model_dump() for f in prepared.files],
                "records": len(prepared.records),
                "preprocessors": prepared.preprocessors,
                "fitting": fit.describe(),
                "estimated_first_prompt_tokens": estimate_messages(first),
                "first_prompt": [{"role": m.role, "content": m.content} for m in first],
            },
        )

    assert generator is not None
    base = {
        "tool": {
            "persona": __version__,
            "python": platform.python_version(),
            "plugins": request.plugin_versions,
        },
        "started_at": started.isoformat(timespec="seconds"),
        "provider": request.provider,
        "options": {
            "count": request.config.count,
            "temperature": request.config.temperature,
            "seed": request.config.seed,
            "model": request.config.model,
            "answer_tokens": request.config.answer_tokens,
            "concurrency": request.config.concurrency,
        },
        "inputs": [_input(f) for f in prepared.files],
        "records": len(prepared.records),
        "preprocessors": prepared.preprocessors,
    }
    try:
        outcome = generator.run(prepared.records)
    except InvalidAnswerError as exc:
        _save_failed(target, exc, generator, base, clock)
        raise

    results = {
        "personas": len(outcome.personas),
        "quotes_dropped": outcome.quotes_dropped,
        "evidence_ids_dropped": outcome.evidence_dropped,
        "files": [persona_filename(i, p) for i, p in enumerate(outcome.personas, start=1)],
    }
    if len(outcome.personas) < request.config.count:
        reporter.warn(f"asked for {request.config.count} personas, the model gave {len(outcome.personas)}")
    if outcome.quotes_dropped:
        reporter.warn(f"dropped {outcome.quotes_dropped} quotes that do not occur in the source text")
    fitting = {**outcome.plan.describe(), "reduce_levels": outcome.reduce_levels}
    manifest = RunManifest(
        status="complete",
        finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
        model={
            "name": outcome.model.name,
            "context_length": outcome.model.context_length,
            "capabilities": list(outcome.model.capabilities),
            "details": dict(outcome.model.details),
            "warnings": list(outcome.model.warnings),
        },
        fitting=fitting,
        requests=outcome.requests,
        usage=_usage(outcome.requests),
        results=results,
        timings={"load": round(load_seconds, 3), "total": round(clock.seconds(), 3)},
        **base,
    ).model_dump(mode="json")
    sources = {record.id: record.source.where() for record in prepared.records}
    with RunWriter(target) as writer:
        writer.write_json(
            "personas.json", {"personas": [p.model_dump(mode="json") for p in outcome.personas]}
        )
        for index, persona in enumerate(outcome.personas, start=1):
            writer.write_text(persona_filename(index, persona), render_markdown(persona, sources))
        if request.save_thinking and outcome.thinking:
            writer.write_text("thinking.md", "\n\n".join(outcome.thinking) + "\n")
        writer.write_json("manifest.json", manifest)
        folder = writer.commit()
    return RunResult(folder=folder, manifest=manifest, warnings=list(reporter.warnings))


def _input(loaded: Any) -> InputFile:
    return InputFile(
        path=loaded.display,
        format=loaded.format,
        encoding=loaded.encoding,
        sha256=loaded.sha256,
        bytes=loaded.size,
        records=len(loaded.records),
    )


def _usage(requests: Sequence[dict[str, Any]]) -> dict[str, int]:
    return {
        "requests": len(requests),
        "prompt_tokens": sum(r["prompt_tokens"] or r["estimated_prompt_tokens"] or 0 for r in requests),
        "output_tokens": sum(r["output_tokens"] or 0 for r in requests),
    }


def _save_failed(
    target: Path, exc: InvalidAnswerError, generator: Generator, base: dict[str, Any], clock: Stopwatch
) -> None:
    """Keep the unusable answers for inspection, in a folder that is plainly not a run."""
    failed = target.with_name(f"{target.name}-failed")
    if failed.exists():
        return
    manifest = RunManifest(
        status="failed",
        finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
        model={"name": generator.model.name if generator.model else generator.config.model},
        fitting={},
        requests=generator.requests,
        usage=_usage(generator.requests),
        results={},
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
