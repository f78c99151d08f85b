"""``persona ollama models`` and ``persona ollama pull``. Light at import; work inside functions."""

from __future__ import annotations

import json
import sys
from typing import Any

import typer

app = typer.Typer(no_args_is_help=True, help="List and pull local Ollama models.")


def _provider() -> Any:
    from persona import current_runtime as current

    return current().provider("ollama")


@app.command("models")
def models(as_json: bool = typer.Option(False, "--json", help="Print JSON for scripts.")) -> None:
    """List installed models: size, parameters, quantisation, context, capabilities, loaded now."""
    provider = _provider()
    loaded = provider.loaded()
    rows = []
    for info in provider.list_models():
        rows.append(
            {
                "name": info.name,
                "size_bytes": info.size_bytes,
                "parameter_size": info.details.get("parameter_size"),
                "quantization": info.details.get("quantization_level"),
                "context_length": info.details.get("native_context_length"),
                "capabilities": list(info.capabilities),
                "loaded": info.name in loaded,
                **_fit(provider, info),
            }
        )
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        typer.echo("No models installed. Install one with: persona ollama pull qwen2.5:7b")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(
        "model",
        "size",
        "parameters",
        "quantisation",
        "context",
        "capabilities",
        "loaded",
        "fits",
        box=None,
        pad_edge=False,
    )
    for row in rows:
        table.add_row(
            row["name"],
            _size(row["size_bytes"]),
            row["parameter_size"] or "?",
            row["quantization"] or "?",
            f"{row['context_length']:,}" if row["context_length"] else "?",
            ", ".join(row["capabilities"]) or "?",
            "yes" if row["loaded"] else "",
            _FITS[row["fits"]],
        )
    # A pipe or file gets the full table, not one cut to 80 columns.
    Console(width=None if sys.stdout.isatty() else 200).print(table)


@app.command("pull")
def pull(name: str = typer.Argument(..., help="Model name, e.g. qwen2.5:7b")) -> None:
    """Download a model into Ollama, with progress."""
    provider = _provider()
    if sys.stderr.isatty():
        _pull_with_bar(provider, name)
    else:
        last = None
        for update in provider.pull(name):
            if update.status != last:
                typer.echo(f"persona: {name}: {update.status}", err=True)
                last = update.status
    typer.echo(f"pulled {name}")


def _pull_with_bar(provider: Any, name: str) -> None:
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn

    with Progress(
        TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(), transient=True
    ) as bar:
        tasks: dict[str, Any] = {}
        for update in provider.pull(name):
            key = update.digest or update.status
            if update.total:
                if key not in tasks:
                    tasks[key] = bar.add_task(
                        f"{name} {key[7:19] if update.digest else key}", total=update.total
                    )
                bar.update(tasks[key], completed=update.completed or 0)
            else:
                bar.console.print(update.status)


_FITS = {"gpu": "GPU", "ram": "RAM only (slow)", "no": "no", "unknown": "?"}


def _fit(provider: Any, info: Any) -> dict[str, Any]:
    fit = provider.fit(info)
    return {"fits": fit.verdict, "memory_needed_bytes": fit.needed_bytes, "at_context": fit.context}


def _size(size: int | None) -> str:
    if not size:
        return "?"
    value = float(size)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if value < 1000:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} PB"
