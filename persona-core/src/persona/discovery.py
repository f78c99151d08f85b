"""Which files are research data: the paths given, folders searched with the input globs.

Skipped, and said once: anything that is not a regular file (a FIFO would hang the reader), and
what Persona wrote itself (run folders, anonymisation summaries, saved mappings), which is never
research data and may hold raw values.
"""

from __future__ import annotations

import stat
from collections.abc import Callable, Iterable, Iterator, Sequence
from fnmatch import fnmatch
from pathlib import Path

from persona.codec import FORMATS, InputLimits
from persona.errors import InputError, UsageError

ARTEFACT_KEY = "persona_artefact"
"""Every JSON file Persona writes carries this top-level key, naming what it is."""
RUN_MARKER = "manifest.json"

Notice = Callable[[str], None]


def input_paths(values: Sequence[str], flag: str = "--input") -> list[Path]:
    """Paths as typed on the command line. An empty one is a mistake, not the current folder."""
    paths = []
    for value in values:
        if not value.strip():
            raise UsageError(f"{flag} is empty; name a file or folder ('.' for this folder)")
        paths.append(Path(value).expanduser())
    return paths


def discover(paths: Iterable[Path], limits: InputLimits, notice: Notice | None = None) -> list[Path]:
    """The files to read: named files as given, folders searched recursively with the globs."""
    skipped: list[str] = []
    found: list[Path] = []
    for path in paths:
        if not path.exists():
            raise InputError(f"{path}: no such file or folder")
        if path.is_dir():
            if is_run_folder(path):
                raise InputError(f"{path}: this is a folder Persona wrote (a run), not research data")
            inside = sorted(_walk(path, limits, skipped))
            if not inside:
                kinds = ", ".join(sorted(FORMATS))
                raise InputError(f"{path}: the folder holds no supported files ({kinds})")
            found.extend(inside)
        else:
            if not _regular(path):
                raise InputError(f"{path}: not a regular file (a pipe or device?); save the data to a file")
            if path.suffix.lower() not in FORMATS:
                raise InputError(
                    f"{path}: unsupported file type '{path.suffix or '(none)'}'; "
                    f"supported: {', '.join(sorted(FORMATS))}"
                )
            if is_artefact(path):
                raise InputError(f"{path}: this file was written by Persona, not research data")
            found.append(path)
    if skipped and notice is not None:
        shown = ", ".join(skipped[:3]) + (f" and {len(skipped) - 3} more" if len(skipped) > 3 else "")
        notice(
            f"skipped {len(skipped)} path{'s' if len(skipped) != 1 else ''} that are not research data: "
            + shown
        )
    unique: dict[Path, None] = {}
    for path in found:
        unique.setdefault(path.resolve(), None)
    return list(unique)


def _walk(folder: Path, limits: InputLimits, skipped: list[str]) -> Iterator[Path]:
    for child in folder.iterdir():
        if any(fnmatch(child.name, pattern) for pattern in limits.exclude):
            continue
        if child.is_symlink() and not child.exists():
            continue
        if child.is_dir():
            if is_run_folder(child):
                skipped.append(f"{child} (a Persona run)")
                continue
            yield from _walk(child, limits, skipped)
        elif child.suffix.lower() in FORMATS and any(
            fnmatch(child.name, pattern) for pattern in limits.include
        ):
            if not _regular(child):
                skipped.append(f"{child} (not a regular file)")
            elif is_artefact(child):
                skipped.append(f"{child} (written by Persona)")
            else:
                yield child


def _regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return False


def is_artefact(path: Path) -> bool:
    """A JSON file Persona wrote: its first bytes hold the artefact key."""
    if path.suffix.lower() != ".json":
        return False
    try:
        with path.open("rb") as handle:
            head = handle.read(256)
    except OSError:
        return False
    return f'"{ARTEFACT_KEY}"'.encode() in head


def is_run_folder(path: Path) -> bool:
    marker = path / RUN_MARKER
    return marker.is_file() and is_artefact(marker)
