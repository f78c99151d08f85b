"""``persona doctor``: one line per check, what is wrong and what to do."""

from __future__ import annotations

import json
import platform
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from persona.checks import CheckResult
    from persona.runtime import Runtime

MARKS = {"ok": "ok", "warning": "warning", "problem": "PROBLEM"}


def doctor_command(as_json: bool = typer.Option(False, "--json", help="Print JSON for scripts.")) -> None:
    """Check Python, plugins, settings, the output folder, the model server and the privacy tools."""
    from persona.checks import run_checks
    from persona.errors import CheckFailedError
    from persona.runtime import current

    results = run_checks(current())
    if as_json:
        typer.echo(json.dumps([r.as_dict() for r in results], indent=2))
    else:
        for r in results:
            fix = f" -> {r.fix}" if r.fix and r.status != "ok" else ""
            typer.echo(f"{MARKS[r.status]:8s} {r.name}: {r.message}{fix}")
    problems = [r for r in results if r.status == "problem"]
    if problems:
        raise CheckFailedError(f"{len(problems)} of {len(results)} checks found a problem")


def core_checks(runtime: Runtime) -> Iterator[CheckResult]:
    from persona import __version__
    from persona.checks import CheckResult
    from persona.errors import SettingsError

    version = platform.python_version()
    yield CheckResult(
        "python",
        "ok" if sys.version_info >= (3, 11) else "problem",
        f"Python {version}, Persona {__version__}",
        "use Python 3.11 or newer",
    )
    for info in runtime.host.plugins.values():
        if info.status == "failed":
            yield CheckResult(
                f"plugin {info.name}",
                "problem",
                "; ".join(info.errors),
                f"reinstall or upgrade {info.distribution or info.name}, or block it with plugins.block",
            )
        elif info.status != "loaded":
            yield CheckResult(f"plugin {info.name}", "ok", f"{info.status} by your settings")
    loaded = [i.name for i in runtime.host.plugins.values() if i.status == "loaded" and not i.builtin]
    yield CheckResult("plugins", "ok", f"loaded: {', '.join(loaded) or 'none'}")
    try:
        settings = runtime.settings()
    except SettingsError as exc:
        yield CheckResult("settings", "problem", str(exc), "fix the settings file or variable named")
        return
    yield CheckResult("settings", "ok", f"file: {settings.file or 'none (defaults)'}")
    from persona.output import cannot_create

    root = settings.settings.output_root
    problem = cannot_create(root)
    if problem is None:
        yield CheckResult("output folder", "ok", f"{root} is writable")
    else:
        yield CheckResult(
            "output folder",
            "problem",
            f"cannot create run folders in {root}: {problem}",
            "set output_root to a folder you can write, or use --output",
        )
