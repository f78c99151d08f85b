"""The llm engine against answers small models really give: invented record ids, junk, duplicate
items, empty content. Nothing a model says may crash the run; every case has its exit code."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from persona.errors import ExitCode
from persona.providers import ChatResponse, ModelInfo
from persona.schema import FindingSet, answer_schema

from tests.core.analyst import AnalystPlugin, AnalystProvider
from tests.fixtures import SCHEMAS


def notes(folder, rows=200):
    lines = ["participant,comment"] + [
        f'P{n:03d},"I check the app twice before leaving, number {n} says trains are late"'
        for n in range(rows)
    ]
    path = folder / "notes.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


class Inventor(AnalystProvider):
    """Cites record ids that do not exist, as small models do, in the chunks it is told to."""

    def __init__(self, bad_chunks: set[int] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.bad_chunks = bad_chunks
        self.chunk = 0

    def analyse(self, prompt, schema):
        answer = super().analyse(prompt, schema)
        if "findings" in schema["properties"] and "Here are the research records" in prompt:
            with self._lock:
                self.chunk += 1
                number = self.chunk
            if self.bad_chunks is None or (number + 1) // 2 in self.bad_chunks:
                for finding in answer["findings"]:
                    finding["record_ids"] = ["made-up-1", "rec-999"]
        return answer


def test_ids_that_do_not_exist_in_every_chunk_exit_10_naming_a_chunk(
    run_persona, register_plugin, persona_home, tmp_path
):
    provider = Inventor(context_length=6_000, max_concurrency=1)
    register_plugin(AnalystPlugin(provider), "analyst-plugin")
    result = run_persona(
        "generate",
        "-i",
        str(notes(tmp_path)),
        "-p",
        "analyst",
        "-o",
        "run",
        "-q",
        "--set",
        "engines.llm.grouping=order",
    )
    assert result.exit_code == ExitCode.ANSWER, result.stderr
    assert "IndexError" not in result.stderr
    *warnings, error = result.stderr.splitlines()
    assert all(line.startswith("persona: warning: chunk ") for line in warnings)
    assert re.search(r"^persona: error: chunk \d+/\d+: no finding of any chunk cites a record", error)
    assert not (persona_home / "run").exists()
    # each chunk got exactly one repair request, and no more
    firsts = [r for r in provider.requests if len(r.messages) == 2]
    repairs = [r for r in provider.requests if len(r.messages) == 4]
    assert len(firsts) == len(repairs) == len(warnings) > 1


def test_one_bad_chunk_is_left_out_with_its_coverage_said(
    run_persona, register_plugin, persona_home, tmp_path
):
    provider = Inventor(bad_chunks={1}, context_length=6_000, max_concurrency=1)
    register_plugin(AnalystPlugin(provider), "analyst-plugin")
    result = run_persona("generate", "-i", str(notes(tmp_path)), "-p", "analyst", "-o", "run")
    assert result.exit_code == 0, result.stderr
    assert re.search(
        r"chunk 1/\d+: no usable findings after a repair; \d+ records lost coverage", result.stderr
    )
    manifest = json.loads((persona_home / "run" / "manifest.json").read_text())
    assert manifest["details"]["records_without_coverage"] > 0
    personas = json.loads((persona_home / "run" / "personas.json").read_text())["personas"]
    cited = {rid for p in personas for rid in p["evidence"]}
    assert cited and cited <= {f"notes-{n}" for n in range(2, 202)}


def persona(**changes: Any) -> dict[str, Any]:
    base = {
        "id": "p",
        "name": "Pat Example",
        "role": "Commuter",
        "summary": "A commuter.",
        "demographics": {"age_range": None, "occupation": None, "location": None},
        "goals": ["on time"],
        "pain_points": ["delays"],
        "behaviours": ["checks the app"],
        "motivations": ["quiet"],
        "quotes": [],
        "evidence": ["notes-2"],
    }
    return {**base, **changes}


def test_duplicate_items_are_removed(run_persona, register_plugin, persona_home, tmp_path):
    provider = AnalystProvider()
    register_plugin(AnalystPlugin(provider), "analyst-plugin")
    answer = {"personas": [persona(goals=["Speed", "speed", "Speed.", "SPEED", "speed"])]}
    provider.queued.append(ChatResponse(json.dumps(answer)))
    result = run_persona("generate", "-i", str(notes(tmp_path, 5)), "-p", "analyst", "-o", "run", "-n", "1")
    assert result.exit_code == 0, result.stderr
    [saved] = json.loads((persona_home / "run" / "personas.json").read_text())["personas"]
    assert saved["goals"] == ["Speed"]
    assert (
        json.loads((persona_home / "run" / "manifest.json").read_text())["details"]["duplicate_items_removed"]
        == 4
    )


@pytest.mark.parametrize(
    "bad",
    [
        persona(evidence=["nope-1"]),  # no evidence names a real record
        persona(goals=["[PERSON_1]"], pain_points=["n/a"]),  # placeholder-only content
    ],
)
def test_a_persona_failing_the_gate_is_repaired_once_then_dropped(
    run_persona, register_plugin, persona_home, tmp_path, bad
):
    provider = AnalystProvider()
    register_plugin(AnalystPlugin(provider), "analyst-plugin")
    good = persona(id="q", name="Quinn Example")
    provider.queued += [ChatResponse(json.dumps({"personas": [bad, good]}))] * 2
    result = run_persona("generate", "-i", str(notes(tmp_path, 5)), "-p", "analyst", "-o", "run", "-n", "2")
    assert result.exit_code == 0, result.stderr
    assert len(provider.requests) == 2 and provider.requests[1].messages[-2].role == "assistant"
    assert "left out personas[0] (Pat Example)" in result.stderr
    assert "asked for 2 personas, the llm engine gave 1" in result.stderr
    names = [p["name"] for p in json.loads((persona_home / "run" / "personas.json").read_text())["personas"]]
    assert names == ["Quinn Example"]


def test_every_persona_failing_the_gate_is_exit_10(run_persona, register_plugin, persona_home, tmp_path):
    provider = AnalystProvider()
    register_plugin(AnalystPlugin(provider), "analyst-plugin")
    provider.queued += [ChatResponse(json.dumps({"personas": [persona(evidence=["x-1"])]}))] * 2
    result = run_persona(
        "generate", "-i", str(notes(tmp_path, 5)), "-p", "analyst", "-o", "run", "-n", "1", "-q"
    )
    assert result.exit_code == ExitCode.ANSWER
    assert "no persona passed the quality gate after a repair" in result.stderr
    assert not (persona_home / "run").exists()


def test_junk_answers_twice_exit_10_and_keep_the_raw_answers(
    run_persona, register_plugin, persona_home, tmp_path
):
    provider = AnalystProvider()
    register_plugin(AnalystPlugin(provider), "analyst-plugin")
    provider.queued += [ChatResponse('Sure! Here are your personas: {"personas": ['), ChatResponse("[[[")]
    result = run_persona("generate", "-i", str(notes(tmp_path, 5)), "-p", "analyst", "-o", "run", "-q")
    assert result.exit_code == ExitCode.ANSWER
    assert (persona_home / "run-failed" / "raw-answer-2.txt").read_text() == "[[["
    assert not (persona_home / "run").exists()


def test_max_requests_stops_before_the_first_request(run_persona, register_plugin, persona_home, tmp_path):
    provider = AnalystProvider(context_length=6_000)
    register_plugin(AnalystPlugin(provider), "analyst-plugin")
    result = run_persona(
        "generate",
        "-i",
        str(notes(tmp_path)),
        "-p",
        "analyst",
        "-q",
        env={"PERSONA_ENGINES__LLM__MAX_REQUESTS": "3"},
    )
    assert result.exit_code == ExitCode.INPUT
    assert re.search(
        r"the data needs about \d+ model requests, over engines.llm.max_requests \(3\)", result.stderr
    )
    assert provider.requests == []


def test_an_embedding_model_is_refused_naming_a_chat_model(
    run_persona, register_plugin, persona_home, tmp_path
):
    class Embedder(AnalystProvider):
        def list_models(self):
            return [
                ModelInfo("nomic-embed-text", 2048, capabilities=("embedding",)),
                ModelInfo("qwen2.5:7b", 32768, capabilities=("completion",)),
            ]

        def model_info(self, model):
            return self.list_models()[0]

    register_plugin(AnalystPlugin(Embedder()), "analyst-plugin")
    result = run_persona("generate", "-i", str(notes(tmp_path, 5)), "-p", "analyst", "-m", "nomic-embed-text")
    assert result.exit_code == ExitCode.USAGE
    assert (
        "nomic-embed-text is an embedding model and cannot write personas; "
        "use a chat model such as qwen2.5:7b" in result.stderr
    )


def test_the_schema_enumerates_the_ids_a_request_may_cite(
    run_persona, register_plugin, persona_home, tmp_path
):
    provider = AnalystProvider(context_length=6_000, max_concurrency=1)
    register_plugin(AnalystPlugin(provider), "analyst-plugin")
    assert run_persona("generate", "-i", str(notes(tmp_path)), "-p", "analyst", "-o", "run").exit_code == 0
    first = provider.requests[0]
    cited = first.schema["properties"]["findings"]["items"]["properties"]["record_ids"]["items"]["enum"]
    assert cited == re.findall(r"^\[(notes-\d+)\]$", first.messages[-1].content, re.M)
    # and the fixed part of every prompt comes first, the same in every request of the run
    assert (
        len(
            {
                r.messages[0].content
                for r in provider.requests
                if r.messages[-1].content.startswith("Here are the research")
            }
        )
        == 1
    )


# -- the schemas every structured-output engine must compile ---------------------------------------

# What llama.cpp's json-schema-to-grammar converter documents as supported.
KEYWORDS = {
    "type",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "minItems",
    "maxItems",
    "enum",
    "const",
    "pattern",
    "minLength",
    "maxLength",
    "description",
    "anyOf",
    "oneOf",
    "allOf",
    "default",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "format",
    "$ref",
    "$defs",
}
FORMATS = {"date", "time", "date-time", "uuid"}


def lint(node: Any, path: str = "$") -> list[str]:
    problems = []
    if isinstance(node, dict):
        for key, value in node.items():
            where = f"{path}.{key}"
            if key == "properties":
                problems += [p for name, sub in value.items() for p in lint(sub, f"{where}.{name}")]
                continue
            if key not in KEYWORDS:
                problems.append(f"{where}: keyword not supported")
            if key == "pattern":
                if not (value.startswith("^") and value.endswith("$")):
                    problems.append(f"{where}: pattern not anchored")
                if "(?" in value or "\\b" in value:
                    problems.append(f"{where}: (? group, lookaround or \\b")
            if key == "format" and value not in FORMATS:
                problems.append(f"{where}: format {value!r} not supported")
            problems += lint(value, where)
    elif isinstance(node, list):
        problems += [p for i, item in enumerate(node) for p in lint(item, f"{path}[{i}]")]
    return problems


#: Every kind of schema Persona sends (tests/ollama/test_decoder.py compiles them with llama.cpp).


@pytest.mark.parametrize("schema", SCHEMAS.values(), ids=SCHEMAS.keys())
def test_every_schema_persona_sends_is_in_the_grammar_subset(schema):
    assert lint(schema) == []


def test_the_lint_catches_what_llama_cpp_rejects():
    assert lint({"type": "string", "pattern": "^[a-z]+(?:-[a-z]+)*$"}) == [
        "$.pattern: (? group, lookaround or \\b"
    ]
    assert lint({"type": "string", "format": "email"}) == ["$.format: format 'email' not supported"]


def test_too_many_ids_fall_back_to_validation(tmp_path):
    from persona.schema import MAX_ENUM_IDS

    schema = answer_schema(FindingSet, record_ids=[f"r{n}" for n in range(MAX_ENUM_IDS + 1)])
    assert "enum" not in json.dumps(schema["properties"]["findings"]["items"]["properties"]["record_ids"])


def test_raw_control_characters_inside_strings_are_read_as_a_real_decoder_writes_them():
    """Gemma 3 270M under llama.cpp's JSON grammar wrote a raw tab inside a quote: not a repair."""
    from persona.llm.answers import parse_answer

    answer = '{"findings": [{"kind": "goal", "statement": "on time\tfor\nhandover", "record_ids": ["r-1"]}]}'
    parsed, problems = parse_answer(answer, FindingSet)
    assert problems == "" and parsed is not None
    assert parsed.findings[0].statement == "on time\tfor\nhandover"
    broken, problems = parse_answer('{"themes": [', FindingSet)
    assert broken is None and problems.startswith("invalid JSON")
