"""Writing a run folder: into a temporary folder beside it, renamed into place when complete.

A run that fails or is interrupted leaves no run folder behind, only nothing.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from persona.errors import OutputError
from persona.schema import Persona


def new_run_folder(root: Path) -> Path:
    """``root/<UTC timestamp>-<short id>``: never the name of an earlier run."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return root / f"{stamp}-{secrets.token_hex(3)}"


def check_target(target: Path, *, explicit: bool) -> None:
    """Refuse a target that exists and is not an empty folder, before any work is done."""
    if target.exists():
        if not target.is_dir():
            raise OutputError(f"{target}: exists and is not a folder")
        if any(target.iterdir()):
            kind = "--output folder" if explicit else "run folder"
            raise OutputError(f"{target}: the {kind} exists and is not empty; choose a new one")
    parent = target.parent
    probe = parent
    while not probe.exists():
        probe = probe.parent
    if not os.access(probe, os.W_OK):
        raise OutputError(f"{parent}: cannot create the output folder here (no write permission)")


class RunWriter:
    """Collects files in a temporary folder; ``commit`` renames it to the target."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.temp: Path | None = None

    def __enter__(self) -> RunWriter:
        self.target.parent.mkdir(parents=True, exist_ok=True)
        self.temp = self.target.parent / f".{self.target.name}.tmp-{secrets.token_hex(4)}"
        self.temp.mkdir()
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if self.temp is not None and self.temp.exists():
            shutil.rmtree(self.temp, ignore_errors=True)

    def write_text(self, name: str, text: str) -> None:
        assert self.temp is not None
        (self.temp / name).write_text(text, encoding="utf-8")

    def write_json(self, name: str, data: Any) -> None:
        self.write_text(name, json.dumps(data, indent=2, ensure_ascii=False) + "\n")

    def commit(self) -> Path:
        assert self.temp is not None
        try:
            if self.target.exists():
                self.target.rmdir()  # an empty folder named with --output
            self.temp.rename(self.target)
        except OSError as exc:
            raise OutputError(f"{self.target}: cannot create the run folder: {exc.strerror}") from None
        self.temp = None
        return self.target


def persona_filename(index: int, persona: Persona) -> str:
    return f"{index:02d}-{persona.id}.md"


def render_markdown(persona: Persona, sources: Mapping[str, str]) -> str:
    """One persona as Markdown. ``sources`` maps record ids to where they came from."""
    lines = [f"# {persona.name}", "", f"*{persona.role}*", "", persona.summary, ""]
    demographics = [
        (label, value)
        for label, value in (
            ("Age", persona.demographics.age_range),
            ("Occupation", persona.demographics.occupation),
            ("Location", persona.demographics.location),
        )
        if value
    ]
    if demographics:
        lines += ["## Demographics", ""] + [f"- **{label}:** {value}" for label, value in demographics] + [""]
    for title, items in (
        ("Goals", persona.goals),
        ("Pain points", persona.pain_points),
        ("Behaviours", persona.behaviours),
        ("Motivations", persona.motivations),
    ):
        lines += [f"## {title}", ""] + [f"- {item}" for item in items] + [""]
    if persona.quotes:
        lines += ["## In their words", ""]
        for quote in persona.quotes:
            lines += [f"> {quote.text}", f"> — `{quote.record_id}`", ""]
    lines += ["## Evidence", ""]
    if persona.evidence:
        lines += [f"- `{rid}` ({sources.get(rid, 'unknown')})" for rid in persona.evidence]
    else:
        lines.append("- none of the cited records exist in the input; treat this persona with care")
    return "\n".join(lines) + "\n"
