"""The Ollama provider against a faithful fake Ollama server on loopback."""

from __future__ import annotations

import json
import socket

import ollama
import pytest
from persona.errors import ExitCode, ModelNotFoundError, SettingsError
from persona.providers import ChatRequest, Message
from persona_ollama.fit import GIB, Memory
from persona_ollama.provider import OllamaProvider, parameter_count
from persona_ollama.settings import CONTEXT_STEPS, OllamaSettings, context_for, is_local

from tests.conftest import REPO
from tests.ollama.fake_server import FakeModel, Fault

EXAMPLES = str(REPO / "examples" / "research")


def provider_for(fake, memory=None, **settings) -> OllamaProvider:
    reading = memory or Memory(64 * GIB, 24 * GIB, "nvidia")
    return OllamaProvider(
        OllamaSettings(host=fake.url, busy_backoff=0.01, **settings), memory=lambda: reading
    )


def run_folders(home):
    return [p for p in home.rglob("*") if p.is_dir()]


# -- connection ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "url"),
    [
        (None, "http://127.0.0.1:11434"),
        ("127.0.0.1:5555", "http://127.0.0.1:5555"),
        (":5555", "http://127.0.0.1:5555"),
        ("localhost", "http://localhost:11434"),
        ("http://[::1]:7000", "http://[::1]:7000"),
    ],
)
def test_host_is_parsed_like_the_ollama_client(value, url):
    environ = {"OLLAMA_HOST": value} if value else {}
    assert OllamaSettings().base_url(environ) == url


def test_plugin_setting_overrides_ollama_host():
    settings = OllamaSettings(host="127.0.0.1:6000")
    assert settings.base_url({"OLLAMA_HOST": "127.0.0.1:7000"}) == "http://127.0.0.1:6000"


def test_remote_host_is_refused_unless_allowed():
    with pytest.raises(SettingsError, match=r"not this machine.*ollama\.allow_remote = true"):
        OllamaSettings(host="http://10.1.2.3:11434").checked_url({})
    assert OllamaSettings(host="http://gpu-box:11434", allow_remote=True).checked_url({}) == (
        "http://gpu-box:11434"
    )
    assert is_local("http://0.0.0.0:11434") and is_local("http://127.0.0.2:1")
    assert not is_local("http://example.org:11434")


def test_bad_plugin_settings_are_named():
    with pytest.raises(SettingsError, match=r"unknown setting 'ollama\.hots'"):
        OllamaSettings.from_section({"hots": "x"})
    with pytest.raises(SettingsError, match=r"invalid setting 'ollama\.max_context'"):
        OllamaSettings.from_section({"max_context": 10})
    assert OllamaSettings.from_section({"keep_alive": "300"}).keep_alive == 300.0
    assert OllamaSettings.from_section({"keep_alive": "5m"}).keep_alive == "5m"


def test_server_not_running(run_persona, register_plugin, persona_home):
    import persona_ollama.plugin

    register_plugin(persona_ollama.plugin, "ollama")
    with socket.socket() as probe:  # a free port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = run_persona(
        "generate", "-i", EXAMPLES, "--engine", "llm", "-q", env={"PERSONA_OLLAMA__HOST": f"127.0.0.1:{port}"}
    )
    assert result.exit_code == ExitCode.PROVIDER_UNAVAILABLE
    assert result.stderr == (
        f"persona: error: cannot reach Ollama at http://127.0.0.1:{port}: is it installed and running? "
        "install it from https://ollama.com/download and start it with `ollama serve`\n"
    )
    assert run_folders(persona_home) == []
    # the server is tried before any file is read or anonymised
    loud = run_persona(
        "generate", "-i", EXAMPLES, "-p", "ollama", env={"PERSONA_OLLAMA__HOST": f"127.0.0.1:{port}"}
    )
    assert loud.exit_code == ExitCode.PROVIDER_UNAVAILABLE and "reading" not in loud.stderr


# -- models --------------------------------------------------------------------------------------


def test_models_command_lists_details_and_loaded(run_persona, ollama_env, fake_ollama):
    fake_ollama.add(
        FakeModel(
            "nomic-embed-text",
            family="nomic-bert",
            parameter_size="137M",
            quantization="F16",
            context_length=2048,
            capabilities=["embedding"],
        )
    )
    fake_ollama.models["qwen2.5:7b"].loaded = True
    rows = json.loads(run_persona("ollama", "models", "--json", env=ollama_env).stdout)
    assert rows == [
        {
            "name": "qwen2.5:7b",
            "size_bytes": 4_683_087_332,
            "parameter_size": "7.6B",
            "quantization": "Q4_K_M",
            "context_length": 32768,
            "capabilities": ["completion", "tools"],
            "loaded": True,
            # 4.68 GB of weights x 1.1, plus a KV cache of 2 x 28 layers x 32768 x 4 heads x 128 x 2 bytes
            "fits": "gpu",
            "memory_needed_bytes": int(4_683_087_332 * 1.1) + 2 * 28 * 32768 * 4 * 128 * 2,
            "at_context": 32768,
        },
        {
            "name": "nomic-embed-text",
            "size_bytes": 4_683_087_332,
            "parameter_size": "137M",
            "quantization": "F16",
            "context_length": 2048,
            "capabilities": ["embedding"],
            "loaded": False,
            "fits": "gpu",
            "memory_needed_bytes": int(4_683_087_332 * 1.1) + 2 * 28 * 2048 * 4 * 128 * 2,
            "at_context": 2048,
        },
    ]
    text = run_persona("ollama", "models", env=ollama_env)
    assert text.exit_code == 0
    assert "qwen2.5:7b" in text.stdout and "4.7 GB" in text.stdout and "32,768" in text.stdout
    assert "GPU" in text.stdout


def test_models_command_with_no_models(run_persona, ollama_env, fake_ollama):
    fake_ollama.models.clear()
    result = run_persona("ollama", "models", env=ollama_env)
    assert result.stdout == "No models installed. Install one with: persona ollama pull qwen2.5:7b\n"


def test_default_model_is_the_largest_that_can_chat(fake_ollama):
    fake_ollama.add(FakeModel("llama3.2:1b", parameter_size="1.2B", size=1_300_000_000))
    fake_ollama.add(FakeModel("huge-embedder", parameter_size="70B", capabilities=["embedding"]))
    fake_ollama.add(FakeModel("qwen2.5:0.5b", parameter_size="494.03M"))
    provider = provider_for(fake_ollama)
    chosen = provider.model_info(None)
    assert chosen.name == "qwen2.5:7b"
    assert chosen.context_length == 32768
    # /api/show is asked once per model per run
    provider.model_info(None)
    shows = [body["model"] for body in fake_ollama.received("/api/show")]
    assert sorted(shows) == sorted(fake_ollama.models)


def test_no_chat_model_installed(fake_ollama):
    fake_ollama.models.clear()
    fake_ollama.add(FakeModel("nomic-embed-text", capabilities=["embedding"]))
    with pytest.raises(
        ModelNotFoundError,
        match=r"no installed Ollama model can chat \(installed: "
        r"nomic-embed-text\).*ollama pull qwen2.5:7b",
    ):
        provider_for(fake_ollama).model_info(None)


def test_context_is_capped_by_setting(fake_ollama):
    fake_ollama.add(FakeModel("long", context_length=131072))
    assert provider_for(fake_ollama).model_info("long").context_length == 32768
    assert provider_for(fake_ollama, max_context=65536).model_info("long").context_length == 65536


def test_model_not_installed(run_persona, ollama_env, fake_ollama, persona_home):
    fake_ollama.add(FakeModel("llama3.2:3b"))
    result = run_persona("generate", "-i", EXAMPLES, "-m", "mistral:7b", "-q", env=ollama_env)
    assert result.exit_code == ExitCode.MODEL_NOT_FOUND
    assert result.stderr == (
        "persona: error: the Ollama model 'mistral:7b' is not installed: run `ollama pull mistral:7b` "
        "(installed: llama3.2:3b, qwen2.5:7b)\n"
    )
    assert fake_ollama.received("/api/chat") == []


def test_pull_streams_progress(run_persona, ollama_env, fake_ollama):
    result = run_persona("ollama", "pull", "llama3.2:1b", env=ollama_env)
    assert result.exit_code == 0
    assert result.stdout == "pulled llama3.2:1b\n"
    assert "persona: llama3.2:1b: pulling manifest" in result.stderr
    assert "persona: llama3.2:1b: success" in result.stderr
    assert "llama3.2:1b" in fake_ollama.models
    missing = run_persona("ollama", "pull", "missing-model", env=ollama_env)
    assert missing.exit_code == ExitCode.PROVIDER
    assert "pull model manifest: file does not exist" in missing.stderr


def test_server_version(fake_ollama):
    assert provider_for(fake_ollama).version() == "0.12.6"


# -- requests ------------------------------------------------------------------------------------


def test_generate_sends_schema_options_and_sized_context(run_persona, ollama_env, fake_ollama, persona_home):
    env = {**ollama_env, "PERSONA_OLLAMA__KEEP_ALIVE": "10m"}
    result = run_persona(
        "generate", "-i", EXAMPLES, "--temperature", "0.3", "--seed", "11", "-o", "run", env=env
    )
    assert result.exit_code == 0, result.stderr
    [body] = fake_ollama.received("/api/chat")
    assert body["stream"] is True
    assert body["keep_alive"] == "10m"
    assert body["format"]["properties"]["personas"]["maxItems"] == 3
    options = body["options"]
    assert options["temperature"] == 0.3 and options["seed"] == 11 and options["num_predict"] == 4096
    assert options["num_ctx"] in CONTEXT_STEPS and options["num_ctx"] >= 4096 + 3000
    assert "think" not in body
    manifest = json.loads((persona_home / "run" / "manifest.json").read_text())
    [request] = manifest["requests"]
    assert request["stop_reason"] == "complete"
    assert request["provider"]["done_reason"] == "stop"
    assert request["provider"]["num_ctx"] == options["num_ctx"]
    for metric in (
        "total_duration",
        "load_duration",
        "prompt_eval_count",
        "prompt_eval_duration",
        "eval_count",
        "eval_duration",
    ):
        assert isinstance(request["provider"][metric], int)
    assert request["timings"] == {"total": 1.5, "load": 0.9, "prompt": 0.3, "generation": 0.3}
    assert manifest["model"]["name"] == "qwen2.5:7b"


def test_context_size_steps_and_limits():
    assert context_for(3000, 32768, 32768) == 4096
    assert context_for(4097, 32768, 32768) == 8192
    assert context_for(9000, 8192, 32768) == 8192  # never above the model's own limit
    assert context_for(60000, 131072, 32768) == 32768  # nor the configured cap


def test_reasoning_models_are_asked_not_to_think(fake_ollama):
    fake_ollama.add(FakeModel("qwen3:8b", family="qwen3", capabilities=["completion", "thinking"]))
    fake_ollama.add(FakeModel("gpt-oss:20b", family="gptoss", capabilities=["completion", "thinking"]))
    provider = provider_for(fake_ollama)
    for name in ("qwen3:8b", "gpt-oss:20b"):
        provider.chat(ChatRequest(model=name, messages=(Message("user", "hi"),), prompt_tokens=5))
    thinks = [body["think"] for body in fake_ollama.received("/api/chat")]
    assert thinks == [False, "low"]


def test_loading_status_only_while_the_model_loads(fake_ollama):
    provider = provider_for(fake_ollama)
    phases: list[str] = []
    request = ChatRequest(model="qwen2.5:7b", messages=(Message("user", "hello there"),), prompt_tokens=8)
    provider.chat(request, progress=lambda p: phases.append(p.phase))
    assert phases[0] == "loading" and phases[1:] and set(phases[1:]) == {"answer"}
    phases.clear()
    provider.chat(request, progress=lambda p: phases.append(p.phase))
    assert "loading" not in phases


def test_busy_server_is_retried_with_backoff(fake_ollama):
    fake_ollama.faults += [Fault("status", status=503, message="server busy, please try again")] * 2
    provider = provider_for(fake_ollama)
    response = provider.chat(ChatRequest(model="qwen2.5:7b", messages=(Message("user", "hi"),)))
    assert response.text == "Hello! How can I help with your research today?"
    assert len(fake_ollama.received("/api/chat")) == 3


@pytest.mark.parametrize(
    ("fault", "exit_code", "message"),
    [
        (
            Fault("status", status=400, message='invalid format: expected "json" or a JSON schema'),
            ExitCode.PROVIDER,
            "Ollama could not answer with 'qwen2.5:7b' (HTTP 400): invalid format: expected \"json\" or a "
            "JSON schema",
        ),
        (
            Fault("status", status=500, message="llama runner process has terminated: exit status 2"),
            ExitCode.PROVIDER,
            "(HTTP 500): llama runner process has terminated: exit status 2",
        ),
        (
            Fault("status", status=503, message="server busy"),
            ExitCode.PROVIDER,
            "Ollama is busy (503) and could not answer with 'qwen2.5:7b' after 3 retries: server busy",
        ),
        (
            Fault(
                "error_line", after=5, message="an error was encountered while running the model: CUDA error"
            ),
            ExitCode.PROVIDER,
            "Ollama reported an error after 5 tokens while trying to answer with 'qwen2.5:7b': an error was "
            "encountered while running the model: CUDA error",
        ),
        (
            Fault("drop", after=7),
            ExitCode.PROVIDER,
            "the connection to Ollama dropped after 7 tokens while trying to answer with 'qwen2.5:7b'",
        ),
        (
            Fault("stall", seconds=5),
            ExitCode.PROVIDER,
            "Ollama sent nothing for 0.3 s while trying to answer with 'qwen2.5:7b' (ollama.read_timeout)",
        ),
        (Fault("cut"), ExitCode.PROVIDER, "tokens of a prompt of about"),
    ],
    ids=["400", "500", "503", "error-line", "drop", "stall", "shortened"],
)
def test_server_faults_are_one_line_and_leave_nothing(
    run_persona, ollama_env, fake_ollama, persona_home, fault, exit_code, message
):
    fake_ollama.faults += [fault] * (4 if fault.status == 503 and fault.kind == "status" else 1)
    env = {**ollama_env, "PERSONA_OLLAMA__READ_TIMEOUT": "0.3"}
    result = run_persona("generate", "-i", EXAMPLES, "-q", env=env)
    assert result.exit_code == exit_code
    assert result.stderr.count("\n") == 1 and message in result.stderr, result.stderr
    assert run_folders(persona_home) == []


@pytest.mark.parametrize("counts", ["new", "total"])
def test_prompts_served_from_the_cache_are_not_taken_for_cut_ones(
    run_persona, ollama_env, fake_ollama, persona_home, counts
):
    """A second run of the same data shares its whole prompt with the first; a server that counts
    only the tokens it evaluated then reports a handful."""
    fake_ollama.cache_counts = counts
    for run in ("one", "two"):
        result = run_persona("generate", "-i", EXAMPLES, "-q", "-o", run, env=ollama_env)
        assert result.exit_code == 0, result.stderr
    first, second = fake_ollama.cached[-2:]
    assert first == 0 and second > 1000
    reported = json.loads((persona_home / "two" / "manifest.json").read_text())["requests"][0]
    assert (reported["prompt_tokens"] < 100) == (counts == "new")


def test_answer_cut_at_num_predict_is_reported_as_truncated(
    run_persona, ollama_env, fake_ollama, persona_home
):
    result = run_persona(
        "generate", "-i", EXAMPLES, "-q", env={**ollama_env, "PERSONA_ENGINES__LLM__ANSWER_TOKENS": "256"}
    )
    assert result.exit_code == ExitCode.ANSWER
    assert "the answer was cut off at the output limit (256 tokens)" in result.stderr
    assert fake_ollama.received("/api/chat")[0]["options"]["num_predict"] == 256
    assert run_folders(persona_home) == []


def test_concurrency_limit_is_respected(run_persona, ollama_env, fake_ollama, persona_home, tmp_path):
    import threading

    active, peak, lock = [0], [0], threading.Lock()
    inner = fake_ollama.responder

    def counting(body):
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        try:
            import time

            time.sleep(0.05)
            return inner(body)
        finally:
            with lock:
                active[0] -= 1

    fake_ollama.responder = counting
    fake_ollama.add(FakeModel("small-ctx", context_length=4096))
    rows = ["participant,comment"] + [f'P{n},"I check the app twice before leaving, {n}"' for n in range(150)]
    (tmp_path / "notes.csv").write_text("\n".join(rows) + "\n")
    env = {**ollama_env, "PERSONA_OLLAMA__CONCURRENCY": "2", "PERSONA_ENGINES__LLM__CONCURRENCY": "4"}
    result = run_persona(
        "generate", "-i", str(tmp_path / "notes.csv"), "-m", "small-ctx", "-q", "-o", "run", env=env
    )
    assert result.exit_code == 0, result.stderr
    assert len(fake_ollama.received("/api/chat")) > 3
    assert peak[0] == 2


def test_the_fake_serves_non_streamed_chat_to_the_raw_client(fake_ollama):
    client = ollama.Client(host=fake_ollama.url)
    response = client.chat(
        model="qwen2.5:7b",
        messages=[{"role": "user", "content": "hi"}],
        stream=False,
        format={"type": "object"},
    )
    assert response.done and response.done_reason == "stop" and response.eval_count > 0


def test_parameter_count():
    assert parameter_count("7.6B") == 7.6e9
    assert parameter_count("494.03M") == 494.03e6
    assert parameter_count(None) == 0.0
    assert parameter_count("big") == 0.0


def test_chunk_requests_share_their_instructions_so_the_server_reuses_its_cache(
    run_persona, ollama_env, fake_ollama, persona_home, tmp_path
):
    """Instructions and schema come before the data, so every chunk request after the first starts
    with tokens the server has cached (one slot, as OLLAMA_NUM_PARALLEL=1 keeps it)."""
    fake_ollama.add(FakeModel("small-ctx", context_length=4096))
    rows = ["participant,comment"] + [f'P{n},"I check the app twice before leaving, {n}"' for n in range(150)]
    (tmp_path / "notes.csv").write_text("\n".join(rows) + "\n")
    env = {**ollama_env, "PERSONA_ENGINES__LLM__CONCURRENCY": "1"}
    result = run_persona(
        "generate",
        "-i",
        str(tmp_path / "notes.csv"),
        "-m",
        "small-ctx",
        "-q",
        "-o",
        "run",
        "--set",
        "engines.llm.grouping=order",
        env=env,
    )
    assert result.exit_code == 0, result.stderr
    bodies = fake_ollama.received("/api/chat")
    chunks = [i for i, body in enumerate(bodies) if "findings" in body["format"]["properties"]]
    assert len(chunks) > 3
    for index in chunks[1:]:
        instructions = len(bodies[index]["messages"][0]["content"]) // 4
        assert fake_ollama.cached[index] >= instructions
    # what the server evaluated, as it reported it, against the whole prompts
    requests = json.loads((persona_home / "run" / "manifest.json").read_text())["requests"]
    evaluated = sum(requests[i]["prompt_tokens"] for i in chunks)
    whole = sum(requests[i]["prompt_tokens"] + fake_ollama.cached[i] for i in chunks)
    assert evaluated < 0.75 * whole
