"""``persona report RUN_FOLDER``: rebuild ``report.html``, ``index.md`` and the persona pages from a run
folder, for example after editing ``personas.json`` by hand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer


def report_command(
    folder: Path = typer.Argument(..., help="A run folder written by `persona generate`."),
) -> None:
    """Rebuild report.html and index.md from a run folder's personas.json, manifest.json and records.json."""
    from persona.run_folder import REPORT, read_run, rerender

    run = read_run(folder, cut=_cut)
    rerender(folder, run)
    typer.echo(f"{len(run.personas)} personas: {folder / REPORT} rebuilt")


def _cut(number: int, where: str, item: Any, location: tuple[Any, ...], limit: int) -> bool:
    """Cut the string at ``location`` to ``limit`` characters, ending with a visible note."""
    parent = item
    for part in location[:-1]:
        parent = parent[part]
    text = parent[location[-1]]
    if not isinstance(text, str):
        return False
    note = f" … [cut: {len(text) - limit + 20:,} more characters]"
    parent[location[-1]] = text[: max(1, limit - len(note))] + note
    typer.echo(f"persona: warning: persona {number}, {where} is too long; cut in the report", err=True)
    return True
