"""The one codec of research files: a file is read into a ``Document`` of records, and a document
is written back in the same format with its values replaced (``privacy anonymise`` does this). A
``Stream`` does the same without holding the file: it reads it again, a row at a time, at each pass.

Every command that reads research data reads it here, with the same limits, decoding, delimiter
sniffing and error messages. Every problem with a file is an ``InputError`` naming the file, and the
line or row where known. Public API: plugins may use everything without a leading underscore.
"""

from __future__ import annotations

import csv
import gc
import hashlib
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from persona.errors import InputError
from persona.records import Provenance, Record
from persona.speakers import starts_turn

FORMATS = {
    ".csv": "csv",
    ".tsv": "tsv",
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
    encoding: str | None = None  #: every file's encoding, when detection cannot tell
    strict_rows: bool = False  #: a table row with more fields than its header fails the file


Value = tuple[str, str | None]
"""A piece of text in a document, with the column header or key it sits under (``None`` for prose)."""


@dataclass
class Document:
    """One research file, read: its records, and (when asked for) the means to write it back.

    ``values()`` lists every piece of text in document order with its header or key;
    ``write(new_values)`` returns the file's text in the same format with those values replaced.
    """

    path: Path
    display: str
    format: str
    encoding: str
    sha256: str
    size: int
    records: list[Record] = field(default_factory=list)
    ragged_rows: list[int] = field(default_factory=list)  #: table rows whose extra fields were joined
    _values: list[Value] = field(default_factory=list, repr=False)
    _rebuild: Callable[[list[str]], str] | None = field(default=None, repr=False)

    @property
    def warnings(self) -> list[str]:
        """What was read in a way the user should know, naming the file by ``display`` (which the
        pipeline renames ``input N`` when paths must not be shown)."""
        return _ragged_warning(self.display, self.ragged_rows, len(self.ragged_rows))

    def values(self) -> list[Value]:
        self._need_structure()
        return list(self._values)

    def write(self, values: Sequence[str]) -> str:
        self._need_structure()
        assert self._rebuild is not None
        if len(values) != len(self._values):
            raise ValueError(f"{self.display}: {len(values)} values given for {len(self._values)}")
        return self._rebuild(list(values))

    def _need_structure(self) -> None:
        if self._rebuild is None:
            raise ValueError(f"{self.display} was read without its structure: read(..., structure=True)")


def _ragged_warning(display: str, rows: Sequence[int], count: int) -> list[str]:
    if not count:
        return []
    shown = ", ".join(map(str, rows[:10])) + (f" and {count - 10} more" if count > 10 else "")
    return [
        f"{display}: {count} row{'s' * (count != 1)} ({shown}) had more fields than the header; "
        "the extra fields were joined into the last column (input.strict_rows = true refuses such a file)"
    ]


def read_all(paths: Sequence[Path], limits: InputLimits, *, structure: bool = False) -> list[Document]:
    """Read several files; record ids get short prefixes that are unique across them."""
    stems = _record_prefixes(paths)
    return [
        read(path, limits, display=display_name(path), prefix=stems[path], structure=structure)
        for path in paths
    ]


def display_name(path: Path) -> str:
    """How a path is named in messages: relative to the working folder when inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


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


def read(
    path: Path,
    limits: InputLimits | None = None,
    *,
    display: str | None = None,
    prefix: str | None = None,
    structure: bool = False,
) -> Document:
    """Read one file into a document. ``structure`` keeps what ``Document.write`` needs."""
    limits = limits or InputLimits()
    display = display or display_name(path)
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
    text, encoding = decode(data, display, limits.encoding)
    if not text.strip():
        raise InputError(f"{display}: the file is empty")
    loaded = Document(
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
    with _cycle_collector_paused():
        parsed = parser(text, display, prefix, limits)
    loaded.records = list(parsed.records)
    loaded.ragged_rows = parsed.ragged_rows
    if structure:
        loaded._values, loaded._rebuild = parsed.values, parsed.rebuild
    if not loaded.records:
        raise InputError(f"{display}: the file holds no records (only headers or empty values)")
    return loaded


STREAMED = frozenset({"csv", "tsv", "jsonl", "text", "markdown"})
"""The formats a ``Stream`` reads a row (or a passage) at a time; JSON and YAML are read whole."""
_CHUNK = 1024 * 1024
_TEXT = ("text", "markdown")


class Stream:
    """A research file read as often as a command needs without holding it in memory: CSV, TSV
    and JSON Lines a row at a time, text and Markdown a passage at a time (``STREAMED``), JSON and
    YAML whole, as ``read`` reads them.

    Opening reads the whole file once to check it (its encoding, every row), so a bad row stops a
    command before any work is done. Every later pass reads the file again, and fails with an
    ``InputError`` if the file changed in between. ``values()`` and ``write(values, handle)`` are
    ``Document``'s, a row at a time; ``records()`` yields the records ``read`` would list.
    The size limit (``input.max_file_mb``) applies only to the formats read whole.
    """

    def __init__(
        self,
        path: Path,
        limits: InputLimits | None = None,
        *,
        display: str | None = None,
        prefix: str | None = None,
    ) -> None:
        self.path = path
        self.limits = limits or InputLimits()
        self.display = display or display_name(path)
        self.prefix = prefix or _slug(path.stem)
        kind = FORMATS.get(path.suffix.lower())
        if kind is None:
            raise InputError(f"{self.display}: unsupported file type '{path.suffix}'")
        self.format = kind
        self._document: Document | None = None
        #: the line ending the file is written with ("\r\n" for a Windows export), kept in a copy
        self.newline = "\n"
        self.ragged_rows: list[int] = []  #: the first rows whose extra fields were joined
        self._ragged = 0
        if kind not in STREAMED:
            document = read(path, self.limits, display=self.display, prefix=self.prefix, structure=True)
            self._document = document
            self.encoding, self.sha256, self.size = document.encoding, document.sha256, document.size
            self.record_count, self.value_count = len(document.records), len(document._values)
            self.ragged_rows, self._ragged = document.ragged_rows[:10], len(document.ragged_rows)
            return
        self._survey()
        self.delimiter = "\t" if kind == "tsv" else ","
        if kind == "csv":
            with self._open() as handle:
                self.delimiter = sniff_delimiter(handle.read(65537))
        self.record_count = self.value_count = 0
        for _ in self._records(check=True):
            self.record_count += 1
        if not self.record_count:
            raise InputError(f"{self.display}: the file holds no records (only headers or empty values)")

    @property
    def warnings(self) -> list[str]:
        """As ``Document.warnings``."""
        return _ragged_warning(self.display, self.ragged_rows, self._ragged)

    def values(self) -> Iterator[Value]:
        """Every piece of text in file order with its header or key, as ``Document.values``."""
        if self._document is not None:
            yield from self._document.values()
        elif self.format == "jsonl":
            for _, value, _ in self._lines():
                found: list[Value] = []
                _collect(value, None, found)
                yield from found
        elif self.format in _TEXT:
            with self._open() as handle:
                yield from ((chunk, None) for chunk in self._decoding(_text_chunks(handle)))
        else:
            for row in self._rows():
                yield from row.values

    def records(self) -> Iterator[Record]:
        if self._document is not None:
            yield from self._document.records
        else:
            yield from self._records()

    def write(self, values: Iterable[str], handle: Any) -> None:
        """Write the file to ``handle`` (text) with its values replaced by ``values``, in order."""
        out = iter(values)
        if self._document is not None:
            handle.write(self._document.write(list(out)))
            return
        if self.format == "jsonl":
            for _, value, _ in self._lines():
                handle.write(_jsonl_line(_refill(value, out), self.newline))
        elif self.format in _TEXT:
            for _ in self.values():
                handle.write(next(out))
        else:
            _write_rows(handle, self.delimiter, self._rows(), out, self.newline)
        if next(out, None) is not None:
            raise ValueError(f"{self.display}: more values given than the file holds")

    def _records(self, check: bool = False) -> Iterator[Record]:
        """The records; with ``check`` (the pass made on opening), counting values and ragged rows."""
        if self.format in _TEXT:
            with self._open(newline=None) as handle:
                yield from self._decoding(_passages(_lines(handle), self.display, self.prefix, self.limits))
            if check:
                self.value_count = sum(1 for _ in self.values())
            return
        if self.format == "jsonl":
            for _, value, found in self._lines():
                if check:
                    values: list[Value] = []
                    _collect(value, None, values)
                    self.value_count += len(values)
                yield from found
            return
        for row in self._rows():
            if check:
                self.value_count += len(row.values)
                if row.ragged:
                    self._ragged += 1
                    if len(self.ragged_rows) < 10:
                        self.ragged_rows.append(row.line)
            if row.record is not None:
                yield row.record

    def _rows(self) -> Iterator[_Row]:
        with self._open() as handle:
            yield from self._decoding(
                _table_rows(handle, self.display, self.prefix, self.limits, self.delimiter)
            )

    def _lines(self) -> Iterator[tuple[int, Any, list[Record]]]:
        with self._open(newline=None) as handle:
            yield from self._decoding(_jsonl_lines(handle, self.display, self.prefix))

    def _decoding(self, items: Iterator[Any]) -> Iterator[Any]:
        try:
            yield from items
        except UnicodeDecodeError:
            raise InputError(f"{self.display}: not valid {self.encoding}") from None

    @contextmanager
    def _open(self, newline: str | None = "") -> Iterator[io.TextIOWrapper]:
        try:
            stat = self.path.stat()
            if (stat.st_size, stat.st_mtime_ns) != self._stamp:
                raise InputError(f"{self.display}: the file changed while it was being read; run again")
            handle = io.TextIOWrapper(self.path.open("rb"), encoding=self.encoding, newline=newline)
        except OSError as exc:
            raise InputError(f"{self.display}: cannot read the file: {exc.strerror}") from None
        with handle:
            yield handle

    def _survey(self) -> None:
        """The file's digest, size and encoding, and its text checked whole (decoding, binary data,
        line lengths), a megabyte at a time."""
        digest = hashlib.sha256()
        head = b""
        try:
            stat = self.path.stat()
            self._stamp = (stat.st_size, stat.st_mtime_ns)
            with self.path.open("rb") as handle:
                while chunk := handle.read(_CHUNK):
                    digest.update(chunk)
                    if len(head) < SAMPLE_BYTES:
                        head += chunk[: SAMPLE_BYTES - len(head)]
        except OSError as exc:
            raise InputError(f"{self.display}: cannot read the file: {exc.strerror}") from None
        self.sha256, self.size = digest.hexdigest(), self._stamp[0]
        checked: dict[str, tuple[InputError | None, InputError | None]] = {}

        def check(name: str) -> tuple[InputError | None, InputError | None]:
            if name not in checked:
                checked[name] = self._check_text(name)
            return checked[name]

        self.encoding = choose_encoding(
            head, lambda name: check(name)[0] is None, self.display, self.limits.encoding
        )
        self.newline = newline_of(head.decode(self.encoding, errors="ignore"))
        failure, problem = check(self.encoding)
        error = failure or problem
        if error is not None:
            raise error

    def _check_text(self, encoding: str) -> tuple[InputError | None, InputError | None]:
        """Decode the whole file in ``encoding``: the error if it does not decode, and the first
        other problem of its text (binary data, a line over ``max_line_chars``, only blank text)."""
        import codecs

        try:
            decoder = codecs.getincrementaldecoder(encoding)()
        except LookupError:
            raise InputError(f"{self.display}: unknown text encoding '{encoding}' (input.encoding)") from None
        offset, line, length, blank = 0, 1, 0, True
        problem: InputError | None = None
        limit = self.limits.max_line_chars
        with self.path.open("rb") as handle:
            while True:
                chunk = handle.read(_CHUNK)
                try:
                    text = decoder.decode(chunk, final=not chunk)
                except UnicodeDecodeError as exc:
                    return InputError(
                        f"{self.display}: not valid {encoding} at byte {offset + exc.start}"
                    ), None
                offset += len(chunk)
                if problem is None:
                    if "\x00" in text:
                        problem = InputError(f"{self.display}: the file holds binary data, not text")
                    blank = blank and not text.strip()
                    parts = text.split("\n")
                    for index, part in enumerate(parts):
                        length += len(part)
                        if length > limit and problem is None:
                            problem = InputError(
                                f"{self.display}, line {line}: the line is over the {limit:,} character "
                                "limit (input.max_line_chars)"
                            )
                        if index < len(parts) - 1:
                            line, length = line + 1, 0
                if not chunk:
                    break
        if problem is None and blank:
            problem = InputError(f"{self.display}: the file is empty")
        return None, problem


def stream(
    path: Path, limits: InputLimits | None = None, *, display: str | None = None, prefix: str | None = None
) -> Stream:
    """Open one file as a ``Stream``."""
    return Stream(path, limits, display=display, prefix=prefix)


def stream_all(paths: Sequence[Path], limits: InputLimits) -> list[Stream]:
    """Open several files as streams; record ids get the prefixes ``read_all`` gives them."""
    stems = _record_prefixes(paths)
    return [Stream(path, limits, display=display_name(path), prefix=stems[path]) for path in paths]


@contextmanager
def _cycle_collector_paused() -> Iterator[None]:
    """Parsing makes hundreds of thousands of small objects with no cycles among them; the cyclic
    garbage collector would walk all of them again at every collection (a quarter of the load time
    of a large CSV). Reference counting still frees them."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# -- decoding ------------------------------------------------------------------------------------


def decode(data: bytes, display: str, encoding: str | None = None) -> tuple[str, str]:
    """Decode bytes to text; return the text and the encoding used.

    ``encoding`` (the ``input.encoding`` setting) is used as it is. Otherwise: a byte-order mark,
    then UTF-8, then Windows-1252 when the bytes are valid in it and read as Latin-script words
    (Excel's default export), then charset-normalizer's guess. A guess never wins over cp1252 by
    changing letters inside words: it must read better (fewer symbols stuck to letters, and not
    every word made of accented letters, as Cyrillic or Greek read as cp1252 are).
    """

    def valid(name: str) -> bool:
        try:
            data.decode(name)
        except UnicodeDecodeError:
            return False
        return True

    chosen = choose_encoding(data[:SAMPLE_BYTES], valid, display, encoding)
    if chosen == "utf-8-sig":
        return _decode(data[3:], "utf-8", display), chosen
    return _decode(data, chosen, display), chosen


SAMPLE_BYTES = 1024 * 1024  #: how much of a file the encoding is guessed from


def choose_encoding(head: bytes, valid: Callable[[str], bool], display: str, encoding: str | None) -> str:
    """The encoding of a file from its first ``SAMPLE_BYTES`` and ``valid(name)``: whether the
    whole file decodes in ``name`` (see ``decode``). Shared by whole and streamed reading."""
    if encoding:
        return encoding
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if b"\x00" in head[:8192]:
        raise InputError(f"{display}: the file holds binary data, not text")
    if valid("utf-8"):
        return "utf-8"
    from charset_normalizer import from_bytes

    best = from_bytes(head).best()
    guess = best.encoding if best is not None else None
    if valid("cp1252"):
        western = head.decode("cp1252")
        if _reads_as_latin(western):
            other = head.decode(guess, errors="replace") if guess and guess != "cp1252" else None
            if other is None or _oddity(western[: len(other)]) <= _oddity(other):
                return "cp1252"
    if guess is None:
        raise InputError(
            f"{display}: cannot tell the text encoding; save it as UTF-8, or name it with the "
            "input.encoding setting (for example PERSONA_INPUT__ENCODING=cp1252)"
        )
    return guess


_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_STUCK = re.compile(r"(?<=[^\W\d_])[^\w\s\x00-\x7f]|[^\w\s\x00-\x7f](?=[^\W\d_])")


def _oddity(text: str) -> int:
    """Non-ASCII symbols stuck to letters (``¿ó³æ``, ``‹ber``): what a wrong code page makes."""
    return len(_STUCK.findall(text))


def _reads_as_latin(text: str) -> bool:
    """Most words with a non-ASCII letter also have ASCII letters, as French or German words do;
    Cyrillic or Greek bytes read as cp1252 make words of accented letters only."""
    accented = [w for w in _WORD.findall(text[: 1024 * 1024]) if not w.isascii()]
    if not accented:
        return True
    only = sum(1 for word in accented if sum(ch.isascii() for ch in word) * 2 < len(word))
    return only * 2 <= len(accented)


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


# -- parsing: records, plus the values and the way back --------------------------------------------


@dataclass
class Parsed:
    records: list[Record]
    values: list[Value]
    rebuild: Callable[[list[str]], str]
    ragged_rows: list[int] = field(default_factory=list)


# -- tables ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Row:
    """One row of a table as read: its cells, each with the column it belongs to, and its record."""

    line: int
    cells: list[str]
    values: list[Value]
    record: Record | None = None
    ragged: bool = False
    raw: str = ""  #: the row's text as read, line ends and quoting included (written back unchanged)


def _table_rows(
    handle: Iterable[str], display: str, prefix: str, limits: InputLimits, delimiter: str
) -> Iterator[_Row]:
    """The header row (its values have no column), then every row: the one table parser, for a
    whole text and for a file read a row at a time."""
    csv.field_size_limit(max(limits.max_line_chars, 131_072))
    consumed: list[str] = []  # the lines the reader took for the row it is on (it never reads ahead)

    def lines() -> Iterator[str]:
        for line in handle:
            consumed.append(line)
            yield line

    def taken() -> str:
        raw = "".join(consumed)
        consumed.clear()
        return raw

    reader = csv.reader(lines(), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
        while header is not None and not any(cell.strip() for cell in header):
            header = next(reader, None)
        if header is None:
            raise InputError(f"{display}: the file is empty")
        columns = _column_names(header)
        width = len(columns)
        # scanned as keys are; blank lines before it are written back with it
        yield _Row(reader.line_num, header, [(cell, KEY) for cell in header], raw=taken())
        for cells in reader:
            raw = taken()
            named, ragged = cells, False
            if len(cells) > width:
                if not any(cell.strip() for cell in cells[width:]):
                    cells = named = cells[:width]
                elif limits.strict_rows:
                    raise InputError(
                        f"{display}, row {reader.line_num}: {len(cells)} fields where the header has "
                        f"{width}; check the delimiter and quoting (input.strict_rows is on)"
                    )
                else:
                    # A stray delimiter in an answer: the extra fields belong to the last column.
                    ragged = True
                    named = [*cells[: width - 1], delimiter.join(cells[width - 1 :])]
            overflow = columns if len(cells) <= width else [*columns, *[columns[-1]] * (len(cells) - width)]
            values: list[Value] = list(zip(cells, overflow))  # noqa: B905 (a short row has fewer values)
            fields = {name: value for name, value in zip(columns, map(str.strip, named)) if value}  # noqa: B905
            row = reader.line_num
            record = (
                Record(id=f"{prefix}-{row}", source=Provenance(display, row=row), fields=fields)
                if fields
                else None
            )
            yield _Row(row, cells, values, record, ragged, raw)
    except csv.Error as exc:
        raise InputError(f"{display}, row {reader.line_num}: invalid CSV: {exc}") from None


def _write_rows(
    handle: Any, delimiter: str, rows: Iterable[_Row], out: Iterator[str], newline: str = "\n"
) -> None:
    """Each row with its cells taken in order from ``out``: a row whose cells are all unchanged is
    written as it was read (its quoting and line end kept, so a file with nothing to replace comes
    back byte for byte), any other ended with ``newline``."""
    writer = csv.writer(handle, delimiter=delimiter, lineterminator=newline)
    for row in rows:
        cells = [next(out) for _ in row.values]
        if row.raw and cells == [value for value, _ in row.values]:
            handle.write(row.raw)
        else:
            writer.writerow(cells)


def _parse_table(text: str, display: str, prefix: str, limits: InputLimits, delimiter: str | None) -> Parsed:
    if delimiter is None:
        delimiter = sniff_delimiter(text)
    records: list[Record] = []
    values: list[Value] = []
    rows: list[_Row] = []
    ragged: list[int] = []
    for row in _table_rows(io.StringIO(text, newline=""), display, prefix, limits, delimiter):
        rows.append(row)
        values.extend(row.values)
        if row.record is not None:
            records.append(row.record)
        if row.ragged:
            ragged.append(row.line)

    newline = newline_of(text[:SAMPLE_BYTES])

    def rebuild(out: list[str]) -> str:
        buffer = io.StringIO(newline="")
        _write_rows(buffer, delimiter, rows, iter(out), newline)
        return buffer.getvalue()

    return Parsed(records, values, rebuild, ragged)


_DELIMITERS = (",", ";", "\t", "|")


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first rows into the same number of columns most often.

    ``csv.Sniffer`` guesses from character frequencies and takes ``,`` inside free-text answers for
    the delimiter of a ``;`` file; counting whole rows, as a reader would, does not.
    """
    lines = text[:65536].splitlines()[:50]
    if len(lines) > 1 and len(text) > 65536:
        lines = lines[:-1]  # the last one may be cut
    sample = "\n".join(lines)
    best, best_score = ",", (0.0, 0)
    for delimiter in _DELIMITERS:
        if delimiter not in sample:
            continue
        try:
            widths = [len(row) for row in csv.reader(io.StringIO(sample), delimiter=delimiter) if row]
        except csv.Error:
            continue
        if not widths or widths[0] < 2:
            continue
        consistent = sum(1 for width in widths if width == widths[0]) / len(widths)
        score = (consistent, widths[0])
        if score > best_score:
            best, best_score = delimiter, score
    return best


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


def parse_csv(text: str, display: str, prefix: str, limits: InputLimits) -> Parsed:
    return _parse_table(text, display, prefix, limits, None)


def parse_tsv(text: str, display: str, prefix: str, limits: InputLimits) -> Parsed:
    return _parse_table(text, display, prefix, limits, "\t")


# -- structured documents --------------------------------------------------------------------------


def _json(text: str, display: str, line: int | None = None) -> Any:
    """One JSON value; errors name the file and line (``line``: where ``text`` starts in it)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{display}, line {line or exc.lineno}: invalid JSON: {exc.msg}") from None
    except RecursionError:
        where = f"{display}, line {line}" if line else display
        raise InputError(f"{where}: the JSON is nested too deeply") from None


def parse_json(text: str, display: str, prefix: str, limits: InputLimits) -> Parsed:
    data = _json(text, display)
    records = list(_items_to_records(_items(data, display), display, prefix, None))
    return _structured([data], records, lambda docs: json.dumps(docs[0], indent=2, ensure_ascii=False) + "\n")


def parse_jsonl(text: str, display: str, prefix: str, limits: InputLimits) -> Parsed:
    documents: list[Any] = []
    records: list[Record] = []
    for _, value, found in _jsonl_lines(io.StringIO(text, newline=None), display, prefix):
        documents.append(value)
        records.extend(found)
    newline = newline_of(text[:SAMPLE_BYTES])
    return _structured(documents, records, lambda docs: "".join(_jsonl_line(doc, newline) for doc in docs))


def _jsonl_lines(handle: Iterable[str], display: str, prefix: str) -> Iterator[tuple[int, Any, list[Record]]]:
    """(line number, value, its records) of each line that is not blank: the one JSON Lines parser.
    Lines end at ``\\n`` or ``\\r`` only: a JSON string may hold U+2028 unescaped."""
    for number, line in enumerate(handle, start=1):
        if not line.strip():
            continue
        value = _json(line, display, number)
        yield number, value, list(_items_to_records([value], display, prefix, number))


def _jsonl_line(value: Any, newline: str = "\n") -> str:
    return json.dumps(value, ensure_ascii=False) + newline


def newline_of(head: str) -> str:
    """The line ending a file's first line ends with: ``"\r\n"`` (a Windows export) or ``"\n"``."""
    end = head.find("\n")
    return "\r\n" if end > 0 and head[end - 1] == "\r" else "\n"


def parse_yaml(text: str, display: str, prefix: str, limits: InputLimits) -> Parsed:
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
    records = list(_items_to_records(items, display, prefix, None))

    def dump(docs: list[Any]) -> str:
        return yaml.safe_dump_all(docs, allow_unicode=True, sort_keys=False)

    return _structured(documents, records, dump)


def _structured(documents: list[Any], records: list[Record], dump: Callable[[list[Any]], str]) -> Parsed:
    values: list[Value] = []
    _collect(documents, None, values)

    def rebuild(out: list[str]) -> str:
        return dump(_refill(documents, iter(out)))

    return Parsed(records, values, rebuild)


def _collect(node: Any, key: str | None, into: list[Value]) -> None:
    """Every text of a JSON/YAML value, keys included (a key can be a name or an email)."""
    if isinstance(node, dict):
        for name, value in node.items():
            if isinstance(name, str):
                into.append((name, KEY))
            _collect(value, str(name), into)
    elif isinstance(node, list):
        for value in node:
            _collect(value, key, into)
    elif isinstance(node, str):
        into.append((node, key))
    elif _long_number(node):
        into.append((str(node), key))


KEY = "(key)"
"""The label of a value that is itself a JSON/YAML key."""


def _long_number(node: Any) -> bool:
    """Numbers long enough to be phone, card or account numbers are scanned as text."""
    return isinstance(node, int) and not isinstance(node, bool) and len(str(abs(node))) >= 7


def _refill(node: Any, out: Iterator[str]) -> Any:
    if isinstance(node, dict):
        refilled: dict[Any, Any] = {}
        for name, value in node.items():
            new_name = next(out) if isinstance(name, str) else name
            if new_name in refilled:  # two keys anonymised to one: keep both
                new_name = f"{new_name} ({len(refilled) + 1})"
            refilled[new_name] = _refill(value, out)
        return refilled
    if isinstance(node, list):
        return [_refill(value, out) for value in node]
    if isinstance(node, str):
        return next(out)
    if _long_number(node):
        replaced = next(out)
        return node if replaced == str(node) else replaced
    return node


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
        lists = [key for key, value in data.items() if isinstance(value, list)]
        if len(lists) == 1 and all(isinstance(item, dict | str) for item in data[lists[0]]):
            # A study export: {"study": ..., "responses": [...]}. The items are the records, and
            # what stands beside the list is one record more, so no field is dropped.
            rest = {key: value for key, value in data.items() if key != lists[0]}
            return [*data[lists[0]], *([rest] if rest else [])]
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

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s")


TEXT_CHUNK = 100_000
"""The characters of a text file in one value at most, unless one line is longer: about what
spaCy takes at once. A file this size or smaller is one value, written back whole."""


def parse_text(text: str, display: str, prefix: str, limits: InputLimits) -> Parsed:
    """A document as passages: speaker turns and paragraphs kept whole, packed up to a size.

    Its values are the text in chunks that end at a blank line (``_text_chunks``); written back,
    they are joined again."""
    values: list[Value] = [(chunk, None) for chunk in _text_chunks(io.StringIO(text, newline=""))]
    records = list(_passages(text.splitlines(), display, prefix, limits))
    return Parsed(records, values, "".join)


def _text_chunks(handle: Iterable[str]) -> Iterator[str]:
    """The raw text (line ends kept, so joining the chunks gives it back) in chunks of about
    ``TEXT_CHUNK`` characters, cut after a blank line, or after a line in a paragraph longer than
    that."""
    chunk: list[str] = []
    size = 0
    blank = 0  # how many lines of the chunk end with its last blank line
    for line in handle:
        chunk.append(line)
        size += len(line)
        if not line.strip():
            blank = len(chunk)
        if size >= TEXT_CHUNK:
            cut = blank or len(chunk)
            yield "".join(chunk[:cut])
            chunk, blank = chunk[cut:], 0
            size = sum(map(len, chunk))
    if chunk:
        yield "".join(chunk)


def _lines(handle: Iterable[str]) -> Iterator[str]:
    """The lines ``str.splitlines`` gives of the text ``handle`` reads (universal newlines)."""
    for line in handle:
        yield from line.splitlines() or [""]


def _passages(lines: Iterable[str], display: str, prefix: str, limits: InputLimits) -> Iterator[Record]:
    units = (piece for unit in _units(lines) for piece in _split_long(unit, limits))
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


def _units(lines: Iterable[str]) -> Iterator[tuple[int, int, str]]:
    """(first line, last line, text) of each speaker turn, heading or paragraph."""
    start: int | None = None
    body: list[str] = []

    def flush(end: int) -> Iterator[tuple[int, int, str]]:
        if start is not None and body:
            yield start, end, "\n".join(body).strip()

    last = 0
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        in_turn = bool(body) and starts_turn(body[0])
        if not stripped:
            if not in_turn:
                yield from flush(last)
                start, body = None, []
            continue
        if starts_turn(line) or _HEADING.match(line):
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


_PARSERS: dict[str, Callable[[str, str, str, InputLimits], Parsed]] = {
    "csv": parse_csv,
    "tsv": parse_tsv,
    "json": parse_json,
    "jsonl": parse_jsonl,
    "yaml": parse_yaml,
    "text": parse_text,
    "markdown": parse_text,
}
