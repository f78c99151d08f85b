"""One table of exit codes (``persona.errors.ExitCode``, mirrored in the README), one test per row,
and the settings forms the README documents."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from persona.errors import ExitCode, ProviderError
from persona.plugins import PluginHost, PluginPolicy

from tests.conftest import REPO
from tests.core.analyst import AnalystPlugin, AnalystProvider

EXAMPLES = REPO / "examples" / "research"


def test_the_readme_table_is_the_exit_code_table():
    readme = (REPO / "README.md").read_text()
    table = readme.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    documented = [int(code) for code in re.findall(r"^\| (\d+) \|", table, re.M)]
    assert documented == [int(code) for code in ExitCode]


@pytest.fixture
def analyst(register_plugin) -> AnalystProvider:
    provider = AnalystProvider()
    register_plugin(AnalystPlugin(provider), "analyst-plugin")
    return provider


def test_0_ok(run_persona):
    assert run_persona("--version").exit_code == ExitCode.OK


def test_1_internal_error_is_one_line_and_json_when_asked(run_persona, analyst):
    analyst.queued.append(RuntimeError("boom"))
    result = run_persona("generate", "-i", str(EXAMPLES), "-p", "analyst", "-o", "run", "--json")
    assert result.exit_code == ExitCode.INTERNAL
    assert "internal error: RuntimeError: boom" in result.stderr and result.stderr.count("\n") == 1
    assert json.loads(result.stdout) == {"error": "internal error: RuntimeError", "exit_code": 1}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--count", "0"], "--count 0: Input should be greater than or equal to 1"),
        (["--count", "1000"], "--count 1000: Input should be less than or equal to 12"),
        (["--temperature", "5"], "--temperature 5.0: Input should be less than or equal to 2"),
        (["--input", ""], "--input is empty; name a file or folder ('.' for this folder)"),
        (["--frobnicate"], "No such option: --frobnicate"),
    ],
)
def test_2_usage(run_persona, persona_home, args, message):
    base = ["generate"] + ([] if "--input" in args else ["-i", str(EXAMPLES)])
    result = run_persona(*base, *args, "--engine", "extractive")
    assert result.exit_code == ExitCode.USAGE, result.stderr
    assert message in result.stderr and result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe\x00binary", "the settings file is not UTF-8 text"),
        (b"countt = 3\n", "unknown setting 'countt'"),
    ],
)
def test_3_settings(run_persona, persona_home, content, message):
    (persona_home / "persona.toml").write_bytes(content)
    result = run_persona("config", "show", "--json")
    assert result.exit_code == ExitCode.SETTINGS
    assert message in result.stderr
    assert json.loads(result.stdout)["exit_code"] == 3


def test_4_plugin_blocked_first_party_command(persona_home, capsys):
    from persona import __version__, builtins
    from persona.cli import run

    host = PluginHost(PluginPolicy(block=frozenset({"privacy"})))
    host.register(builtins, "persona", distribution="persona", version=__version__, builtin=True)
    host.load_entry_points()
    code = run(["privacy", "scan", str(EXAMPLES)], host=host, environ=dict(os.environ))
    assert code == ExitCode.PLUGIN
    assert "which is blocked" in capsys.readouterr().err


def test_4_plugin_not_installed(run_persona):
    result = run_persona("privacy", "scan", str(EXAMPLES))
    assert result.exit_code == ExitCode.PLUGIN
    assert "pip install 'persona[privacy]'" in result.stderr


def test_5_input_a_fifo_is_refused_and_skipped_in_folders(run_persona, persona_home):
    fifo = persona_home / "pipe.csv"
    os.mkfifo(fifo)
    alone = run_persona("generate", "-i", str(fifo), "--engine", "extractive")
    assert alone.exit_code == ExitCode.INPUT and "not a regular file" in alone.stderr
    (persona_home / "notes.txt").write_text(
        "P01: I check the train times every morning before I leave home.\n"
    )
    folder = run_persona("generate", "-i", ".", "--engine", "extractive", "-o", "../run")
    assert folder.exit_code == ExitCode.OK, folder.stderr
    assert "skipped 1 path that are not research data" in folder.stderr and "pipe.csv" in folder.stderr


def test_6_output_checked_before_any_work(run_persona, analyst, persona_home):
    (persona_home / "afile").write_text("x")
    result = run_persona("generate", "-i", str(EXAMPLES), "-p", "analyst", "-o", "afile/run")
    assert result.exit_code == ExitCode.OUTPUT
    assert "afile is a file" in result.stderr
    assert analyst.requests == []


def test_9_provider_failure(run_persona, analyst, persona_home):
    analyst.queued.append(ProviderError("the server fell over"))
    result = run_persona("generate", "-i", str(EXAMPLES), "-p", "analyst", "-o", "run", "-q")
    assert (result.exit_code, result.stderr) == (ExitCode.PROVIDER, "persona: error: the server fell over\n")
    assert not (persona_home / "run").exists()


def test_12_doctor_proves_the_output_folder_can_be_made(run_persona, persona_home):
    result = run_persona("doctor", env={"PERSONA_OUTPUT_ROOT": "/proc/persona-x"})
    assert result.exit_code == ExitCode.CHECK_FAILED
    assert "PROBLEM  output folder: cannot create run folders in /proc/persona-x" in result.stdout


def test_130_interrupted(run_persona, analyst, persona_home):
    analyst.queued.append(KeyboardInterrupt())
    result = run_persona("generate", "-i", str(EXAMPLES), "-p", "analyst", "-o", "run")
    assert result.exit_code == ExitCode.INTERRUPTED
    assert not (persona_home / "run").exists()


def test_141_closed_pipe_exits_quietly(tmp_path):
    script = os.path.join(os.path.dirname(sys.executable), "persona")
    reader = subprocess.Popen(["head", "-c", "1"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    writer = subprocess.run(
        [script, "config", "show"],
        stdout=reader.stdin,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        timeout=60,
        env={
            **os.environ,
            "PERSONA_PLUGINS__ALLOW": "none",
            # far more output than a pipe buffers (64 KiB), so a write must meet the closed pipe
            "PERSONA_INPUT__EXCLUDE": ",".join(["x"] * 30000),
        },
    )
    reader.stdin.close()
    reader.wait()
    assert writer.returncode == ExitCode.PIPE_CLOSED
    assert writer.stderr == ""


# -- every documented settings form ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "key", "value"),
    [
        ({"PERSONA_PLUGINS__BLOCK": "a,b"}, "plugins.block", ["a", "b"]),
        ({"PERSONA_PLUGINS__BLOCK": '["a", "b"]'}, "plugins.block", ["a", "b"]),
        ({"PERSONA_PLUGINS__ALLOW": "x"}, "plugins.allow", ["x"]),
        ({"PERSONA_PLUGINS__STRICT": "yes"}, "plugins.strict", True),
        ({"PERSONA_INPUT__EXCLUDE": "a,b"}, "input.exclude", ["a", "b"]),
        ({"PERSONA_PREPROCESSORS": "anonymise"}, "preprocessors", ["anonymise"]),
        ({"PERSONA_COUNT": "4"}, "count", 4),
    ],
)
def test_documented_environment_forms(run_persona, env, key, value):
    result = run_persona("config", "show", "--json", env=env)
    assert result.exit_code == 0, result.stderr
    setting = json.loads(result.stdout)["settings"][key]
    assert setting == {"value": value, "source": "environment"}


def test_the_plugin_host_gets_the_same_policy(persona_home):
    from persona.sources import plugin_policy

    (persona_home / "persona.toml").write_text("[plugins]\nblock = ['from-file']\n")
    policy = plugin_policy({"PERSONA_PLUGINS__ALLOW": "x,y"})
    assert policy.allow == frozenset({"x", "y"}) and policy.block == frozenset({"from-file"})


def test_typos_warn_with_the_nearest_key(run_persona, persona_home):
    (persona_home / "persona.toml").write_text("[olama]\nhost = 'x'\n")
    result = run_persona("config", "show", env={"PERSONA_COUNTT": "3"})
    assert result.exit_code == 0
    assert (
        "PERSONA_COUNTT is not a Persona setting and is ignored; did you mean PERSONA_COUNT?" in result.stderr
    )
    assert "settings section 'olama'" in result.stderr and "did you mean 'ollama'?" not in result.stderr
