from __future__ import annotations

import json
import os
import sys

import pytest
import typer
from persona import __version__, hookimpl
from persona.cli import build_app
from persona.errors import ExitCode, InputError
from typer.testing import CliRunner

from tests.conftest import run_cli

HEAVY = [
    "spacy",
    "presidio_analyzer",
    "presidio_anonymizer",
    "ollama",
    "httpx",
    "faker",
    "pydantic_settings",
    "numpy",
    "jinja2",
]


class CommandPlugin:
    @hookimpl
    def register_commands(self, register):
        app = typer.Typer(no_args_is_help=True)

        @app.command()
        def fail_user() -> None:
            raise InputError("notes.csv, row 4: the row has 3 fields where the header has 5")

        @app.command()
        def fail_bug() -> None:
            raise RuntimeError("unexpected state")

        register("demo", app, help="A demo command group.")


def test_version(run_persona):
    result = run_persona("--version")
    assert (result.exit_code, result.stdout) == (0, f"persona {__version__}\n")


def test_help_lists_builtin_and_plugin_commands(run_persona, register_plugin):
    register_plugin(CommandPlugin(), "demo-plugin")
    result = run_persona("--help")
    assert result.exit_code == 0
    for command in ("plugins", "config", "demo"):
        assert command in result.stdout


def test_no_arguments_shows_help(run_persona):
    result = run_persona()
    assert result.exit_code == 0
    assert "Usage: persona" in result.stdout


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["nope"], "persona: error: persona: No such command 'nope'. (see 'persona --help')\n"),
        (
            ["plugins", "--nope"],
            "persona: error: persona plugins: No such option: --nope (see 'persona plugins --help')\n",
        ),
    ],
)
def test_usage_errors_are_one_line(run_persona, args, expected):
    result = run_persona(*args)
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr == expected


def test_user_error_is_one_line_with_its_exit_code(run_persona, register_plugin):
    register_plugin(CommandPlugin(), "demo-plugin")
    result = run_persona("demo", "fail-user")
    assert result.exit_code == ExitCode.INPUT
    assert result.stderr == (
        "persona: error: notes.csv, row 4: the row has 3 fields where the header has 5\n"
    )


def test_bug_shows_traceback_only_with_debug(run_persona, register_plugin):
    register_plugin(CommandPlugin(), "demo-plugin")
    quiet = run_persona("demo", "fail-bug")
    assert quiet.exit_code == ExitCode.INTERNAL
    assert "Traceback" not in quiet.stderr
    assert "internal error: RuntimeError: unexpected state" in quiet.stderr
    assert quiet.stderr.count("\n") == 1
    with pytest.raises(RuntimeError, match="unexpected state"):
        run_persona("--debug", "demo", "fail-bug")


def test_plugins_json_lists_hooks_and_registrations(run_persona, register_plugin):
    register_plugin(CommandPlugin(), "demo-plugin")
    result = run_persona("plugins", "--json")
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert rows["persona"]["builtin"] is True
    assert rows["persona"]["commands"] == ["generate", "report", "plugins", "config", "doctor"]
    assert rows["demo-plugin"]["hooks"] == ["register_commands"]
    assert rows["demo-plugin"]["commands"] == ["demo"]


def test_plugins_text_shows_errors(run_persona, register_plugin):
    class Broken:
        @hookimpl
        def register_commands(self, register):
            raise ValueError("bad command table")

    register_plugin(Broken(), "broken")
    result = run_persona("plugins")
    assert result.exit_code == 0
    assert "broken  in-process  [failed]" in result.stdout
    assert "error: failed in register_commands: ValueError: bad command table" in result.stdout


def test_typer_cli_runner_drives_the_app(plugin_host):
    result = CliRunner().invoke(build_app(plugin_host), ["plugins", "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)[0]["name"] == "persona"


def test_console_script_runs_as_a_subprocess(tmp_path):
    result = run_cli("plugins", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    names = {row["name"] for row in json.loads(result.stdout)}
    assert {"persona", "ollama", "privacy"} <= names


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["plugins"]])
def test_start_up_imports_no_heavy_module(args, tmp_path):
    probe = (
        "import sys\n"
        "from persona.cli import run\n"
        f"code = run({args!r})\n"
        f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    import subprocess

    # Only the first-party plugins: a third-party plugin installed beside them may import what it likes.
    env = {**os.environ, "PERSONA_PLUGINS__ALLOW": "ollama,privacy"}
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, timeout=60, env=env
    )
    assert result.returncode == 0, result.stderr
    assert "HEAVY []" in result.stderr
    # Both first-party plugins were really loaded, so the check covers their modules too.
    assert (
        "persona_ollama.plugin"
        in subprocess.run(
            [sys.executable, "-c", probe + "print(sorted(sys.modules), file=sys.stderr)"],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=60,
            env=env,
        ).stderr
    )


def test_broken_installed_plugin_leaves_the_cli_working(make_dist, tmp_path):
    site = make_dist("persona-broken", "persona_broken", "raise ImportError('needs libfoo')\n")
    env = {"PYTHONPATH": str(site)}
    result = run_cli("plugins", env=env, cwd=tmp_path)
    assert result.returncode == 0
    assert result.stderr == (
        "persona: warning: plugin 'persona-broken' (persona-broken 0.1) failed to load: "
        "ImportError: needs libfoo (it is skipped; `persona plugins` lists plugin errors)\n"
    )
    assert "persona-broken  persona-broken 0.1  [failed]" in result.stdout
    strict = run_cli("plugins", env={**env, "PERSONA_PLUGINS__STRICT": "true"}, cwd=tmp_path)
    assert strict.returncode == ExitCode.PLUGIN
    assert "plugins.strict is on" in strict.stderr
    blocked = run_cli("plugins", env={**env, "PERSONA_PLUGINS__BLOCK": "persona-broken"}, cwd=tmp_path)
    assert blocked.stderr == ""
    assert "[blocked]" in blocked.stdout


def test_a_long_step_says_its_rate_and_the_time_left():
    import io
    import time

    from persona.reporting import Reporter

    out = io.StringIO()
    reporter = Reporter(stream=out, live=False)
    reporter._steps["detecting"] = time.perf_counter() - 10  # begun ten seconds ago
    reporter.step("detecting", 100, 1000)
    reporter.step("detecting", 1000, 1000)
    first, last = out.getvalue().splitlines()
    assert first.startswith("persona: detecting: 100 of 1,000 (10/s, 2 min left)")
    assert last.startswith("persona: detecting: 1,000 of 1,000 (") and "left" not in last


def test_off_a_terminal_each_tenth_is_printed_once_even_when_no_call_lands_on_it():
    import io

    from persona.reporting import Reporter

    out = io.StringIO()
    reporter = Reporter(stream=out, live=False)
    reporter.begin("detecting")
    for done in [*range(200, 8_004, 200), 8_004, 8_004]:  # as the anonymiser reports: every 200
        reporter.step("detecting", done, 8_004)
    lines = out.getvalue().splitlines()
    assert [line.split(": ")[2].split(" of")[0] for line in lines] == [
        # the first report past 800.4, 1,600.8, ... (before, only the last line was printed)
        *("1,000", "1,800", "2,600", "3,400", "4,200", "5,000", "5,800", "6,600", "7,400", "8,004"),
    ]
    reporter.begin("detecting")  # a step begun again counts its tenths again
    reporter.step("detecting", 8_004, 8_004)
    assert len(out.getvalue().splitlines()) == 11
