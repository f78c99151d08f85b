"""Writing a run folder: into a temporary folder beside it, renamed into place when complete.

A run that fails or is interrupted leaves no run folder behind, only nothing.
"""

from __future__ import annotations

import json
import secrets
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from persona.discovery import ARTEFACT_KEY
from persona.errors import OutputError


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
    problem = cannot_create(target.parent)
    if problem:
        raise OutputError(f"{target.parent}: cannot create the output folder here: {problem}")


def cannot_create(folder: Path) -> str | None:
    """Why a folder could not be made at ``folder`` (or inside it), or ``None`` when it can.

    Proved with a scratch folder that is removed at once, not judged from permission bits: ``/proc``
    and read-only mounts pass ``os.access`` for root and still refuse.
    """
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if not probe.is_dir():
        return f"{probe} is a file"
    try:
        scratch = probe / f".persona-probe-{secrets.token_hex(4)}"
        scratch.mkdir()
        scratch.rmdir()
    except OSError as exc:
        return exc.strerror or type(exc).__name__
    return None


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
        with self.open_text(name) as out:
            out.write(text)

    @contextmanager
    def open_text(self, name: str) -> Iterator[TextIO]:
        """A file of the folder to write a piece at a time (UTF-8, line endings as written: a copy
        of a Windows export keeps its CRLF); ``name`` may hold folders."""
        assert self.temp is not None
        path = self.temp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="") as out:  # written as given: no translation
            yield out

    def write_json(self, name: str, data: Any) -> None:
        """JSON marked as Persona's own (``persona_artefact`` first), so it is never read back as data."""
        self.write_text(name, artefact_json(name.removesuffix(".json"), data))

    def write_json_list(self, name: str, key: str, items: Iterable[Any]) -> None:
        """``write_json(name, {key: list(items)})``, the same text, written an item at a time, so a
        million records never sit in memory as one string."""
        assert self.temp is not None
        empty = artefact_json(name.removesuffix(".json"), {key: []})
        head, tail = empty[: empty.rindex("[]") + 1], "\n  ]\n}\n"
        with (self.temp / name).open("w", encoding="utf-8") as out:
            out.write(head)
            first = True
            for item in items:
                body = json.dumps(item, indent=2, ensure_ascii=False).replace("\n", "\n    ")
                out.write(("\n    " if first else ",\n    ") + body)
                first = False
            out.write("]\n}\n" if first else tail)

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


def artefact_json(kind: str, data: Any) -> str:
    """``data`` as JSON with the marker that tells Persona's readers to skip the file."""
    if isinstance(data, dict):
        data = {ARTEFACT_KEY: kind, **{k: v for k, v in data.items() if k != ARTEFACT_KEY}}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
