"""``persona plugins``: what is installed, what each plugin adds, and what failed."""

from __future__ import annotations

import json
from typing import Any

import typer

from persona.plugins import PluginHost


def plugins_command(
    as_json: bool = typer.Option(False, "--json", help="Print JSON for scripts."),
) -> None:
    """List plugins with their distribution, version, hooks and load errors."""
    from persona.runtime import current

    rows = describe_plugins(current().host)
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        where = f"{row['distribution']} {row['version']}" if row["distribution"] else "in-process"
        marker = " (built-in)" if row["builtin"] else ""
        typer.echo(f"{row['name']}{marker}  {where}  [{row['status']}]")
        if row["hooks"]:
            typer.echo(f"  hooks: {', '.join(row['hooks'])}")
        for kind in ("providers", "preprocessors", "engines", "commands"):
            if row[kind]:
                described = row["descriptions"]
                typer.echo(f"  {kind}:")
                for name in row[kind]:
                    about = described.get(f"{kind[:-1]}:{name}")
                    typer.echo(f"    {name}" + (f": {about}" if about else ""))
        for error in row["errors"]:
            typer.echo(f"  error: {error}")


def describe_plugins(host: PluginHost) -> list[dict[str, Any]]:
    kinds = {
        "providers": host.registered("provider"),
        "preprocessors": host.registered("preprocessor"),
        "engines": host.registered("engine"),
        "commands": host.registered("command"),
    }
    conflicts = {kind: host.conflicts(kind) for kind in ("provider", "preprocessor", "engine", "command")}
    rows: list[dict[str, Any]] = []
    for info in host.plugins.values():
        errors = list(info.errors)
        for kind, names in conflicts.items():
            for name, owners in names.items():
                if info.name in owners:
                    others = ", ".join(f"'{o}'" for o in owners if o != info.name)
                    errors.append(f"{kind} '{name}' is also registered by {others}")
        rows.append(
            {
                "name": info.name,
                "distribution": info.distribution,
                "version": info.version,
                "module": info.module,
                "builtin": info.builtin,
                "status": info.status,
                "hooks": host.hooks_of(info.name),
                **{
                    kind: [r.name for r in regs.values() if r.plugin == info.name]
                    for kind, regs in kinds.items()
                },
                "descriptions": {
                    f"{kind[:-1]}:{r.name}": r.description
                    for kind, regs in kinds.items()
                    for r in regs.values()
                    if r.plugin == info.name and r.description
                },
                "errors": errors,
                **({"tracebacks": info.tracebacks} if info.tracebacks else {}),
            }
        )
    return rows
