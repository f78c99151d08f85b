"""Anonymised copies of input files that keep their format: CSV stays CSV with the same columns,
JSON the same structure, text stays text."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from persona.errors import InputError
from persona.loaders import FORMATS, decode

Value = tuple[str, str | None]


@dataclass
class Copy:
    """One input file taken apart into values, and how to put it back together."""

    source: Path
    name: str
    values: list[Value]
    rebuild: Callable[[list[str]], str]


def take_apart(path: Path, name: str, display: str) -> Copy:
    kind = FORMATS.get(path.suffix.lower())
    try:
        text, _ = decode(path.read_bytes(), display)
    except OSError as exc:
        raise InputError(f"{display}: cannot read the file: {exc.strerror}") from None
    if not text.strip():
        raise InputError(f"{display}: the file is empty")
    if kind in ("csv", "tsv"):
        return _table(path, name, display, text, "\t" if kind == "tsv" else None)
    if kind in ("json", "jsonl", "yaml"):
        return _structured(path, name, display, text, kind)
    return Copy(path, name, [(text, None)], lambda out: out[0])


def _table(path: Path, name: str, display: str, text: str, delimiter: str | None) -> Copy:
    if delimiter is None:
        try:
            delimiter = csv.Sniffer().sniff(text[:65536], delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = ","
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        raise InputError(f"{display}: invalid CSV: {exc}") from None
    header = rows[0] if rows else []
    values: list[Value] = []
    for row in rows[1:]:
        for index, cell in enumerate(row):
            values.append((cell, header[index] if index < len(header) else None))

    def rebuild(out: list[str]) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
        writer.writerow(header)
        position = 0
        for row in rows[1:]:
            writer.writerow(out[position : position + len(row)])
            position += len(row)
        return buffer.getvalue()

    return Copy(path, name, values, rebuild)


def _structured(path: Path, name: str, display: str, text: str, kind: str) -> Copy:
    from persona.loaders import parse_jsonl, parse_yaml  # validates (alias bombs, unsafe tags)

    if kind == "json":
        try:
            documents = [json.loads(text)]
        except (json.JSONDecodeError, RecursionError) as exc:
            raise InputError(f"{display}: invalid JSON: {exc}") from None
    elif kind == "jsonl":
        list(parse_jsonl(text, display, "x", _limits()))
        documents = [json.loads(line) for line in text.splitlines() if line.strip()]
    else:
        import yaml

        list(parse_yaml(text, display, "x", _limits()))
        documents = list(yaml.safe_load_all(text))
    values: list[Value] = []
    _collect(documents, None, values)

    def rebuild(out: list[str]) -> str:
        replaced = _refill(documents, iter(out))
        if kind == "json":
            return json.dumps(replaced[0], indent=2, ensure_ascii=False) + "\n"
        if kind == "jsonl":
            return "".join(json.dumps(doc, ensure_ascii=False) + "\n" for doc in replaced)
        import yaml

        return yaml.safe_dump_all(replaced, allow_unicode=True, sort_keys=False)

    return Copy(path, name, values, rebuild)


def _limits() -> Any:
    from persona.loaders import InputLimits

    return InputLimits()


def _collect(node: Any, key: str | None, into: list[Value]) -> None:
    if isinstance(node, dict):
        for name, value in node.items():
            _collect(value, str(name), into)
    elif isinstance(node, list):
        for value in node:
            _collect(value, key, into)
    elif isinstance(node, str):
        into.append((node, key))
    elif _long_number(node):
        into.append((str(node), key))


def _long_number(node: Any) -> bool:
    """Numbers long enough to be phone, card or account numbers are scanned as text."""
    return isinstance(node, int) and not isinstance(node, bool) and len(str(abs(node))) >= 7


def _refill(node: Any, out: Any) -> Any:
    if isinstance(node, dict):
        return {name: _refill(value, out) for name, value in node.items()}
    if isinstance(node, list):
        return [_refill(value, out) for value in node]
    if isinstance(node, str):
        return next(out)
    if _long_number(node):
        replaced = next(out)
        return node if replaced == str(node) else replaced
    return node
