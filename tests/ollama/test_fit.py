"""Model fit, doctor's Ollama checks and reasoning models, against the loopback fake server."""

from __future__ import annotations

import json

from persona.errors import ExitCode
from persona.providers import ChatRequest, GenerationOptions, Message
from persona_ollama.fit import GIB, Memory, classify, needed_bytes, read_memory
from persona_ollama.provider import OllamaProvider
from persona_ollama.settings import OllamaSettings

from tests.conftest import REPO
from tests.ollama.fake_server import FakeModel

EXAMPLES = str(REPO / "examples" / "research")
BIG = {
    "parameter_size": "70.6B",
    "size": 42_520_413_916,
    "layers": 80,
    "heads": 64,
    "kv_heads": 8,
    "embedding": 8192,
}


def provider(fake, memory: Memory) -> OllamaProvider:
    return OllamaProvider(OllamaSettings(host=fake.url), memory=lambda: memory)


def test_needed_memory_is_weights_plus_kv_cache():
    info = {
        "general.architecture": "llama",
        "llama.block_count": 32,
        "llama.attention.head_count": 32,
        "llama.attention.head_count_kv": 8,
        "llama.embedding_length": 4096,
    }
    assert needed_bytes(4 * GIB, info, 8192) == int(4 * GIB * 1.1) + 2 * 32 * 8192 * 8 * 128 * 2
    assert needed_bytes(4 * GIB, {}, 8192) == int(4 * GIB * 1.1)  # architecture unknown: weights only
    assert needed_bytes(None, info, 8192) is None


def test_classification():
    machine = Memory(ram_bytes=32 * GIB, gpu_bytes=8 * GIB, gpu_kind="nvidia")
    assert classify(6 * GIB, machine) == "gpu"
    assert classify(20 * GIB, machine) == "ram"
    assert classify(30 * GIB, machine) == "no"
    assert classify(None, machine) == "unknown"


def test_memory_overrides_from_settings():
    assert read_memory(ram_gb=16, gpu_gb=0) == Memory(16 * GIB, None, None)
    assert read_memory(ram_gb=16, gpu_gb=8) == Memory(16 * GIB, 8 * GIB, "configured")
    assert read_memory().ram_bytes > 0  # psutil reads the real machine


def test_default_model_prefers_one_that_fits(fake_ollama):
    fake_ollama.add(FakeModel("llama3.3:70b", family="llama", **BIG))
    laptop = provider(fake_ollama, Memory(16 * GIB, None, None))
    assert laptop.model_info(None).name == "qwen2.5:7b"
    workstation = provider(fake_ollama, Memory(128 * GIB, 80 * GIB, "nvidia"))
    assert workstation.model_info(None).name == "llama3.3:70b"


def test_generate_warns_when_the_model_will_not_fit(run_persona, ollama_env, fake_ollama, persona_home):
    fake_ollama.add(FakeModel("llama3.3:70b", family="llama", **BIG))
    env = {**ollama_env, "PERSONA_OLLAMA__RAM_GB": "16", "PERSONA_OLLAMA__GPU_GB": "0"}
    result = run_persona("generate", "-i", EXAMPLES, "-m", "llama3.3:70b", "-o", "run", env=env)
    assert result.exit_code == 0, result.stderr
    warning = next(line for line in result.stderr.splitlines() if "warning" in line)
    assert warning.startswith(
        "persona: warning: llama3.3:70b needs 53.6 GB at 32,768 tokens: does not fit on "
        "this machine (16 GB RAM, no GPU)"
    )
    assert warning.endswith("qwen2.5:7b would fit")
    manifest = json.loads((persona_home / "run" / "manifest.json").read_text())
    assert manifest["model"]["warnings"] == [warning.removeprefix("persona: warning: ")]


def test_models_command_shows_the_fit(run_persona, ollama_env, fake_ollama):
    fake_ollama.add(FakeModel("llama3.3:70b", family="llama", **BIG))
    env = {**ollama_env, "PERSONA_OLLAMA__RAM_GB": "96", "PERSONA_OLLAMA__GPU_GB": "8"}
    rows = {
        r["name"]: r["fits"] for r in json.loads(run_persona("ollama", "models", "--json", env=env).stdout)
    }
    assert rows == {"qwen2.5:7b": "gpu", "llama3.3:70b": "ram"}
    assert "RAM only (slow)" in run_persona("ollama", "models", env=env).stdout


def test_doctor_ollama_checks(run_persona, ollama_env, fake_ollama):
    result = run_persona("doctor", env=ollama_env)
    lines = result.stdout.splitlines()
    assert f"ok       ollama server: Ollama 0.12.6 at {fake_ollama.url}" in lines
    assert "ok       memory: 64 GB RAM, 24 GB configured GPU memory" in lines
    assert "ok       ollama models: 1 installed: qwen2.5:7b" in lines
    assert any(
        line.startswith("ok       ollama model: default model qwen2.5:7b needs 6.5 GB") for line in lines
    )
    # only loopback was contacted: the fake saw the version, tags and show requests
    assert {path for _, path, _ in fake_ollama.requests} >= {"/api/version", "/api/tags", "/api/show"}


def test_doctor_flags_a_model_that_does_not_fit_and_no_server(run_persona, ollama_env, fake_ollama):
    small = {**ollama_env, "PERSONA_OLLAMA__RAM_GB": "4", "PERSONA_OLLAMA__GPU_GB": "0"}
    result = run_persona("doctor", env=small)
    assert result.exit_code == ExitCode.CHECK_FAILED
    assert any(
        line.startswith("PROBLEM  ollama model: default model qwen2.5:7b needs 6.5 GB")
        for line in result.stdout.splitlines()
    )
    fake_ollama.models.clear()
    empty = run_persona("doctor", env=ollama_env)
    assert (
        "PROBLEM  ollama models: no models installed -> run `persona ollama pull qwen2.5:7b`" in empty.stdout
    )


def test_doctor_never_contacts_a_remote_host(run_persona, ollama_env):
    env = {**ollama_env, "PERSONA_OLLAMA__HOST": "http://192.0.2.7:11434"}
    refused = run_persona("doctor", env=env)
    assert "PROBLEM  ollama host: http://192.0.2.7:11434 is not this machine" in refused.stdout
    allowed = run_persona("doctor", env={**env, "PERSONA_OLLAMA__ALLOW_REMOTE": "true"})
    assert "warning  ollama host: http://192.0.2.7:11434 is another machine" in allowed.stdout


def test_reasoning_is_off_unless_asked_and_saved_when_asked(
    run_persona, ollama_env, fake_ollama, persona_home
):
    fake_ollama.add(FakeModel("qwen3:8b", family="qwen3", capabilities=["completion", "thinking"]))
    off = run_persona("generate", "-i", EXAMPLES, "-m", "qwen3:8b", "-o", "off", env=ollama_env)
    assert off.exit_code == 0, off.stderr
    assert fake_ollama.received("/api/chat")[-1]["think"] is False
    assert not (persona_home / "off" / "thinking.md").exists()
    on = run_persona(
        "generate", "-i", EXAMPLES, "-m", "qwen3:8b", "-o", "on", "--save-thinking", env=ollama_env
    )
    assert on.exit_code == 0, on.stderr
    assert fake_ollama.received("/api/chat")[-1]["think"] is True
    trace = (persona_home / "on" / "thinking.md").read_text()
    assert trace == "## personas\n\nThe records mention delays; group by commute.\n"
    personas = json.loads((persona_home / "on" / "personas.json").read_text())["personas"]
    assert personas  # the trace was not parsed as the answer


def test_thinking_progress_is_reported_separately(fake_ollama):
    fake_ollama.add(
        FakeModel("qwen3:8b", family="qwen3", capabilities=["completion", "thinking"], loaded=True)
    )
    phases: list[str] = []
    request = ChatRequest(
        model="qwen3:8b", messages=(Message("user", "hi"),), options=GenerationOptions(reasoning=True)
    )
    response = provider(fake_ollama, Memory(64 * GIB, 24 * GIB, "nvidia")).chat(
        request, progress=lambda p: phases.append(p.phase)
    )
    assert phases[:3] == ["thinking"] * 3 and set(phases[3:]) == {"answer"}
    assert response.thinking == "The records mention delays; group by commute."
    assert "records mention" not in response.text
