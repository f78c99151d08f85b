"""``persona generate``: parse flags into settings, resolve plugins, call ``persona.pipeline``."""

from __future__ import annotations

import json
from pathlib import Path

import typer


def generate_command(
    inputs: list[Path] = typer.Option(
        ..., "--input", "-i", help="A file or folder of research data (repeatable)."
    ),
    provider: str | None = typer.Option(
        None, "--provider", "-p", help="Provider plugin (default: the provider setting, ollama)."
    ),
    model: str | None = typer.Option(
        None, "--model", "-m", help="Model name (default: the provider's choice)."
    ),
    count: int | None = typer.Option(None, "--count", "-n", help="How many personas (default: 3)."),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="The run folder to create (must not exist, or be empty)."
    ),
    anonymise: bool = typer.Option(
        False, "--anonymise", help="Remove personal data before the model sees it."
    ),
    strategy: str | None = typer.Option(
        None, "--strategy", help="With --anonymise: redact, replace or hash (default: redact)."
    ),
    temperature: float | None = typer.Option(None, "--temperature", help="Sampling temperature."),
    seed: int | None = typer.Option(None, "--seed", help="Sampling seed, for repeatable runs."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show the plan and first prompt; call no model."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    save_thinking: bool = typer.Option(
        False, "--save-thinking", help="Let reasoning models think, and save the trace as thinking.md."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress; only the result and errors."),
) -> None:
    """Generate personas from research data."""
    from persona.errors import UsageError
    from persona.generation import GenerateConfig
    from persona.pipeline import GenerateRequest, generate
    from persona.reporting import Reporter
    from persona.runtime import current

    if strategy is not None and not anonymise:
        raise UsageError("--strategy needs --anonymise")
    runtime = current()
    settings = runtime.settings(
        {"provider": provider, "model": model, "count": count, "temperature": temperature, "seed": seed}
    ).settings

    # Plugins first, data second: a missing plugin is reported before any file is read.
    host = runtime.host
    host.get("provider", settings.provider)
    preprocessors = []
    if anonymise:
        preprocessors.append(runtime.preprocessor("anonymise", {"strategy": strategy} if strategy else {}))

    request = GenerateRequest(
        inputs=inputs,
        provider=settings.provider,
        config=GenerateConfig(
            count=settings.count,
            model=settings.model,
            temperature=settings.temperature,
            seed=settings.seed,
            answer_tokens=settings.answer_tokens,
            context_tokens=settings.context_tokens,
            concurrency=settings.concurrency,
            reasoning=True if (save_thinking or settings.save_thinking) else None,
        ),
        limits=settings.input.limits(),
        output=output,
        output_root=settings.output_root,
        dry_run=dry_run,
        save_thinking=save_thinking or settings.save_thinking,
        plugin_versions={
            info.name: info.version or "" for info in host.plugins.values() if info.status == "loaded"
        },
    )
    with Reporter(quiet=runtime.quiet or quiet or as_json) as reporter:
        result = generate(
            request,
            provider=lambda: runtime.provider(settings.provider),
            preprocessors=preprocessors,
            reporter=reporter,
        )
    summary = result.summary()
    if as_json:
        typer.echo(json.dumps(summary, indent=2, ensure_ascii=False))
    elif dry_run:
        _print_dry_run(summary)
    else:
        usage = summary["usage"]
        typer.echo(
            f"{summary['personas']} of {summary['personas_requested']} personas written to "
            f"{summary['run_folder']} ({summary['model']}, {summary['fitting']}, {usage['requests']} "
            f"requests, {usage['prompt_tokens']} prompt + {usage['output_tokens']} output tokens, "
            f"{summary['seconds']:.1f} s)"
        )


def _print_dry_run(summary: dict) -> None:
    typer.echo("Dry run: no model is called.")
    for entry in summary["files"]:
        typer.echo(f"  {entry['path']}: {entry['records']} records ({entry['format']}, {entry['encoding']})")
    fit = summary["fitting"]
    typer.echo(f"Records: {summary['records']}, about {fit['estimated_data_tokens']} tokens of data")
    for pre in summary["preprocessors"]:
        details = ", ".join(f"{k}={v}" for k, v in pre.items() if k != "name")
        typer.echo(f"Preprocessor {pre['name']}: {details}")
    typer.echo(
        f"Context: {fit['context_length']} tokens ({fit['context_source']}), {fit['answer_tokens']} kept for "
        f"the answer, {fit['data_tokens_per_prompt']} for data per prompt"
    )
    if fit["strategy"] == "single":
        typer.echo("Plan: one request with every record")
    else:
        typer.echo(
            f"Plan: map-reduce, {len(fit['chunks'])} chunk requests ({', '.join(map(str, fit['chunks']))} "
            "records), then one request that writes the personas from their findings"
        )
    typer.echo(f"First prompt (about {summary['estimated_first_prompt_tokens']} tokens):")
    for message in summary["first_prompt"]:
        typer.echo(f"--- {message['role']} ---")
        typer.echo(message["content"])
