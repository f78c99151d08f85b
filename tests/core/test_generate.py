"""`persona generate` end to end, against a provider plugin registered in-process."""

from __future__ import annotations

import json
import re
import threading
import time
from pathlib import Path

import pytest
from persona.errors import ExitCode, ProviderError
from persona.providers import ChatResponse

from tests.conftest import REPO
from tests.core.analyst import AnalystPlugin, AnalystProvider

EXAMPLES = REPO / "examples" / "research"


@pytest.fixture
def analyst(register_plugin) -> AnalystProvider:
    provider = AnalystProvider()
    register_plugin(AnalystPlugin(provider), "analyst-plugin")
    return provider


def notes(folder: Path, rows: int = 12) -> Path:
    lines = ["participant,comment"]
    for n in range(rows):
        lines.append(f'P{n:02d},"I check the app twice before leaving, number {n} says trains are late"')
    path = folder / "notes.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def run_folders(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_dir()) if root.exists() else []


def test_single_prompt_run_writes_a_complete_run_folder(run_persona, analyst, persona_home):
    result = run_persona(
        "generate",
        "-i",
        str(EXAMPLES),
        "--provider",
        "analyst",
        "--count",
        "2",
        "--temperature",
        "0.2",
        "--seed",
        "7",
        "--output",
        "out",
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("2 of 2 personas written to out (llm engine, analyst-1, 1 requests")
    folder = persona_home / "out"
    assert sorted(p.name for p in folder.iterdir()) == [
        "01-persona-1.md",
        "02-persona-2.md",
        "index.md",
        "manifest.json",
        "personas.json",
        "records.json",
        "report.html",
    ]
    personas = json.loads((folder / "personas.json").read_text())["personas"]
    assert [p["id"] for p in personas] == ["persona-1", "persona-2"]
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert manifest["options"] == {
        "count": 2,
        "temperature": 0.2,
        "seed": 7,
        "model": None,
        "save_thinking": False,
    }
    assert [(i["format"], i["records"]) for i in manifest["inputs"]] == [
        ("csv", 12),
        ("json", 11),  # ten answers, and the study's own fields beside them
        ("text", 2),
    ]
    assert manifest["details"]["fitting"]["strategy"] == "single"
    assert manifest["usage"]["requests"] == 1
    # what the provider was sent
    [request] = analyst.requests
    assert request.options.temperature == 0.2 and request.options.seed == 7
    assert request.schema["properties"]["personas"]["maxItems"] == 2
    assert "[interview-notes-2]" in request.messages[-1].content
    markdown = (folder / "01-persona-1.md").read_text()
    assert markdown.startswith("# Alex Example 1\n\n*Commuter*")
    # evidence names participants by the data's own id column, never by a local path
    assert "## Evidence" in markdown and "- P01 (interview-notes-2)" in markdown
    assert "interview-notes.csv" not in markdown and str(EXAMPLES) not in markdown


def test_default_run_folder_is_new_each_time(run_persona, analyst, persona_home):
    for _ in range(2):
        assert run_persona("generate", "-i", str(EXAMPLES), "-p", "analyst", "-q").exit_code == 0
    runs = list((persona_home / "personas").iterdir())
    assert len(runs) == 2
    assert all(p.name[:8].isdigit() and p.name[15] == "Z" for p in runs)


def test_map_reduce_when_the_data_does_not_fit(run_persona, register_plugin, persona_home, tmp_path):
    provider = AnalystProvider(context_length=6_000)
    register_plugin(AnalystPlugin(provider), "analyst-plugin")
    data = notes(tmp_path, rows=200)
    result = run_persona(
        "generate",
        "-i",
        str(data),
        "-p",
        "analyst",
        "-o",
        "run",
        "--json",
        "--set",
        "engines.llm.grouping=order",
    )
    assert result.exit_code == 0, result.stderr
    manifest = json.loads((persona_home / "run" / "manifest.json").read_text())
    fitting = manifest["details"]["fitting"]
    assert fitting["strategy"] == "map-reduce"
    assert sum(fitting["chunks"]) == 200 and len(fitting["chunks"]) > 1
    stages = [r["label"] for r in manifest["requests"]]
    assert stages[-1] == "personas"
    assert sum(label.startswith("chunk ") for label in stages) == len(fitting["chunks"])
    # every prompt stayed inside the context with room for the answer, which follows the context
    assert {r.options.max_output_tokens for r in provider.requests} == {int(6_000 * 0.4)}
    assert all(r.prompt_tokens + r.options.max_output_tokens <= 6_000 for r in provider.requests), [
        (r.prompt_tokens, len(r.messages), r.messages[-1].content[:30])
        for r in provider.requests
        if r.prompt_tokens + r.options.max_output_tokens > 6000
    ]
    personas = json.loads((persona_home / "run" / "personas.json").read_text())["personas"]
    cited = {rid for p in personas for rid in p["evidence"]}
    assert cited and cited <= {f"notes-{n}" for n in range(2, 202)}
    summary = json.loads(result.stdout)
    assert summary["engine"] == "llm" and summary["requests"] == len(stages)


def test_findings_that_do_not_fit_are_merged_again(run_persona, register_plugin, persona_home, tmp_path):
    provider = AnalystProvider(context_length=6_500)
    register_plugin(AnalystPlugin(provider), "analyst-plugin")
    data = notes(tmp_path, rows=300)
    result = run_persona(
        "generate", "-i", str(data), "-p", "analyst", "-o", "run", "--set", "engines.llm.grouping=order"
    )
    assert result.exit_code == 0, result.stderr
    manifest = json.loads((persona_home / "run" / "manifest.json").read_text())
    assert manifest["details"]["fitting"]["reduce_levels"] >= 2
    assert any(r["label"].startswith("merge ") for r in manifest["requests"])


def test_chunk_requests_run_in_parallel_up_to_the_limit(register_plugin, run_persona, persona_home, tmp_path):
    class Slow(AnalystProvider):
        def __init__(self):
            super().__init__(context_length=6_000)
            self.active = 0
            self.peak = 0
            self.counter = threading.Lock()

        def chat(self, request, *, progress=None):
            with self.counter:
                self.active += 1
                self.peak = max(self.peak, self.active)
            time.sleep(0.05)
            try:
                return super().chat(request, progress=progress)
            finally:
                with self.counter:
                    self.active -= 1

    provider = Slow()
    register_plugin(AnalystPlugin(provider), "analyst-plugin")
    data = notes(tmp_path, rows=200)
    result = run_persona(
        "generate",
        "-i",
        str(data),
        "-p",
        "analyst",
        "-o",
        "run",
        env={"PERSONA_ENGINES__LLM__CONCURRENCY": "3"},
    )
    assert result.exit_code == 0, result.stderr
    assert provider.peak == 3


def test_quotes_not_in_the_source_are_dropped_and_counted(run_persona, analyst, persona_home, tmp_path):
    data = notes(tmp_path, rows=3)
    persona = {
        "id": "nurse",
        "name": "Sam Doe",
        "role": "Nurse",
        "summary": "s",
        "demographics": {"age_range": None, "occupation": None, "location": None},
        "goals": ["g"],
        "pain_points": ["p"],
        "behaviours": ["b"],
        "motivations": ["m"],
        "quotes": [
            {"text": "I check the app twice", "record_id": "notes-3"},
            {"text": "\u201cnumber 2 says trains are late\u201d", "record_id": "notes-2"},
            {"text": "I love this app so much", "record_id": "notes-2"},
        ],
        "evidence": ["notes-2", "notes-99"],
    }
    analyst.queued.append(ChatResponse(text=json.dumps({"personas": [persona]})))
    result = run_persona("generate", "-i", str(data), "-p", "analyst", "-o", "run", "-n", "1")
    assert result.exit_code == 0, result.stderr
    [saved] = json.loads((persona_home / "run" / "personas.json").read_text())["personas"]
    assert [q["record_id"] for q in saved["quotes"]] == ["notes-3", "notes-4"]
    assert saved["evidence"] == ["notes-2"]
    results = json.loads((persona_home / "run" / "manifest.json").read_text())["details"]
    assert (results["quotes_dropped"], results["evidence_ids_dropped"]) == (1, 1)
    assert "dropped 1 quotes that do not occur in the source text" in result.stderr


def test_fewer_personas_than_asked_is_reported(run_persona, analyst, persona_home, tmp_path):
    data = notes(tmp_path, rows=3)
    answer = analyst._personas("[notes-2]\nparticipant: P00\n", 1)
    analyst.queued.append(ChatResponse(text=json.dumps(answer)))
    result = run_persona("generate", "-i", str(data), "-p", "analyst", "-o", "run", "--json")
    assert result.exit_code == 0
    summary = json.loads(result.stdout)
    assert (summary["personas"], summary["personas_requested"]) == (1, 3)
    assert summary["warnings"] == ["asked for 3 personas, the llm engine gave 1"]


def test_an_invalid_answer_is_repaired_once(run_persona, analyst, persona_home, tmp_path):
    data = notes(tmp_path, rows=3)
    analyst.queued.append(ChatResponse(text='Sure! Here you go: {"personas": [{"id": "x"}]}'))
    result = run_persona("generate", "-i", str(data), "-p", "analyst", "-o", "run")
    assert result.exit_code == 0, result.stderr
    assert len(analyst.requests) == 2
    repair = analyst.requests[1].messages
    assert repair[-2].role == "assistant" and repair[-2].content.startswith("Sure!")
    assert "personas.0.name: Field required" in repair[-1].content
    manifest = json.loads((persona_home / "run" / "manifest.json").read_text())
    assert [r["label"] for r in manifest["requests"]] == ["personas", "personas (repair)"]


def test_an_answer_invalid_twice_fails_and_keeps_the_raw_answers(
    run_persona, analyst, persona_home, tmp_path
):
    data = notes(tmp_path, rows=3)
    analyst.queued += [ChatResponse(text="not json at all"), ChatResponse(text='{"personas": []}')]
    result = run_persona("generate", "-i", str(data), "-p", "analyst", "-o", "run")
    assert result.exit_code == ExitCode.ANSWER
    failed = persona_home / "run-failed"
    errors = [line for line in result.stderr.splitlines() if line.startswith("persona: error:")]
    assert len(errors) == 1 and errors[0].endswith(f"what the run kept is in {Path('run-failed')}")
    assert "personas: List should have at least 1 item" in errors[0]
    assert not (persona_home / "run").exists()
    assert (failed / "raw-answer-1.txt").read_text() == "not json at all"
    assert json.loads((failed / "manifest.json").read_text())["status"] == "failed"


def test_a_truncated_answer_says_so(run_persona, analyst, persona_home, tmp_path):
    data = notes(tmp_path, rows=3)
    analyst.queued.append(
        ChatResponse(text='{"personas": [{"id": "a', stop_reason="length", output_tokens=4096)
    )
    result = run_persona("generate", "-i", str(data), "-p", "analyst", "-o", "run")
    assert result.exit_code == ExitCode.ANSWER
    assert result.stderr.splitlines()[-1] == (
        "persona: error: personas: the answer was cut off at the output limit (4096 tokens); raise "
        "engines.llm.answer_tokens or ask for fewer personas with --count"
    )
    assert not (persona_home / "run").exists()


def test_a_provider_error_mid_run_leaves_nothing(run_persona, register_plugin, persona_home, tmp_path):
    provider = AnalystProvider(context_length=6_000)
    register_plugin(AnalystPlugin(provider), "analyst-plugin")
    provider.queued += [None, ProviderError("the server dropped the connection mid-stream")]  # type: ignore[list-item]
    provider.queued[0] = ChatResponse(text=json.dumps(provider._findings("[notes-2]\nx: y z w\n")))
    data = notes(tmp_path, rows=200)
    result = run_persona(
        "generate",
        "-i",
        str(data),
        "-p",
        "analyst",
        "--output",
        "run",
        env={"PERSONA_ENGINES__LLM__CONCURRENCY": "1"},
    )
    assert result.exit_code == ExitCode.PROVIDER
    assert result.stderr.endswith("persona: error: the server dropped the connection mid-stream\n")
    assert [p.name for p in persona_home.iterdir()] == []


def test_an_existing_output_folder_is_refused_before_reading(run_persona, analyst, persona_home):
    (persona_home / "run").mkdir()
    (persona_home / "run" / "old.txt").write_text("keep me")
    result = run_persona("generate", "-i", "missing.csv", "-p", "analyst", "-o", "run")
    assert result.exit_code == ExitCode.OUTPUT
    assert (
        result.stderr
        == "persona: error: run: the --output folder exists and is not empty; choose a new one\n"
    )
    (persona_home / "run" / "old.txt").unlink()
    ok = run_persona("generate", "-i", str(EXAMPLES), "-p", "analyst", "-o", "run")
    assert ok.exit_code == 0 and (persona_home / "run" / "personas.json").exists()


def test_anonymise_without_the_privacy_plugin_gives_the_install_command(run_persona, analyst):
    result = run_persona("generate", "-i", "missing.csv", "-p", "analyst", "--anonymise")
    assert result.exit_code == ExitCode.PLUGIN
    assert result.stderr == (
        "persona: error: anonymisation is not installed: install it with `pip install 'persona[privacy]'`\n"
    )


def test_unknown_provider_and_missing_ollama(run_persona, analyst):
    unknown = run_persona("generate", "-i", "x.csv", "-p", "nope")
    assert (unknown.exit_code, unknown.stderr) == (
        ExitCode.USAGE,
        "persona: error: unknown provider 'nope' (available: analyst)\n",
    )
    ollama = run_persona("generate", "-i", "x.csv", "-p", "ollama")
    assert ollama.exit_code == ExitCode.PLUGIN
    assert "pip install 'persona[ollama]'" in ollama.stderr


def test_strategy_needs_anonymise(run_persona, analyst):
    result = run_persona("generate", "-i", "x.csv", "-p", "analyst", "--strategy", "hash")
    assert (result.exit_code, result.stderr) == (
        ExitCode.USAGE,
        "persona: error: --strategy needs --anonymise\n",
    )


def test_dry_run_calls_no_provider(run_persona, analyst, persona_home):
    result = run_persona("generate", "-i", str(EXAMPLES), "-p", "analyst", "--dry-run")
    assert result.exit_code == 0
    assert analyst.requests == []
    out = result.stdout
    assert "Dry run: no model is called." in out
    assert "interview-notes.csv: 12 records (csv, utf-8)" in out
    # the provider answers, so its real context is used (not an assumed 8,192)
    assert f"Context: {analyst.context_length} tokens (provider)" in out
    assert "Plan: one request with every record" in out
    assert "--- user ---" in out and "[interview-notes-2]" in out
    assert not (persona_home / "personas").exists()
    as_json = json.loads(
        run_persona("generate", "-i", str(EXAMPLES), "-p", "analyst", "--dry-run", "--json").stdout
    )
    assert as_json["records"] == 25 and as_json["details"]["fitting"]["strategy"] == "single"


def test_dry_run_shows_the_split_for_a_small_context(run_persona, register_plugin, persona_home, tmp_path):
    register_plugin(AnalystPlugin(AnalystProvider(context_length=6_000)), "analyst-plugin")
    data = notes(tmp_path, rows=200)
    result = run_persona(
        "generate", "-i", str(data), "-p", "analyst", "--dry-run", "--set", "engines.llm.grouping=order"
    )
    assert "Context: 6000 tokens (provider)" in result.stdout
    assert "Plan: map-reduce," in result.stdout and "in file order" in result.stdout


def test_dry_run_assumes_a_context_only_when_the_server_is_down(
    run_persona, register_plugin, persona_home, tmp_path
):
    from persona.errors import ProviderUnavailableError

    class Down(AnalystProvider):
        def model_info(self, model):
            raise ProviderUnavailableError("cannot reach the analyst")

    register_plugin(AnalystPlugin(Down()), "analyst-plugin")
    result = run_persona("generate", "-i", str(notes(tmp_path)), "-p", "analyst", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert "Context: 8192 tokens (assumed)" in result.stdout


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.csv", 'a,b\n1,"open\n', "bad.csv, row 2: invalid CSV"),
        ("bad.json", "{", "bad.json, line 1: invalid JSON"),
        ("bad.yaml", "- !!python/name:os.system\n", "bad.yaml, line 1: unsupported YAML tag"),
        ("empty.txt", "", "empty.txt: the file is empty"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(run_persona, analyst, persona_home, name, content, message):
    (persona_home / name).write_text(content)
    result = run_persona("generate", "-i", name, "-p", "analyst", "--quiet")
    assert result.exit_code == ExitCode.INPUT
    assert result.stderr.count("\n") == 1 and message in result.stderr
    assert analyst.requests == []
    assert not (persona_home / "personas").exists()


def test_a_record_too_large_for_the_context_is_named(run_persona, register_plugin, persona_home):
    register_plugin(AnalystPlugin(AnalystProvider(context_length=6_000)), "analyst-plugin")
    (persona_home / "big.csv").write_text("a,b\nsmall,row\nhuge," + "word " * 3000 + "\n")
    result = run_persona("generate", "-i", "big.csv", "-p", "analyst")
    assert result.exit_code == ExitCode.INPUT
    assert "big.csv, row 3: record big-3 needs about" in result.stderr


def test_model_not_found(run_persona, analyst, persona_home):
    missing = run_persona("generate", "-i", str(EXAMPLES), "-p", "analyst", "-m", "nope")
    assert missing.exit_code == ExitCode.MODEL_NOT_FOUND


def test_a_4k_model_runs_and_a_too_small_context_names_the_smallest_that_works(
    run_persona, register_plugin, persona_home
):
    four_k = AnalystProvider(context_length=4_096)
    register_plugin(AnalystPlugin(four_k), "analyst-plugin")
    result = run_persona("generate", "-i", str(EXAMPLES), "-p", "analyst", "-q")
    assert result.exit_code == 0, result.stderr
    assert four_k.requests and all(
        r.prompt_tokens + r.options.max_output_tokens <= 4_096 and r.options.max_output_tokens >= 1024
        for r in four_k.requests
    )
    four_k.context_length = 2_000
    small = run_persona("generate", "-i", str(EXAMPLES), "-p", "analyst", "-q", "--dry-run")
    assert small.exit_code == ExitCode.USAGE
    assert "context of 2000 tokens leaves no room for data" in small.stderr
    # Each refusal names a larger context (the instructions, a group's draft, the largest record);
    # following them reaches one that works, still below 4k.
    sizes = [2_000]
    while True:
        outcome = run_persona("generate", "-i", str(EXAMPLES), "-p", "analyst", "-q", "--dry-run")
        if outcome.exit_code == 0:
            break
        assert outcome.exit_code in (ExitCode.USAGE, ExitCode.INPUT) and len(sizes) < 8, outcome.stderr
        sizes.append(int(re.search(r"a context of at least (\d+) tokens", outcome.stderr).group(1)))
        four_k.context_length = sizes[-1]
    assert sizes == sorted(set(sizes)) and len(sizes) >= 2 and sizes[-1] < 4_096


def test_live_progress_on_a_terminal(analyst, plugin_host, persona_home):
    import io

    from persona.engines import GenerateConfig
    from persona.pipeline import GenerateRequest, generate
    from persona.reporting import Reporter
    from persona.runtime import Runtime

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    stream = Terminal()
    with Reporter(stream=stream) as reporter:
        result = generate(
            GenerateRequest(
                inputs=[EXAMPLES], engine="llm", config=GenerateConfig(), output=persona_home / "run"
            ),
            engines=Runtime(host=plugin_host, environ={}).engine_maker(GenerateConfig(), "analyst"),
            reporter=reporter,
        )
    assert result.folder == persona_home / "run"
    assert "personas: done" in stream.getvalue()


def test_preprocessor_warnings_reach_the_user(run_persona, analyst, register_plugin, persona_home):
    from persona import hookimpl

    class Flagging:
        name = "flag"
        hides_paths = False

        def set_progress(self, callback):
            pass

        def process(self, records):
            yield from records

        def summary(self):
            return {"checked": 1, "warnings": ["2 values could not be checked"]}

    class Plugin:
        @hookimpl
        def register_preprocessors(self, register):
            register("anonymise", lambda options: Flagging())

    register_plugin(Plugin(), "flagger")
    result = run_persona("generate", "-i", str(EXAMPLES), "-p", "analyst", "--anonymise", "-o", "run")
    assert result.exit_code == 0, result.stderr
    assert "persona: warning: flag: 2 values could not be checked" in result.stderr
    manifest = json.loads((persona_home / "run" / "manifest.json").read_text())
    assert manifest["preprocessors"] == [
        {"name": "flag", "checked": 1, "warnings": ["2 values could not be checked"]}
    ]


def test_a_long_preprocessor_reports_its_progress_with_a_rate(
    run_persona, analyst, register_plugin, persona_home
):
    from persona import hookimpl

    class Counting:
        name = "count"
        hides_paths = False

        def set_progress(self, callback):
            self.callback = callback

        def process(self, records):
            records = list(records)
            for done, record in enumerate(records, start=1):
                self.callback(done, len(records))
                yield record

        def summary(self):
            return {}

    class Plugin:
        @hookimpl
        def register_preprocessors(self, register):
            register("count", lambda options: Counting())

    register_plugin(Plugin(), "counter")
    result = run_persona(
        "generate", "-i", str(EXAMPLES), "-p", "analyst", "--preprocess", "count", "-o", "run"
    )
    assert result.exit_code == 0, result.stderr
    steps = re.findall(r"persona: count: (\d+) of 25 \(([\d,]+)/s(, \d+ s left)?\)", result.stderr)
    assert [int(done) for done, _, _ in steps] == [3, 5, 8, 10, 13, 15, 18, 20, 23, 25]
    assert all(left for _, _, left in steps[:-1]) and not steps[-1][2]  # the time left, until done
    unknown = run_persona("generate", "-i", str(EXAMPLES), "-p", "analyst", "--preprocess", "nope")
    assert unknown.exit_code == ExitCode.USAGE and "unknown preprocessor 'nope'" in unknown.stderr
