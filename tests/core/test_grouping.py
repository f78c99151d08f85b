"""The llm engine on data larger than one prompt: chunks of similar records, or one persona per
group grounded by its extractive draft (the default)."""

from __future__ import annotations

import json
import re

from persona.errors import ExitCode

from tests.core.analyst import RECORD, AnalystPlugin, AnalystProvider
from tests.fixtures import TYPES, study, truth_of, write_study

KINDS = ("commuter", "family", "student")


def make_study(folder, per_type=(60, 40, 20), seed=3):
    """A survey with three planted kinds of participant, shuffled; returns the path and the truth."""
    rows = study(dict(zip(KINDS, per_type, strict=True)), seed=seed, said=2, common=0)
    path = folder / "study.csv"
    write_study(rows, path)
    return path, truth_of(rows, "study")


def kinds_of(ids, truth):
    return {truth[i] for i in ids}


def test_per_group_writes_one_grounded_persona_per_group_and_assigns_every_record(
    run_persona, register_plugin, persona_home, tmp_path
):
    provider = AnalystProvider(context_length=12_000)  # each group fits one prompt, all of them do not
    register_plugin(AnalystPlugin(provider), "analyst-plugin")
    data, truth = make_study(tmp_path)
    result = run_persona("generate", "-i", str(data), "-p", "analyst", "-o", "run", "-n", "3")
    assert result.exit_code == 0, result.stderr
    run = persona_home / "run"
    manifest = json.loads((run / "manifest.json").read_text())
    fitting = manifest["details"]["fitting"]
    assert fitting["strategy"] == "per-group" and len(fitting["groups"]) == 3
    assert sum(group["records"] for group in fitting["groups"]) == len(truth)
    personas = json.loads((run / "personas.json").read_text())["personas"]
    assert len(personas) == 3 and len({p["id"] for p in personas}) == 3
    # every record belongs to exactly one persona, and each persona stands for one planted kind
    assignments = manifest["assignments"]
    assert set(assignments) == set(truth)
    for persona in personas:
        members = [rid for rid, pid in assignments.items() if pid == persona["id"]]
        assert len(kinds_of(members, truth)) == 1
        assert set(persona["evidence"]) <= set(members)
    assert sorted(kinds_of(assignments, truth)) == sorted(KINDS)
    # each persona request carried its group's draft, made of the group's own sentences, and
    # showed only that group's records
    asks = [r for r in provider.requests if "personas" in r.schema["properties"]]
    assert len(asks) == 3
    for request in asks:
        user = request.messages[-1].content
        assert user.startswith("Draft (sentences taken word for word")
        draft, records = user.split("Here are the research records:", 1)
        shown = RECORD.findall(records)
        (kind,) = kinds_of(shown, truth)
        assert any(sentence in draft for sentence in TYPES[kind]["said"])
        # the group's own summary grounds it: how many it stands for, what sets it apart
        size = re.search(r"^group: (\d+) of (\d+) ", draft, re.M)
        assert size and int(size.group(1)) == len(shown) and int(size.group(2)) == len(truth)
        assert "What sets them apart: " in draft
        assert request.schema["properties"]["personas"]["maxItems"] == 1
    labels = [r["label"] for r in manifest["requests"]]
    assert sorted(labels) == [f"group {n}/3: personas" for n in (1, 2, 3)]


def test_similar_chunks_hold_one_kind_of_participant_each(
    run_persona, register_plugin, persona_home, tmp_path
):
    provider = AnalystProvider(context_length=6_000)
    register_plugin(AnalystPlugin(provider), "analyst-plugin")
    data, truth = make_study(tmp_path, per_type=(80, 50, 30))
    result = run_persona(
        "generate",
        "-i",
        str(data),
        "-p",
        "analyst",
        "-o",
        "run",
        "-n",
        "3",
        "--set",
        "engines.llm.grouping=similar",
    )
    assert result.exit_code == 0, result.stderr
    fitting = json.loads((persona_home / "run" / "manifest.json").read_text())["details"]["fitting"]
    assert fitting["strategy"] == "map-reduce" and fitting["grouping"] == "similar"
    chunks = [
        RECORD.findall(r.messages[-1].content)
        for r in provider.requests
        if "findings" in r.schema["properties"] and "research records" in r.messages[-1].content
    ]
    assert len(chunks) == len(fitting["chunks"]) > 3
    assert all(len(kinds_of(chunk, truth)) == 1 for chunk in chunks)
    assert sorted(id for chunk in chunks for id in chunk) == sorted(truth)


def test_file_order_chunks_mix_the_kinds(run_persona, register_plugin, persona_home, tmp_path):
    """The baseline the two groupings are measured against: shuffled data, chunks in file order."""
    provider = AnalystProvider(context_length=8_000)
    register_plugin(AnalystPlugin(provider), "analyst-plugin")
    data, truth = make_study(tmp_path, per_type=(80, 50, 30))
    result = run_persona(
        "generate", "-i", str(data), "-p", "analyst", "-o", "run", "--set", "engines.llm.grouping=order"
    )
    assert result.exit_code == 0, result.stderr
    chunks = [
        RECORD.findall(r.messages[-1].content)
        for r in provider.requests
        if "findings" in r.schema["properties"] and "research records" in r.messages[-1].content
    ]
    assert all(len(kinds_of(chunk, truth)) == 3 for chunk in chunks)


STUDENT = re.compile("university|laptop|Split ticketing|Money is tight")  # only students say these


class OneGroupFails(AnalystProvider):
    """Answers every persona request about students with evidence that names no record."""

    def analyse(self, prompt, schema):
        answer = super().analyse(prompt, schema)
        if "personas" in schema["properties"] and STUDENT.search(prompt.split("Here are")[0]):
            for persona in answer["personas"]:
                persona["evidence"] = ["made-up-7"]
        return answer


def test_a_group_whose_persona_fails_the_gate_is_left_out_saying_what_lost_coverage(
    run_persona, register_plugin, persona_home, tmp_path
):
    provider = OneGroupFails(context_length=12_000)
    register_plugin(AnalystPlugin(provider), "analyst-plugin")
    data, truth = make_study(tmp_path)
    result = run_persona("generate", "-i", str(data), "-p", "analyst", "-o", "run", "-n", "3")
    assert result.exit_code == 0, result.stderr
    students = sum(kind == "student" for kind in truth.values())
    assert re.search(rf"1 of 3 groups left out \({students} records lost coverage\)", result.stderr)
    assert "asked for 3 personas, the llm engine gave 2" in result.stderr
    manifest = json.loads((persona_home / "run" / "manifest.json").read_text())
    assert kinds_of(manifest["assignments"], truth) == {"commuter", "family"}
    assert manifest["details"]["records_without_coverage"] == students


def test_every_group_failing_is_exit_10_and_leaves_nothing(
    run_persona, register_plugin, persona_home, tmp_path
):
    class AllFail(AnalystProvider):
        def analyse(self, prompt, schema):
            answer = super().analyse(prompt, schema)
            for persona in answer.get("personas", []):
                persona["evidence"] = ["made-up-7"]
            return answer

    register_plugin(AnalystPlugin(AllFail(context_length=12_000)), "analyst-plugin")
    data, _ = make_study(tmp_path)
    result = run_persona("generate", "-i", str(data), "-p", "analyst", "-o", "run", "-q")
    assert result.exit_code == ExitCode.ANSWER
    assert "quality gate" in result.stderr and "Traceback" not in result.stderr
    assert not (persona_home / "run").exists()


def test_dry_run_shows_the_groups(run_persona, register_plugin, persona_home, tmp_path):
    register_plugin(AnalystPlugin(AnalystProvider(context_length=12_000)), "analyst-plugin")
    data, truth = make_study(tmp_path)
    result = run_persona("generate", "-i", str(data), "-p", "analyst", "--dry-run", "-n", "3")
    assert result.exit_code == 0, result.stderr
    match = re.search(
        r"Plan: per-group, 3 groups of similar records \((\d+), (\d+), (\d+) records\)", result.stdout
    )
    assert match and sum(map(int, match.groups())) == len(truth)
    assert "--- user ---\nDraft (sentences taken word for word" in result.stdout
