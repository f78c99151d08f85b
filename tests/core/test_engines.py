"""Engines: the hook, the choice `auto` makes, and the extractive engine on data with planted types."""

from __future__ import annotations

import json

from persona import hookimpl
from persona.engines import EngineContext, EnginePlan, EngineResult, GenerateConfig
from persona.errors import AnswerError, ExitCode, Kept
from persona.records import Provenance, Record
from persona.reporting import Reporter
from persona.schema import Demographics, Persona
from pydantic import BaseModel, ConfigDict, Field

from tests.conftest import REPO
from tests.core.analyst import AnalystPlugin, AnalystProvider
from tests.fixtures import records_of, study, truth_of

EXAMPLES = REPO / "examples" / "research"


class EchoOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: str = Field("Everyone", description="the role the echo persona gets")
    fail: bool = Field(False, description="fail after keeping a file, to test what a failure keeps")


class EchoEngine:
    """A third-party engine, registered as the built-ins are: options of its own, a dry-run plan, a
    note, a file of its own in the run folder, and what it keeps when it fails."""

    name = "echo"

    def __init__(self, context: EngineContext) -> None:
        self.context = context
        self.options: EchoOptions = context.options
        self.started = False

    def start(self) -> None:
        self.started = True

    def plan(self, records) -> EnginePlan:
        return EnginePlan([f"echo {len(records)} records as {self.options.role}"], {"records": len(records)})

    def run(self, records) -> EngineResult:
        assert self.started
        if self.options.fail:
            error = AnswerError("echo: the echo chamber collapsed")
            error.kept = Kept(files={"echo.txt": "what was heard"}, model={"name": "echo-1"})
            raise error
        persona = Persona(
            id="echo",
            name="Echo Person",
            role=self.options.role,
            summary=f"{len(records)} records",
            demographics=Demographics(),
            goals=["g"],
            pain_points=["p"],
            behaviours=["b"],
            motivations=["m"],
            evidence=[r.id for r in records][:60],
        )
        return EngineResult(
            [persona],
            model={"name": "echo-1"},
            details={"echoed": len(records)},
            assignments={r.id: "echo" for r in records},
            files={"echo.txt": "heard\n"},
            note="Echo personas repeat what they hear.",
        )


class EnginePlugin:
    @hookimpl
    def register_engines(self, register):
        register("echo", EchoEngine, description="echoes the records", options=EchoOptions)


def test_a_third_party_engine_does_what_a_built_in_one_does(run_persona, register_plugin, persona_home):
    register_plugin(EnginePlugin(), "echo-plugin")
    env = {"PERSONA_ENGINES__ECHO__ROLE": "Listener"}
    dry = run_persona("generate", "-i", str(EXAMPLES), "--engine", "echo", "--dry-run", env=env)
    assert dry.exit_code == 0, dry.stderr
    assert "echo 25 records as Listener" in dry.stdout
    as_json = json.loads(
        run_persona("generate", "-i", str(EXAMPLES), "-e", "echo", "--dry-run", "--json").stdout
    )
    assert as_json["plan"] == ["echo 25 records as Everyone"] and as_json["details"] == {"records": 25}
    result = run_persona("generate", "-i", str(EXAMPLES), "--engine", "echo", "-o", "run", "-n", "1", env=env)
    assert result.exit_code == 0, result.stderr
    run = persona_home / "run"
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["engine"] == "echo" and len(manifest["assignments"]) == 25
    assert manifest["details"] == {"echoed": 25} and manifest["model"] == {"name": "echo-1"}
    assert json.loads((run / "personas.json").read_text())["personas"][0]["kind"] == "echo"
    markdown = (run / "01-echo.md").read_text()
    assert "Represents 25 records." in markdown and "> Echo personas repeat what they hear." in markdown
    assert "*Listener*" in markdown and (run / "echo.txt").read_text() == "heard\n"
    assert "Echo personas repeat what they hear." in (run / "report.html").read_text()
    plugins = {row["name"]: row for row in json.loads(run_persona("plugins", "--json").stdout)}
    assert plugins["echo-plugin"]["engines"] == ["echo"]
    shown = json.loads(run_persona("config", "show", "--json", env=env).stdout)["settings"]
    assert shown["engines.echo.role"] == {"value": "Listener", "source": "environment"}
    assert shown["engines.echo.fail"] == {"value": False, "source": "default"}


def test_a_third_party_engines_options_are_validated_before_any_data_is_read(
    run_persona, register_plugin, persona_home
):
    register_plugin(EnginePlugin(), "echo-plugin")
    result = run_persona("generate", "-i", "missing.csv", "-e", "echo", "--set", "engines.echo.rol=x")
    assert result.exit_code == ExitCode.SETTINGS
    assert "unknown setting 'engines.echo.rol' (did you mean 'engines.echo.role'?)" in result.stderr


def test_what_a_failed_engine_keeps_is_saved_beside_the_run(run_persona, register_plugin, persona_home):
    register_plugin(EnginePlugin(), "echo-plugin")
    result = run_persona(
        "generate", "-i", str(EXAMPLES), "-e", "echo", "-o", "run", "--set", "engines.echo.fail=1"
    )
    assert result.exit_code == ExitCode.ANSWER
    assert result.stderr.strip().endswith("what the run kept is in run-failed")
    assert not (persona_home / "run").exists()
    failed = persona_home / "run-failed"
    assert (failed / "echo.txt").read_text() == "what was heard"
    manifest = json.loads((failed / "manifest.json").read_text())
    assert manifest["status"] == "failed" and manifest["model"] == {"name": "echo-1"}


def test_an_unknown_engine_is_a_usage_error(run_persona, persona_home):
    result = run_persona("generate", "-i", str(EXAMPLES), "--engine", "oracle")
    assert result.exit_code == ExitCode.USAGE
    assert "unknown engine 'oracle' (available: extractive, llm)" in result.stderr


def test_auto_uses_the_model_when_its_server_answers(run_persona, register_plugin, persona_home):
    register_plugin(AnalystPlugin(AnalystProvider()), "analyst-plugin")
    result = run_persona("generate", "-i", str(EXAMPLES), "-o", "run", env={"PERSONA_PROVIDER": "analyst"})
    assert result.exit_code == 0, result.stderr
    assert "persona: engine: llm\n" in result.stderr
    assert json.loads((persona_home / "run" / "manifest.json").read_text())["engine"] == "llm"


def test_auto_falls_back_to_extractive_and_says_why(run_persona, persona_home):
    # no provider plugin is installed in this host at all
    result = run_persona("generate", "-i", str(EXAMPLES), "-o", "run")
    assert result.exit_code == 0, result.stderr
    assert "engine: extractive, because llm: the Ollama provider is not installed" in result.stderr
    assert "pass --engine NAME" in result.stderr
    manifest = json.loads((persona_home / "run" / "manifest.json").read_text())
    assert manifest["engine"] == "extractive" and manifest["provider"] is None
    # but an explicit --engine llm fails as before
    explicit = run_persona("generate", "-i", str(EXAMPLES), "--engine", "llm")
    assert explicit.exit_code == ExitCode.PLUGIN


# -- the extractive engine --------------------------------------------------------------------------


def survey(rows_per_type: dict[str, int], seed: int = 1) -> list[Record]:
    return records_of(study(rows_per_type, seed=seed))


def planted(rows_per_type: dict[str, int], seed: int = 1) -> dict[str, str]:
    return truth_of(study(rows_per_type, seed=seed), "survey")


def run_extractive(records, count=3, seed=0):
    from persona.extractive.engine import ExtractiveEngine

    engine = ExtractiveEngine(EngineContext(GenerateConfig(count=count, seed=seed), Reporter(quiet=True)))
    engine.start()
    return engine.run(records)


def test_extractive_finds_planted_types_and_assigns_every_record():
    records = survey({"commuter": 12, "family": 12, "student": 12})
    result = run_extractive(records)
    assert len(result.personas) == 3
    assert set(result.assignments) == {r.id for r in records}
    truth = planted({"commuter": 12, "family": 12, "student": 12})
    for persona in result.personas:
        members = [rid for rid, pid in result.assignments.items() if pid == persona.id]
        kinds = {truth[rid] for rid in members}
        assert len(kinds) == 1, (persona.name, kinds)


def test_extractive_items_and_quotes_are_verbatim_with_support():
    records = survey({"commuter": 10, "family": 10, "student": 10})
    texts = {r.id: "\n".join(f"{k}: {v}" for k, v in r.fields.items()) for r in records}
    everything = "\n".join(texts.values())
    result = run_extractive(records)
    for persona in result.personas:
        for item in [*persona.goals, *persona.pain_points, *persona.behaviours, *persona.motivations]:
            assert item in everything, item
            assert persona.support[item].endswith("of 10 participants")
        for quote in persona.quotes:
            assert quote.text in texts[quote.record_id]
        assert set(persona.evidence) <= set(texts)


def test_extractive_is_repeatable_and_order_does_not_matter():
    records = survey({"commuter": 8, "family": 8, "student": 8})
    first = run_extractive(records, seed=3)
    again = run_extractive(list(reversed(records)), seed=3)
    assert first.assignments == again.assignments
    assert [p.model_dump() for p in first.personas] == [p.model_dump() for p in again.personas]


def test_a_study_smaller_than_count_gives_fewer_personas_with_a_note():
    records = survey({"commuter": 1, "family": 1})
    result = run_extractive(records, count=5)
    assert len(result.personas) == 2
    assert any("so 2 personas instead of 5" in w for w in result.warnings)
    assert any("affinity map" in w for w in result.warnings)


def test_records_without_free_text_use_the_structured_answers():
    records = [
        Record(f"r-{n}", Provenance("t.csv", row=n), fields={"plan": plan, "device": device})
        for n, (plan, device) in enumerate([("Basic", "Phone"), ("Pro", "Laptop")] * 10, start=2)
    ]
    result = run_extractive(records, count=2)
    assert len(result.personas) == 2
    goals = {p.goals[0] for p in result.personas}
    assert goals <= {"plan: Basic", "plan: Pro", "device: Phone", "device: Laptop"}
    assert any("no free-text sentences" in w for w in result.warnings)


def test_readme_main_command_writes_personas_with_no_server(run_persona, persona_home):
    result = run_persona("generate", "-i", str(EXAMPLES), "-o", "run", env={"OLLAMA_HOST": "127.0.0.1:9"})
    assert result.exit_code == 0, result.stderr
    folder = persona_home / "run"
    assert {"personas.json", "index.md", "report.html", "manifest.json"} <= {p.name for p in folder.iterdir()}
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["engine"] == "extractive" and manifest["persona_artefact"] == "manifest"


def test_a_table_for_an_engine_that_is_not_installed_is_warned_about(run_persona, persona_home):
    result = run_persona("config", "show", env={"PERSONA_ENGINES__LMM__GROUPING": "order"})
    assert result.exit_code == 0
    assert (
        "persona: warning: settings table 'engines.lmm' (from environment) belongs to no installed engine; "
        "did you mean 'engines.llm'?"
    ) in result.stderr
    assert "engines.llm.grouping" in result.stdout and '"per-group"  # default' in result.stdout
