"""``persona generate``: parse flags into settings, resolve plugins, call ``persona.pipeline``."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import typer

from persona.engines import GenerateConfig
from persona.flags import executor_option, executor_overrides, scheduler_option, workers_option


def generate_command(
    inputs: list[str] = typer.Option(
        ..., "--input", "-i", help="A file or folder of research data (repeatable)."
    ),
    engine: str | None = typer.Option(
        None, "--engine", "-e", help="auto (default), extractive (no model), llm, or an engine plugin."
    ),
    provider: str | None = typer.Option(
        None, "--provider", "-p", help="Provider plugin of the llm engine (default: ollama)."
    ),
    model: str | None = typer.Option(
        None, "--model", "-m", help="Model name (default: the provider's choice)."
    ),
    count: int | None = typer.Option(
        None, "--count", "-n", help=f"How many personas (default: {GenerateConfig.count})."
    ),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="The run folder to create (must not exist, or be empty)."
    ),
    anonymise: bool = typer.Option(
        False, "--anonymise", help="Remove personal data before any engine sees it."
    ),
    strategy: str | None = typer.Option(
        None, "--strategy", help="With --anonymise: redact, replace or hash (default: redact)."
    ),
    preprocess: list[str] = typer.Option(
        [], "--preprocess", help="A preprocessor plugin to run, in the order given (repeatable)."
    ),
    record_paths: bool = typer.Option(
        False, "--record-paths", help="With --anonymise: still name input files by path in the run folder."
    ),
    assignments: list[str] = typer.Option(
        [],
        "--set",
        help="A setting for this run, KEY=VALUE (repeatable): engines.llm.grouping=similar, "
        "input.encoding=cp1252.",
    ),
    temperature: float | None = typer.Option(None, "--temperature", help="Sampling temperature."),
    seed: int | None = typer.Option(None, "--seed", help="Seed, for repeatable runs."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show the plan and first prompt; call no model."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    save_thinking: bool = typer.Option(
        False, "--save-thinking", help="Let reasoning models think, and save the trace as thinking.md."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress; only the result and errors."),
    executor: str | None = executor_option(),
    workers: int | None = workers_option(),
    scheduler: str | None = scheduler_option(),
) -> None:
    """Generate personas from research data."""
    from persona.discovery import input_paths
    from persona.errors import UsageError
    from persona.pipeline import GenerateRequest, generate
    from persona.preprocess import wants_executor
    from persona.reporting import Reporter
    from persona.runtime import current
    from persona.sources import dotted_values

    if strategy is not None and not anonymise:
        raise UsageError("--strategy needs --anonymise")
    paths = input_paths(inputs)
    runtime = current()
    flags = {
        "provider": provider,
        "engine": engine,
        "model": model,
        "count": count,
        "temperature": temperature,
        "seed": seed,
        "save_thinking": True if save_thinking else None,
    }
    settings = runtime.settings(
        {**dotted_values(assignments, "--set"), **flags, **executor_overrides(executor, workers, scheduler)}
    ).settings

    # Plugins first, data second: a missing plugin is reported before any file is read.
    host = runtime.host
    candidates = settings.auto_engines if settings.engine == "auto" else [settings.engine]
    if settings.engine != "auto":
        host.get("engine", settings.engine)
    if settings.engine != "auto" or provider is not None or model is not None:
        runtime.engine_options(candidates[0])  # bad options fail before any data is read
    if provider is not None:
        host.get("provider", settings.provider)
    names = list(dict.fromkeys([*settings.preprocessors, *preprocess]))
    if anonymise and "anonymise" not in names:
        names.insert(0, "anonymise")
    for name in names:
        host.get("preprocessor", name)
    preprocessors = [
        runtime.preprocessor(name, {"--strategy": strategy} if (name == "anonymise" and strategy) else {})
        for name in names
    ]
    config = settings.generate_config()
    request = GenerateRequest(
        inputs=paths,
        config=config,
        engine=settings.engine,
        auto_engines=settings.auto_engines,
        provider_explicit=provider is not None or model is not None,
        limits=settings.input.limits(),
        output=output,
        output_root=settings.output_root,
        dry_run=dry_run,
        record_paths=record_paths,
        plugin_versions={
            info.name: info.version or "" for info in host.plugins.values() if info.status == "loaded"
        },
    )
    # Workers start only for a step that spreads its work over them (anonymisation).
    spread = any(wants_executor(p) for p in preprocessors) and not dry_run
    with (
        Reporter(quiet=runtime.quiet or quiet or as_json) as reporter,
        runtime.executor() if spread else contextlib.nullcontext() as pool,
    ):
        engines = runtime.engine_maker(config, settings.provider)
        result = generate(
            request, engines=engines, preprocessors=preprocessors, reporter=reporter, executor=pool
        )
    summary = result.summary()
    if as_json:
        typer.echo(json.dumps(summary, indent=2, ensure_ascii=False))
    elif dry_run:
        _print_dry_run(summary)
    else:
        usage = summary["usage"]
        made = f"{summary['engine']} engine" + (f", {summary['model']}" if summary["model"] else "")
        requests = (
            f", {usage['requests']} requests, {usage['prompt_tokens']} prompt + "
            f"{usage['output_tokens']} output tokens"
            if usage["requests"]
            else ""
        )
        typer.echo(
            f"{summary['personas']} of {summary['personas_requested']} personas written to "
            f"{summary['run_folder']} ({made}{requests}, {summary['seconds']:.1f} s); open "
            f"{Path(summary['run_folder']) / 'report.html'}"
        )


def _print_dry_run(summary: dict[str, Any]) -> None:
    typer.echo(f"Dry run: no model is called. Engine: {summary['engine']}.")
    for entry in summary["files"]:
        typer.echo(f"  {entry['path']}: {entry['records']} records ({entry['format']}, {entry['encoding']})")
    typer.echo(f"Records: {summary['records']}")
    for pre in summary["preprocessors"]:
        details = ", ".join(f"{k}={v}" for k, v in pre.items() if k != "name")
        typer.echo(f"Preprocessor {pre['name']}: {details}")
    for line in summary["plan"]:
        typer.echo(line)
