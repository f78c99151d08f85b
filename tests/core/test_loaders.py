from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from persona.codec import InputLimits
from persona.codec import read as load_file
from persona.codec import read_all as load_files
from persona.discovery import discover
from persona.errors import InputError

LIMITS = InputLimits()


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def load(path: Path, limits: InputLimits = LIMITS):
    return load_file(path, limits, display=path.name)


def error_of(path: Path, limits: InputLimits = LIMITS) -> str:
    with pytest.raises(InputError) as raised:
        load(path, limits)
    return str(raised.value)


# -- tables --------------------------------------------------------------------------------------


def test_csv_rows_become_records_with_provenance(tmp_path):
    path = write(
        tmp_path / "notes.csv",
        'id,quote,role\nP1,"I plan trips, late at night",nurse\n,,\nP2,"two\nlines",teacher\n',
    )
    loaded = load(path)
    assert [r.id for r in loaded.records] == ["notes-2", "notes-5"]
    first, second = loaded.records
    assert first.fields == {"id": "P1", "quote": "I plan trips, late at night", "role": "nurse"}
    assert first.source.where() == "notes.csv, row 2"
    assert second.fields["quote"] == "two\nlines"
    assert (loaded.format, loaded.encoding, loaded.size) == ("csv", "utf-8", path.stat().st_size)
    assert len(loaded.sha256) == 64


def test_semicolon_csv_and_tsv(tmp_path):
    semi = load(write(tmp_path / "eu.csv", "name;comment\nAnna;Zu teuer\nBen;Gut\n"))
    assert semi.records[0].fields == {"name": "Anna", "comment": "Zu teuer"}
    tsv = load(write(tmp_path / "t.tsv", "a\tb\n1\t2, 3\n"))
    assert tsv.records[0].fields == {"a": "1", "b": "2, 3"}


def test_duplicate_and_empty_headers_get_names(tmp_path):
    loaded = load(write(tmp_path / "h.csv", "q,q,\n1,2,3\n"))
    assert loaded.records[0].fields == {"q": "1", "q_2": "2", "column_3": "3"}


def test_a_ragged_row_keeps_its_extra_fields_in_the_last_column_and_warns_once(tmp_path):
    rows = "".join(f"P{n},fine\n" for n in range(1, 40))
    path = write(tmp_path / "r.csv", "id,comment\n" + rows + "P40,slow, then it froze\nP41,ok,,\nP42,a,b,c\n")
    loaded = load(path)
    assert len(loaded.records) == 42
    assert loaded.records[39].fields == {"id": "P40", "comment": "slow, then it froze"}
    assert loaded.records[40].fields == {"id": "P41", "comment": "ok"}  # trailing empties: not ragged
    assert loaded.records[41].fields == {"id": "P42", "comment": "a,b,c"}
    assert loaded.warnings == [
        "r.csv: 2 rows (41, 43) had more fields than the header; the extra fields were joined into the "
        "last column (input.strict_rows = true refuses such a file)"
    ]
    assert load(write(tmp_path / "ok.csv", "a,b\n1,2\n")).warnings == []


def test_a_ragged_row_is_written_back_with_its_own_fields(tmp_path):
    path = write(tmp_path / "r.csv", "id,comment\nP1,slow, then it froze\n")
    loaded = load_file(path, LIMITS, display="r.csv", structure=True)
    values = loaded.values()
    assert values[-2:] == [("slow", "comment"), (" then it froze", "comment")]
    assert loaded.write([text.upper() for text, _ in values]) == "ID,COMMENT\nP1,SLOW, THEN IT FROZE\n"


def test_a_ragged_row_fails_the_file_under_strict_rows(tmp_path):
    path = write(tmp_path / "bad.csv", "a,b\n1,2\n3,4,5\n")
    assert error_of(path, InputLimits(strict_rows=True)) == (
        "bad.csv, row 3: 3 fields where the header has 2; check the delimiter and quoting "
        "(input.strict_rows is on)"
    )


def test_csv_with_an_unclosed_quote(tmp_path):
    path = write(tmp_path / "q.csv", 'a,b\n1,"open\n2,3\n')
    assert error_of(path).startswith("q.csv, row 3: invalid CSV: unexpected end of data")


def test_the_garbage_collector_is_back_on_after_a_file_fails_to_parse(tmp_path):
    import gc

    path = tmp_path / "broken.csv"
    path.write_text('id,comment\n1,"never closed\n', encoding="utf-8")
    assert gc.isenabled()
    with pytest.raises(InputError):
        load_file(path)
    assert gc.isenabled()
    (tmp_path / "good.csv").write_text("id,comment\n1,fine thanks\n", encoding="utf-8")
    load_file(tmp_path / "good.csv")
    assert gc.isenabled()


def test_csv_with_only_a_header(tmp_path):
    assert error_of(write(tmp_path / "h.csv", "a,b\n")) == (
        "h.csv: the file holds no records (only headers or empty values)"
    )


# -- encodings -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoded", "encoding"),
    [
        ("\ufeffname,comment\nZoë,Café crème\n".encode(), "utf-8-sig"),
        ("name,comment\nZoë,Café crème\n".encode("utf-16"), "utf-16"),
        ('name,comment\nZoë,"Café crème, très cher à Noël"\n'.encode("cp1252"), None),
    ],
)
def test_encodings_are_detected_and_reported(tmp_path, encoded, encoding):
    loaded = load(write(tmp_path / "e.csv", encoded))
    assert loaded.records[0].fields["name"] == "Zoë"
    assert loaded.records[0].fields["comment"].startswith("Café crème")
    if encoding:
        assert loaded.encoding == encoding
    else:
        assert loaded.encoding not in ("utf-8", "utf-8-sig", "utf-16")


EXCEL_ROWS = [
    "Le café était fermé et l'appli a planté à midi.",
    "Über die Suche bin ich verärgert.",
    "La búsqueda no funciona y la aplicación se cerró.",
    "Grüße aus Köln, die Fahrkarte war zu teuer.",
]


def test_an_excel_cp1252_export_reads_as_written(tmp_path):
    """Excel's default CSV export: every byte valid cp1252, letters inside words that another
    code page would change (é -> ť, Ü -> ‹, ä -> š)."""
    text = "id,comment\n" + "".join(f'{n},"{row}"\n' for n, row in enumerate(EXCEL_ROWS, start=1))
    loaded = load(write(tmp_path / "excel.csv", text.encode("cp1252")))
    assert loaded.encoding == "cp1252"
    assert [r.fields["comment"] for r in loaded.records] == EXCEL_ROWS
    one = load(write(tmp_path / "one.csv", ("id,comment\n1," + EXCEL_ROWS[1] + "\n").encode("cp1252")))
    assert one.records[0].fields["comment"] == EXCEL_ROWS[1]


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Пожалуйста, приложение постоянно зависает при оплате билета.\n" * 3, "cp1251"),
        ("Zażółć gęślą jaźń, aplikacja ciągle się zawiesza przy płatności.\n" * 3, "cp1250"),
        ("Η εφαρμογή κολλάει όταν πληρώνω το εισιτήριο.\n" * 3, "cp1253"),
    ],
)
def test_other_code_pages_are_not_read_as_cp1252(tmp_path, text, encoding):
    loaded = load(write(tmp_path / "n.txt", text.encode(encoding)))
    assert loaded.records[0].text.splitlines()[0] == text.splitlines()[0]


def test_the_encoding_setting_is_used_as_given(tmp_path):
    path = write(tmp_path / "l.txt", "Ça coûte trop cher.".encode("latin-1"))
    assert load(path, InputLimits(encoding="latin-1")).encoding == "latin-1"
    assert error_of(write(tmp_path / "u.txt", b"caf\xe9 ok"), InputLimits(encoding="utf-8")) == (
        "u.txt: not valid utf-8 at byte 3"
    )


def test_binary_and_empty_files(tmp_path):
    assert error_of(write(tmp_path / "b.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00")) == (
        "b.txt: the file holds binary data, not text"
    )
    assert error_of(write(tmp_path / "e.csv", " \n\n")) == "e.csv: the file is empty"


def test_an_enormous_line_is_refused(tmp_path):
    limits = InputLimits(max_line_chars=1000)
    path = write(tmp_path / "long.txt", "short line\n" + "x" * 1001 + "\n")
    assert error_of(path, limits) == (
        "long.txt, line 2: the line is 1,001 characters long, over the 1,000 limit (input.max_line_chars)"
    )


def test_an_oversized_file_is_refused(tmp_path):
    path = write(tmp_path / "big.txt", "word " * 1000)
    message = error_of(path, InputLimits(max_file_bytes=100))
    assert message.startswith("big.txt: the file is 0 MB, over the 0 MB limit")


# -- structured ----------------------------------------------------------------------------------


def test_json_array_object_with_list_and_nesting(tmp_path):
    data = {
        "survey": "March",
        "responses": [
            {"who": "R1", "answers": {"q1": "Too slow", "tags": ["a", "b"]}, "skip": None},
            "A free-text comment",
        ],
    }
    loaded = load(write(tmp_path / "s.json", json.dumps(data)))
    first, second, rest = loaded.records
    assert first.fields == {"who": "R1", "answers.q1": "Too slow", "answers.tags": "a; b"}
    assert (second.text, second.source.row) == ("A free-text comment", 2)
    # what stands beside the list is kept, as one record more
    assert rest.fields == {"survey": "March"}


def test_invalid_json_reports_the_line(tmp_path):
    path = write(tmp_path / "bad.json", '[\n{"a": 1},\n{"a": }\n]')
    assert error_of(path) == "bad.json, line 3: invalid JSON: Expecting value"


def test_deeply_nested_json(tmp_path):
    path = write(tmp_path / "deep.json", "[" * 100_000 + "]" * 100_000)
    assert "nested too deeply" in error_of(path)
    moderately = {"a": None}
    node = moderately
    for _ in range(50):
        node["a"] = {"a": None}
        node = node["a"]
    assert "nested too deeply" in error_of(write(tmp_path / "d2.json", json.dumps([moderately])))


def test_json_scalar_is_refused(tmp_path):
    assert error_of(write(tmp_path / "n.json", "42")) == (
        "n.json: expected a list of objects or texts, found a int"
    )


def test_jsonl_reports_the_line(tmp_path):
    path = write(tmp_path / "a.jsonl", '{"q": "one"}\n\n"two"\n{"q": \n')
    assert error_of(path) == "a.jsonl, line 4: invalid JSON: Expecting value"
    good = load(write(tmp_path / "b.jsonl", '{"q": "one"}\n\n"two"\n'))
    assert [(r.id, r.source.line_start) for r in good.records] == [("b-1", 1), ("b-3", 3)]


def test_yaml_safe_loading(tmp_path):
    good = load(write(tmp_path / "g.yaml", "- who: R1\n  said: Too slow\n- who: R2\n  said: Fine\n"))
    assert [r.fields["said"] for r in good.records] == ["Too slow", "Fine"]
    evil = write(tmp_path / "evil.yaml", "- !!python/object/apply:os.system ['touch pwned']\n")
    assert error_of(evil).startswith("evil.yaml, line 1: unsupported YAML tag")
    assert not (tmp_path / "pwned").exists()


def test_yaml_alias_bomb_is_refused(tmp_path):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]")
    path = write(tmp_path / "bomb.yaml", "\n".join(lines) + "\n")
    assert "aliases expand to over" in error_of(path)


def test_invalid_yaml_reports_the_line(tmp_path):
    path = write(tmp_path / "bad.yml", "a: 1\nb: [1, 2\nc: 3\n")
    assert error_of(path).startswith("bad.yml, line 3: invalid YAML")


# -- free text -----------------------------------------------------------------------------------


def test_transcript_keeps_speaker_turns_together(tmp_path):
    turns = []
    for n in range(30):
        turns.append(f"Interviewer: Question {n}?\n")
        turns.append(f"P07: Answer {n} starts here,\ncontinues on a second line.\n\nAnd a paragraph.\n")
    loaded = load(write(tmp_path / "t.txt", "\n".join(turns)), InputLimits(passage_chars=400))
    assert len(loaded.records) > 3
    for record in loaded.records:
        # every passage starts at a turn and holds whole answers
        assert record.text.startswith(("Interviewer:", "P07:"))
        assert record.text.count("starts here") == record.text.count("And a paragraph.")
    first = loaded.records[0]
    assert first.source.line_start == 1 and first.source.line_end > 1
    ranges = [(r.source.line_start, r.source.line_end) for r in loaded.records]
    assert all(a[1] < b[0] for a, b in itertools.pairwise(ranges))


def test_a_very_long_paragraph_is_split_at_sentences(tmp_path):
    text = " ".join(f"Sentence number {n} is here." for n in range(200))
    loaded = load(write(tmp_path / "p.md", "# Notes\n\n" + text + "\n"), InputLimits(passage_chars=500))
    assert len(loaded.records) > 5
    assert loaded.records[0].text.startswith("# Notes\nSentence number 0 is here.")
    assert all(len(r.text) <= 520 for r in loaded.records)
    assert all(r.text.endswith(".") for r in loaded.records)


# -- discovery -----------------------------------------------------------------------------------


def test_discovery_recurses_with_globs(tmp_path):
    write(tmp_path / "d/a.csv", "a\n1\n")
    write(tmp_path / "d/sub/b.md", "hello")
    write(tmp_path / "d/.hidden/c.csv", "a\n1\n")
    write(tmp_path / "d/~lock.csv", "a\n1\n")
    write(tmp_path / "d/image.png", b"\x89PNG")
    found = discover([tmp_path / "d"], LIMITS)
    assert [p.name for p in found] == ["a.csv", "b.md"]


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda t: t / "missing.csv", "missing.csv: no such file or folder"),
        (lambda t: write(t / "x.pdf", b"%PDF"), "x.pdf: unsupported file type '.pdf'"),
        (lambda t: (t / "empty").mkdir() or t / "empty", "empty: the folder holds no supported files"),
    ],
)
def test_discovery_errors(tmp_path, setup, message):
    with pytest.raises(InputError) as raised:
        discover([setup(tmp_path)], LIMITS)
    assert message in str(raised.value)


def test_record_ids_stay_unique_when_file_stems_collide(tmp_path):
    a = write(tmp_path / "one/notes.csv", "a\n1\n")
    b = write(tmp_path / "two/notes.csv", "a\n2\n")
    loaded = load_files([a, b], LIMITS)
    assert [f.records[0].id for f in loaded] == ["one-notes-csv-2", "two-notes-csv-2"]


def test_a_semicolon_csv_with_commas_in_its_answers_is_read_as_columns(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("id;answer;score\nR1;I like it, mostly, but it is slow;4\nR2;Fine, thanks;5\n")
    first, second = load_file(path, InputLimits()).records
    assert first.fields == {"id": "R1", "answer": "I like it, mostly, but it is slow", "score": "4"}
    assert second.fields["answer"] == "Fine, thanks"


def test_one_huge_cell_reads_and_writes_back_in_the_same_format(tmp_path):
    path = tmp_path / "big.csv"
    cell = "word " * 45_600  # 228 KB, past the csv module's default field limit
    path.write_text(f'id,notes\nR1,"{cell}"\n')
    document = load_file(path, InputLimits(), structure=True)
    assert document.records[0].fields["notes"] == cell.strip()
    values = [text for text, _ in document.values()]
    assert document.write([v.upper() for v in values]).splitlines()[0] == "ID,NOTES"
