"""``persona report RUN_FOLDER``: rebuild ``report.html`` and ``index.md`` from a run folder, for
example after editing ``personas.json`` by hand."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer


def report_command(
    folder: Path = typer.Argument(..., help="A run folder written by `persona generate`."),
) -> None:
    """Rebuild report.html and index.md from a run folder's personas.json, manifest.json and records.json."""
    from pydantic import ValidationError

    from persona.errors import InputError
    from persona.output import persona_filename, render_index
    from persona.records import Provenance, Record
    from persona.report import render_report
    from persona.schema import Persona

    def load(name: str) -> Any:
        path = folder / name
        if not path.is_file():
            raise InputError(f"{folder}: not a Persona run folder ({name} is missing)")
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(f"{path}: not valid JSON ({exc})") from None

    manifest = load("manifest.json")
    if not isinstance(manifest, dict) or manifest.get("persona_artefact") != "manifest":
        raise InputError(f"{folder}: not a Persona run folder (manifest.json was not written by Persona)")
    data = load("personas.json")
    raw = data.get("personas") if isinstance(data, dict) else None
    if not isinstance(raw, list):
        raise InputError(f'{folder / "personas.json"}: expected {{"personas": [...]}}')
    personas = []
    for number, item in enumerate(raw, start=1):
        for _ in range(50):  # texts too long for a persona are cut, with a note, one by one
            try:
                personas.append(Persona.model_validate(item))
                break
            except ValidationError as exc:
                error = exc.errors()[0]
                where = ".".join(str(p) for p in error["loc"])
                if error["type"] != "string_too_long" or not _cut(
                    item, error["loc"], error["ctx"]["max_length"]
                ):
                    raise InputError(
                        f"{folder / 'personas.json'}: persona {number}, {where}: {error['msg']}"
                    ) from None
                typer.echo(
                    f"persona: warning: persona {number}, {where} is too long; cut in the report", err=True
                )
    stored = load("records.json") if (folder / "records.json").is_file() else {"records": []}
    records = {}
    for item in stored.get("records", []):
        source = item.get("source", {})
        records[item["id"]] = Record(
            id=item["id"],
            source=Provenance(
                source.get("file", ""), source.get("row"), source.get("line_start"), source.get("line_end")
            ),
            text=item.get("text", ""),
            fields=item.get("fields", {}),
        )
    counts: dict[str, int] = {}
    for persona_id in (manifest.get("assignments") or {}).values():
        counts[persona_id] = counts.get(persona_id, 0) + 1
    files = [persona_filename(i, p) for i, p in enumerate(personas, start=1)]
    (folder / "report.html").write_text(render_report(personas, manifest, records), encoding="utf-8")
    (folder / "index.md").write_text(render_index(personas, files, manifest, counts), encoding="utf-8")
    typer.echo(f"{len(personas)} personas: {folder / 'report.html'} rebuilt")


def _cut(item: Any, location: tuple[Any, ...], limit: int) -> bool:
    """Cut the string at ``location`` to ``limit`` characters, ending with a visible note."""
    parent = item
    for part in location[:-1]:
        parent = parent[part]
    text = parent[location[-1]]
    if not isinstance(text, str):
        return False
    note = f" … [cut: {len(text) - limit + 20:,} more characters]"
    parent[location[-1]] = text[: max(1, limit - len(note))] + note
    return True
