from __future__ import annotations

import json

from persona import hookimpl
from persona.checks import CheckResult
from persona.errors import ExitCode


class CheckPlugin:
    def __init__(self, status: str = "ok") -> None:
        self.status = status

    @hookimpl
    def register_checks(self, register):
        def disk(runtime):
            yield CheckResult("scratch disk", self.status, "12 GB free", "free some space")

        def broken(runtime):
            raise RuntimeError("cannot read /proc")

        register("disk", disk)
        register("broken", broken)


def test_doctor_reports_every_check_and_isolates_crashes(run_persona, register_plugin):
    register_plugin(CheckPlugin(), "checks")
    result = run_persona("doctor")
    lines = result.stdout.splitlines()
    assert lines[0].startswith("ok       python: Python 3.")
    assert "ok       scratch disk: 12 GB free" in lines
    assert (
        "PROBLEM  broken: the check itself failed: RuntimeError: cannot read /proc -> report this to the "
        "'checks' plugin"
    ) in lines
    assert result.exit_code == ExitCode.CHECK_FAILED
    assert result.stderr == "persona: error: 1 of 6 checks found a problem\n"


def test_doctor_json_and_warnings_do_not_fail(run_persona, register_plugin, persona_home):
    class Warn:
        @hookimpl
        def register_checks(self, register):
            register("slow", lambda runtime: [CheckResult("gpu", "warning", "no GPU", "expect slow runs")])

    register_plugin(Warn(), "warn")
    result = run_persona("doctor", "--json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert {"name": "gpu", "status": "warning", "message": "no GPU", "fix": "expect slow runs"} in rows
    assert {"name": "output folder", "status": "ok", "message": "personas is writable", "fix": ""} in rows


def test_doctor_with_broken_settings(run_persona, persona_home):
    (persona_home / "persona.toml").write_text("count = 'x'\n")
    result = run_persona("doctor")
    assert "PROBLEM  settings: invalid setting 'count'" in result.stdout
    assert result.exit_code == ExitCode.CHECK_FAILED
