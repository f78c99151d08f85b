"""Input files to records: discovery, decoding, and one parser per format.

Every problem with a file is an ``InputError`` naming the file, and the line or row where known.
Nothing here writes anything.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

from persona.errors import InputError
from persona.records import Provenance, Record

TABLE_FORMATS = {".csv": "csv", ".tsv": "tsv"}
FORMATS = {
    **TABLE_FORMATS,
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".txt": "text",
    ".md": "markdown",
    ".markdown": "markdown",
}
MAX_DEPTH = 32  # nesting of JSON/YAML values we flatten into fields
MAX_YAML_NODES = 2_000_000  # expanded size of a YAML document: refuses alias bombs


@dataclass(frozen=True)
class InputLimits:
    max_file_bytes: int = 200 * 1024 * 1024
    max_line_chars: int = 1_000_000
    passage_chars: int = 1_200
    include: Sequence[str] = tuple(f"*{suffix}" for suffix in FORMATS)
    exclude: Sequence[str] = (".*", "~*", "personas")


@dataclass
class LoadedFile:
    path: Path
    display: str
    format: str
    encoding: str
    sha256: str
    size: int
    records: list[Record] = field(default_factory=list)


def discover(paths: Iterable[Path], limits: InputLimits) -> list[Path]:
    """The files to read: named files as given, folders searched recursively with the globs."""
    found: list[Path] = []
    for path in paths:
        if not path.exists():
            raise InputError(f"{path}: no such file or folder")
        if path.is_dir():
            inside = sorted(_walk(path, limits))
            if not inside:
                kinds = ", ".join(sorted({s for s in FORMATS}))
                raise InputError(f"{path}: the folder holds no supported files ({kinds})")
            found.extend(inside)
        else:
            if path.suffix.lower() not in FORMATS:
                raise InputError(
                    f"{path}: unsupported file type '{path.suffix or '(none)'}'; "
                    f"supported: {', '.join(sorted(FORMATS))}"
                )
            found.append(path)
    unique: dict[Path, None] = {}
    for path in found:
        unique.setdefault(path.resolve(), None)
    return list(unique)


def _walk(folder: Path, limits: InputLimits) -> Iterator[Path]:
    for child in folder.iterdir():
        if any(fnmatch(child.name, pattern) for pattern in limits.exclude):
            continue
        if child.is_dir():
            yield from _walk(child, limits)
        elif child.suffix.lower() in FORMATS and any(
            fnmatch(child.name, pattern) for pattern in limits.include
        ):
            yield child


def load_files(paths: Sequence[Path], limits: InputLimits) -> list[LoadedFile]:
    displays = _display_names(paths)
    stems = _record_prefixes(paths)
    return [load_file(path, limits, display=displays[path], prefix=stems[path]) for path in paths]


def _display_names(paths: Sequence[Path]) -> dict[Path, str]:
    cwd = Path.cwd()
    names = {}
    for path in paths:
        try:
            names[path] = str(path.relative_to(cwd))
        except ValueError:
            names[path] = str(path)
    return names


def _record_prefixes(paths: Sequence[Path]) -> dict[Path, str]:
    """Short, stable record-id prefixes: the file stem, with its folder when two stems collide."""
    prefixes = {path: _slug(path.stem) for path in paths}
    counts: dict[str, int] = {}
    for prefix in prefixes.values():
        counts[prefix] = counts.get(prefix, 0) + 1
    for path, prefix in prefixes.items():
        if counts[prefix] > 1:
            prefixes[path] = f"{_slug(path.parent.name)}-{prefix}-{_slug(path.suffix[1:])}"
    return prefixes


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "file"


def load_file(
    path: Path, limits: InputLimits, *, display: str | None = None, prefix: str | None = None
) -> LoadedFile:
    display = display or str(path)
    prefix = prefix or _slug(path.stem)
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise InputError(f"{display}: unsupported file type '{path.suffix}'")
    try:
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            raise InputError(
                f"{display}: the file is {size / 1e6:.0f} MB, over the {limits.max_file_bytes / 1e6:.0f} MB"
                " limit (input.max_file_mb)"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{display}: cannot read the file: {exc.strerror}") from None
    text, encoding = decode(data, display)
    if not text.strip():
        raise InputError(f"{display}: the file is empty")
    loaded = LoadedFile(
        path=path,
        display=display,
        format=kind,
        encoding=encoding,
        sha256=hashlib.sha256(data).hexdigest(),
        size=size,
    )
    del data
    if kind != "json":
        _check_line_lengths(text, display, limits.max_line_chars)
    parser = _PARSERS[kind]
    loaded.records = list(parser(text, display, prefix, limits))
    if not loaded.records:
        raise InputError(f"{display}: the file holds no records (only headers or empty values)")
    return loaded


# -- decoding ------------------------------------------------------------------------------------


def decode(data: bytes, display: str) -> tuple[str, str]:
    """Decode bytes to text; return the text and the encoding used."""
    if data.startswith(b"\xef\xbb\xbf"):
        return _decode(data[3:], "utf-8", display), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _decode(data, "utf-16", display), "utf-16"
    if b"\x00" in data[:8192]:
        raise InputError(f"{display}: the file holds binary data, not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data[: 1024 * 1024]).best()
    if best is None or best.encoding is None:
        raise InputError(f"{display}: cannot tell the text encoding; save it as UTF-8")
    return _decode(data, best.encoding, display), best.encoding


def _decode(data: bytes, encoding: str, display: str) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(f"{display}: not valid {encoding} at byte {exc.start}") from None
    if "\x00" in text:
        raise InputError(f"{display}: the file holds binary data, not text")
    return text


def _check_line_lengths(text: str, display: str, limit: int) -> None:
    if len(text) <= limit:
        return
    start = 0
    line = 1
    while True:
        end = text.find("\n", start)
        stop = len(text) if end < 0 else end
        if stop - start > limit:
            raise InputError(
                f"{display}, line {line}: the line is {stop - start:,} characters long, over the "
                f"{limit:,} limit (input.max_line_chars)"
            )
        if end < 0:
            return
        start = end + 1
        line += 1


# -- tables ---------------------------------------------------------------------------------------


def _parse_table(
    text: str, display: str, prefix: str, limits: InputLimits, delimiter: str | None
) -> Iterator[Record]:
    if delimiter is None:
        delimiter = _sniff_delimiter(text)
    csv.field_size_limit(max(limits.max_line_chars, 131_072))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
        while header is not None and not any(cell.strip() for cell in header):
            header = next(reader, None)
        if header is None:
            raise InputError(f"{display}: the file is empty")
        columns = _column_names(header)
        width = len(columns)
        for cells in reader:
            if len(cells) > width:
                if not any(cell.strip() for cell in cells[width:]):
                    cells = cells[:width]
                else:
                    raise InputError(
                        f"{display}, row {reader.line_num}: {len(cells)} fields where the header has "
                        f"{width}; check the delimiter and quoting"
                    )
            fields = {name: value for name, value in zip(columns, map(str.strip, cells)) if value}  # noqa: B905
            if fields:
                row = reader.line_num
                yield Record(id=f"{prefix}-{row}", source=Provenance(display, row=row), fields=fields)
    except csv.Error as exc:
        raise InputError(f"{display}, row {reader.line_num}: invalid CSV: {exc}") from None


def _sniff_delimiter(text: str) -> str:
    sample = text[:65536]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _column_names(header: list[str]) -> list[str]:
    names: list[str] = []
    seen: dict[str, int] = {}
    for index, cell in enumerate(header, start=1):
        name = " ".join(cell.split()) or f"column_{index}"
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 1
        names.append(name)
    return names


def parse_csv(text: str, display: str, prefix: str, limits: InputLimits) -> Iterator[Record]:
    return _parse_table(text, display, prefix, limits, None)


def parse_tsv(text: str, display: str, prefix: str, limits: InputLimits) -> Iterator[Record]:
    return _parse_table(text, display, prefix, limits, "\t")


# -- structured documents --------------------------------------------------------------------------


def parse_json(text: str, display: str, prefix: str, limits: InputLimits) -> Iterator[Record]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{display}, line {exc.lineno}: invalid JSON: {exc.msg}") from None
    except RecursionError:
        raise InputError(f"{display}: the JSON is nested too deeply") from None
    return _items_to_records(_items(data, display), display, prefix, None)


def parse_jsonl(text: str, display: str, prefix: str, limits: InputLimits) -> Iterator[Record]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{display}, line {number}: invalid JSON: {exc.msg}") from None
        except RecursionError:
            raise InputError(f"{display}, line {number}: the JSON is nested too deeply") from None
        yield from _items_to_records([value], display, prefix, number)


def parse_yaml(text: str, display: str, prefix: str, limits: InputLimits) -> Iterator[Record]:
    import yaml

    loader_class = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loader = loader_class(text)
    documents: list[Any] = []
    try:
        while loader.check_node():
            node = loader.get_node()
            if _expanded_size(node, {}) > MAX_YAML_NODES:
                raise InputError(
                    f"{display}: the YAML's aliases expand to over {MAX_YAML_NODES:,} values; "
                    "refusing it (an alias bomb?)"
                )
            documents.append(loader.construct_document(node))
    except yaml.constructor.ConstructorError as exc:
        raise InputError(
            f"{_yaml_place(display, exc)}: unsupported YAML tag ({exc.problem}); only plain data is read"
        ) from None
    except yaml.MarkedYAMLError as exc:
        raise InputError(f"{_yaml_place(display, exc)}: invalid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise InputError(f"{display}: invalid YAML: {exc}") from None
    except RecursionError:
        raise InputError(f"{display}: the YAML is nested too deeply") from None
    finally:
        loader.dispose()
    items: list[Any] = []
    for document in documents:
        if document is not None:
            items.extend(_items(document, display))
    return _items_to_records(items, display, prefix, None)


def _yaml_place(display: str, exc: Any) -> str:
    mark = exc.problem_mark or exc.context_mark
    return f"{display}, line {mark.line + 1}" if mark else display


def _expanded_size(node: Any, memo: dict[int, int], depth: int = 0) -> int:
    """How many values a YAML node expands to once aliases are followed."""
    key = id(node)
    if key in memo:
        return memo[key]
    if depth > 200:
        raise RecursionError
    memo[key] = 1  # guards against recursive aliases while the node is being sized
    value = node.value
    size = 1
    if isinstance(value, list):
        for child in value:
            if isinstance(child, tuple):
                size += _expanded_size(child[0], memo, depth + 1)
                size += _expanded_size(child[1], memo, depth + 1)
            else:
                size += _expanded_size(child, memo, depth + 1)
            if size > MAX_YAML_NODES:
                break
    memo[key] = size
    return size


def _items(data: Any, display: str) -> list[Any]:
    """The list of items in a document: a list, an object holding one list, or one object."""
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        lists = [value for value in data.values() if isinstance(value, list)]
        if len(lists) == 1 and all(isinstance(item, dict | str) for item in lists[0]):
            return lists[0]
        return [data]
    if isinstance(data, str):
        return [data]
    raise InputError(f"{display}: expected a list of objects or texts, found a {type(data).__name__}")


def _items_to_records(items: Iterable[Any], display: str, prefix: str, line: int | None) -> Iterator[Record]:
    for index, item in enumerate(items, start=1):
        number = line if line is not None else index
        source = Provenance(display, line_start=line) if line is not None else Provenance(display, row=index)
        if isinstance(item, str):
            if item.strip():
                yield Record(id=f"{prefix}-{number}", source=source, text=item.strip())
            continue
        if not isinstance(item, dict):
            item = {"value": item}
        fields: dict[str, str] = {}
        try:
            _flatten(item, "", fields, 0)
        except RecursionError:
            raise InputError(f"{source.where()}: the value is nested too deeply") from None
        if fields:
            yield Record(id=f"{prefix}-{number}", source=source, fields=fields)


def _flatten(value: Any, name: str, into: dict[str, str], depth: int) -> None:
    if depth > MAX_DEPTH:
        raise RecursionError
    if isinstance(value, dict):
        for key, inner in value.items():
            _flatten(inner, f"{name}.{key}" if name else str(key), into, depth + 1)
    elif isinstance(value, list):
        if all(not isinstance(inner, dict | list) for inner in value):
            joined = "; ".join(str(inner) for inner in value if inner is not None and str(inner).strip())
            if joined:
                into[name or "value"] = joined
        else:
            for index, inner in enumerate(value, start=1):
                _flatten(inner, f"{name}[{index}]", into, depth + 1)
    elif value is not None and str(value).strip():
        into[name or "value"] = str(value).strip()


# -- free text ------------------------------------------------------------------------------------

_SPEAKER = re.compile(
    r"^\s*(?:\*\*)?(?:[A-Z][A-Za-z0-9 .'\-]{0,30}|[A-Z]{1,3}\d{1,4}|Q\d*|A\d*)(?:\*\*)?\s*:\s"
)
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s")


def parse_text(text: str, display: str, prefix: str, limits: InputLimits) -> Iterator[Record]:
    """A document as passages: speaker turns and paragraphs kept whole, packed up to a size."""
    units = [piece for unit in _units(text.splitlines()) for piece in _split_long(unit, limits)]
    passage: list[tuple[int, int, str]] = []
    size = 0
    number = 0
    for unit in units:
        unit_size = len(unit[2])
        headings_only = all(_HEADING.match(unit[2]) for unit in passage)
        if passage and size + unit_size > limits.passage_chars and not headings_only:
            number += 1
            yield _passage(passage, display, prefix, number)
            passage, size = [], 0
        passage.append(unit)
        size += unit_size + 1
    if passage:
        number += 1
        yield _passage(passage, display, prefix, number)


def _units(lines: list[str]) -> Iterator[tuple[int, int, str]]:
    """(first line, last line, text) of each speaker turn, heading or paragraph."""
    start: int | None = None
    body: list[str] = []

    def flush(end: int) -> Iterator[tuple[int, int, str]]:
        if start is not None and body:
            yield start, end, "\n".join(body).strip()

    last = 0
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        in_turn = bool(body) and _SPEAKER.match(body[0]) is not None
        if not stripped:
            if not in_turn:
                yield from flush(last)
                start, body = None, []
            continue
        if _SPEAKER.match(line) or _HEADING.match(line):
            yield from flush(last)
            start, body = number, [stripped]
        else:
            if start is None:
                start = number
            body.append(stripped)
        last = number
    yield from flush(last)


def _split_long(unit: tuple[int, int, str], limits: InputLimits) -> list[tuple[int, int, str]]:
    """Split a turn or paragraph longer than a passage at sentence ends (never mid-sentence)."""
    first, last, text = unit
    if len(text) <= limits.passage_chars:
        return [unit]
    pieces: list[tuple[int, int, str]] = []
    current = ""
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        if current and len(current) + len(sentence) + 1 > limits.passage_chars:
            pieces.append((first, last, current))
            current = sentence
        else:
            current = f"{current} {sentence}" if current else sentence
    if current:
        pieces.append((first, last, current))
    return pieces


def _passage(units: list[tuple[int, int, str]], display: str, prefix: str, number: int) -> Record:
    first, last = units[0][0], units[-1][1]
    return Record(
        id=f"{prefix}-p{number}",
        source=Provenance(display, line_start=first, line_end=last),
        text="\n".join(unit[2] for unit in units),
    )


_PARSERS = {
    "csv": parse_csv,
    "tsv": parse_tsv,
    "json": parse_json,
    "jsonl": parse_jsonl,
    "yaml": parse_yaml,
    "text": parse_text,
    "markdown": parse_text,
}
