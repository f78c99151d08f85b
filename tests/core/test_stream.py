"""A file read a row at a time (``persona.Stream``) gives what reading it whole gives: the same
values, records, warnings and written copy, and the same errors, but before any work is done."""

from __future__ import annotations

import io
import os

import pytest
from persona.codec import KEY, STREAMED, InputLimits, Stream, read, stream_all
from persona.errors import InputError

ROWS = "id,answer,notes\n" + "".join(f'{n},"I pay, {n} times",note {n}\n' for n in range(1, 400))
CASES = {
    "plain.csv": ROWS.encode(),
    "semicolons.csv": b"a;b;c\n1;2,5;x\n2;3,5;y\n",
    "ragged.csv": b"who,said\nP1,fine\nP2,it was slow, then it stopped, then nothing\n",
    "crlf.csv": b'who,said\r\nP1,"two\r\nlines"\r\nP2,ok\r\n',
    "bom.csv": b"\xef\xbb\xbfwho,said\nP1,caf\xc3\xa9\n",
    "excel.csv": "who,said\nP1,caf\u00e9 cr\u00e8me and na\u00efve words\n".encode("cp1252"),
    "utf16.tsv": "who\tsaid\nP1\tfine\n".encode("utf-16"),
    "blank-rows.tsv": b"\n\nwho\tsaid\n\t\nP1\tfine\n",
    "lines.jsonl": b'{"who": "P1", "said": "ok"}\n\n{"who": "P2", "said": ["a", "b"], "age": 12345678}\r\n'
    b'"a bare text"\n',
    "separator.jsonl": '{"said": "one\u2028two"}\n{"said": "three"}\n'.encode(),
    "study.json": b'{"study": "s", "responses": [{"said": "hi"}]}',
    "notes.txt": b"Interviewer: hello\nP1: hi there\n\nA second paragraph.\n",
    "odd-breaks.md": b"# Notes\r\n\r\nP1: one\x0ctwo\rthree\r\n\n\nlast line, no end",
    "long.txt": "".join(
        f"P{n}: we talked about the {n}th delay for a while.\n" + ("\n" if n % 7 == 0 else "")
        for n in range(6000)
    ).encode(),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_stream_reads_and_writes_what_a_whole_read_does(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(CASES[name])
    whole = read(path, display=name, structure=True)
    streamed = Stream(path, display=name)
    assert list(streamed.values()) == whole.values()
    assert list(streamed.records()) == whole.records
    assert (streamed.record_count, streamed.value_count) == (len(whole.records), len(whole.values()))
    assert streamed.warnings == whole.warnings
    assert (streamed.encoding, streamed.sha256, streamed.size) == (whole.encoding, whole.sha256, whole.size)
    new = [f"<{text.upper()}>" for text, _ in whole.values()]
    buffer = io.StringIO()
    streamed.write(new, buffer)
    assert buffer.getvalue() == whole.write(new)
    assert list(streamed.values()) == whole.values()  # a second pass reads the same


@pytest.mark.parametrize("name", ["plain.csv", "crlf.csv", "ragged.csv", "blank-rows.tsv", "semicolons.csv"])
def test_a_table_written_back_unchanged_is_the_file_byte_for_byte(tmp_path, name):
    """Quotes a field did not need, CRLF inside and after a field, blank lines and trailing
    delimiters: a row with nothing replaced is written as it was read, streamed or whole."""
    path = tmp_path / name
    path.write_bytes(CASES[name])
    whole = read(path, display=name, structure=True)
    same = [text for text, _ in whole.values()]
    assert whole.write(same).encode() == CASES[name]
    buffer = io.StringIO(newline="")
    Stream(path, display=name).write(same, buffer)
    assert buffer.getvalue().encode() == CASES[name]


def test_only_the_rows_with_a_replaced_cell_are_written_anew(tmp_path):
    path = tmp_path / "quoted.csv"
    path.write_bytes(b'who,said\r\n"P1","fine"\r\n"P2","call me on 07700 900123"\r\n')
    whole = read(path, display="quoted.csv", structure=True)
    new = [text.replace("07700 900123", "[PHONE_NUMBER_1]") for text, _ in whole.values()]
    assert whole.write(new).encode() == b'who,said\r\n"P1","fine"\r\nP2,call me on [PHONE_NUMBER_1]\r\n'


def test_streamed_formats_are_all_but_json_and_yaml():
    from persona.codec import FORMATS

    assert set(FORMATS.values()) - STREAMED == {"json", "yaml"}


def test_a_long_text_is_written_back_in_chunks_that_end_at_blank_lines(tmp_path):
    from persona.codec import TEXT_CHUNK

    path = tmp_path / "long.txt"
    path.write_bytes(CASES["long.txt"])
    chunks = [text for text, _ in Stream(path).values()]
    assert len(chunks) > 2 and "".join(chunks) == path.read_text()
    assert all(chunk.endswith("\n\n") and len(chunk) <= TEXT_CHUNK for chunk in chunks[:-1])
    short = tmp_path / "short.txt"
    short.write_text("One paragraph.\n\nAnother.\n")
    assert list(Stream(short).values()) == [(short.read_text(), None)]  # a short file is one value


def test_the_size_limit_is_for_the_formats_read_whole(tmp_path):
    """The size limit is for files read whole; a streamed table is read a row at a time."""
    path = tmp_path / "big.csv"
    path.write_text(ROWS)
    small = InputLimits(max_file_bytes=1000)
    with pytest.raises(InputError, match="over the 0 MB limit"):
        read(path, small)
    assert Stream(path, small).record_count == 399
    whole = tmp_path / "big.json"
    whole.write_text("[" + ",".join(['"a long text"'] * 200) + "]")
    with pytest.raises(InputError, match=r"big\.json: the file is 0 MB, over"):
        Stream(whole, small, display="big.json")


def test_bytes_the_named_encoding_cannot_read_are_named_by_offset(tmp_path):
    path = tmp_path / "bytes.csv"
    path.write_bytes(b"who,said\n" + b"P1,ok\n" * 5 + b"P2,caf\xe9\n")
    utf8 = InputLimits(encoding="utf-8")
    with pytest.raises(InputError, match=r"bytes\.csv: not valid utf-8 at byte 45") as raised:
        Stream(path, utf8, display="bytes.csv")
    with pytest.raises(InputError) as whole:
        read(path, utf8, display="bytes.csv")
    assert str(raised.value) == str(whole.value)
    assert next(Stream(path, display="bytes.csv").values()) == ("who", KEY)  # cp1252; a header is a key


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("late.csv", ROWS.encode() + b'400,"never closed\n', r"late.csv, row \d+: invalid CSV"),
        ("late.jsonl", b'{"a": "b"}\n' * 300 + b"{oops\n", r"late.jsonl, line 301: invalid JSON"),
        ("nul.csv", b"who,said\n" + b"P1,ok\n" * 2000 + b"P2,a\x00b\n", "binary data"),
        ("header.csv", b"who,said\n", "holds no records"),
        ("empty.jsonl", b"\n  \n", "the file is empty"),
    ],
)
def test_a_bad_file_fails_when_opened_naming_the_file_and_row(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        Stream(path, display=name)


def test_a_line_over_the_limit_is_named(tmp_path):
    path = tmp_path / "long.jsonl"
    path.write_text('{"a": "b"}\n' * 3 + '{"a": "' + "x" * 500 + '"}\n')
    with pytest.raises(InputError, match=r"long.jsonl, line 4: the line is over the 100 character"):
        Stream(path, InputLimits(max_line_chars=100), display="long.jsonl")


def test_a_file_that_changes_between_passes_stops_the_command(tmp_path):
    path = tmp_path / "answers.csv"
    path.write_text(ROWS)
    opened = Stream(path, display="answers.csv")
    path.write_text(ROWS + "400,late,row\n")
    os.utime(path, ns=(1, 1))
    with pytest.raises(InputError, match=r"answers\.csv: the file changed while it was being read"):
        list(opened.values())


def test_too_many_values_to_write_back_is_a_bug_not_a_silent_truncation(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text('{"a": "b"}\n')
    with pytest.raises(ValueError, match="more values"):
        Stream(path).write(["a", "b", "extra"], io.StringIO())


def test_streams_of_several_files_get_the_prefixes_of_a_whole_read(tmp_path):
    from persona.codec import read_all

    paths = [tmp_path / "one" / "notes.csv", tmp_path / "two" / "notes.csv"]
    for path in paths:
        path.parent.mkdir()
        path.write_text("who,said\nP1,ok\n")
    assert [next(s.records()).id for s in stream_all(paths, InputLimits())] == [
        d.records[0].id for d in read_all(paths, InputLimits())
    ]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("windows.csv", b'who,said\r\nP1,"two\r\nlines"\r\nP2,ok\r\n'),
        ("windows.tsv", b"who\tsaid\r\nP1\tfine\r\n"),
        ("windows.jsonl", b'{"who": "P1", "said": "ok"}\r\n{"who": "P2", "said": "fine"}\r\n'),
        ("windows.txt", b"P1: hello\r\n\r\nP2: hi there\r\n"),
        ("unix.csv", b"who,said\nP1,ok\n"),
    ],
)
def test_a_copy_with_nothing_changed_is_the_file_byte_for_byte(tmp_path, name, content):
    """A Windows export keeps its CRLF line endings: a copy with no value changed is the file."""
    from persona.output import RunWriter

    path = tmp_path / name
    path.write_bytes(content)
    streamed = Stream(path, display=name)
    with RunWriter(tmp_path / "out") as writer:
        with writer.open_text(name) as handle:
            streamed.write((text for text, _ in streamed.values()), handle)
        writer.commit()
    assert (tmp_path / "out" / name).read_bytes() == content
    whole = read(path, display=name, structure=True)
    assert whole.write([text for text, _ in whole.values()]).encode() == content
