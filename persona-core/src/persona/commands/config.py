"""``persona config``: the effective settings and where each value came from."""

from __future__ import annotations

import json
from typing import Any

import typer

app = typer.Typer(no_args_is_help=True, help="Show the effective settings.")


@app.command("show")
def show(as_json: bool = typer.Option(False, "--json", help="Print JSON for scripts.")) -> None:
    """Print every setting, its value, and where it came from (default, file, environment)."""
    from persona.runtime import current

    runtime = current()
    loaded = runtime.settings()
    values = loaded.settings.model_dump(mode="json")
    values.update(loaded.settings.model_extra or {})
    # Each engine's table as its options model reads it: every option, set or not.
    tables: dict[str, Any] = dict(values.pop("engines", {}))
    for name, registration in runtime.host.registered("engine").items():
        if registration.options is not None:
            tables[name] = runtime.engine_options(name).model_dump(mode="json")
    values["engines"] = tables
    flat = dict(_flatten(values))
    plugin_names = set(runtime.host.plugins)
    unclaimed = sorted(set(loaded.settings.model_extra or {}) - plugin_names)
    if as_json:
        payload = {
            "file": str(loaded.file) if loaded.file else None,
            "settings": {key: {"value": v, "source": loaded.origin(key)} for key, v in flat.items()},
            "unclaimed_sections": unclaimed,
        }
        typer.echo(json.dumps(payload, indent=2))
        return
    typer.echo(f"# settings file: {loaded.file or 'none'}")
    width = max(len(key) for key in flat)
    for key, value in flat.items():
        typer.echo(f"{key.ljust(width)} = {json.dumps(value)}  # {loaded.origin(key)}")
    for name in unclaimed:
        typer.echo(f"# warning: no installed plugin is named '{name}'; its settings are unused")


def _flatten(values: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    items: list[tuple[str, Any]] = []
    for key, value in values.items():
        if isinstance(value, dict) and value:
            items.extend(_flatten(value, f"{prefix}{key}."))
        else:
            items.append((f"{prefix}{key}", value))
    return items
