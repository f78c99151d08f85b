from __future__ import annotations

import json
from pathlib import Path

import pytest
from persona.errors import ExitCode, SettingsError
from persona.settings import load_settings
from persona.sources import plugin_policy


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_precedence_default_file_environment_flags(persona_home):
    write(persona_home / "persona.toml", 'count = 5\nmodel = "from-file"\nseed = 1\n')
    env = {"PERSONA_MODEL": "from-env", "PERSONA_SEED": "2"}
    loaded = load_settings({"seed": 3, "temperature": None}, environ=env)
    s = loaded.settings
    assert (s.count, s.model, s.seed, s.temperature) == (5, "from-env", 3, None)
    assert loaded.origin("count") == str(persona_home / "persona.toml")
    assert loaded.origin("model") == "environment"
    assert loaded.origin("seed") == "command line"
    assert loaded.origin("temperature") == "default"


def test_plugin_sections_from_file_and_environment(persona_home):
    write(persona_home / "persona.toml", '[ollama]\nhost = "http://127.0.0.1:1"\nkeep_alive = "5m"\n')
    env = {"PERSONA_OLLAMA__HOST": "http://127.0.0.1:2", "PERSONA_PRIVACY__HASH__KEY": "k"}
    loaded = load_settings(environ=env)
    assert loaded.settings.plugin_section("ollama") == {"host": "http://127.0.0.1:2", "keep_alive": "5m"}
    assert loaded.settings.plugin_section("privacy") == {"hash": {"key": "k"}}
    assert loaded.settings.plugin_section("absent") == {}
    assert loaded.origin("ollama.host") == "environment"


def test_user_config_folder_is_used_when_no_local_file(persona_home, tmp_path):
    user = tmp_path / "config" / "persona"
    user.mkdir(parents=True)
    write(user / "persona.toml", "count = 7\n")
    assert load_settings(environ={}).settings.count == 7
    write(persona_home / "persona.toml", "count = 4\n")
    assert load_settings(environ={}).settings.count == 4


@pytest.mark.parametrize(
    ("toml", "env", "message"),
    [
        ("count = \n", {}, "invalid TOML: Invalid value (at line 1, column 9)"),
        ("provder = 'x'\n", {}, "unknown setting 'provder' (in {file}) (did you mean 'provider'?)"),
        (
            "[input]\nincluded = []\n",
            {},
            "unknown setting 'input.included' (in {file}) (did you mean 'input.include'?)",
        ),
        (
            "count = 'many'\n",
            {},
            "invalid setting 'count' = 'many' (from {file}): Input should "
            "be a valid integer, unable to parse string as an integer",
        ),
        (
            "",
            {"PERSONA_COUNT": "99"},
            "invalid setting 'count' = '99' (from PERSONA_COUNT): Input should be less than or equal to 12",
        ),
    ],
)
def test_bad_settings_are_one_clear_line(persona_home, toml, env, message):
    path = write(persona_home / "persona.toml", toml)
    with pytest.raises(SettingsError) as raised:
        load_settings(environ=env)
    assert str(raised.value).endswith(message.format(file=path))
    assert raised.value.exit_code == ExitCode.SETTINGS


def test_missing_explicit_settings_file(persona_home):
    with pytest.raises(SettingsError, match="does not exist"):
        load_settings(environ={"PERSONA_CONFIG": str(persona_home / "nope.toml")})


def test_config_show_reports_sources(run_persona, persona_home):
    write(persona_home / "persona.toml", 'count = 4\n[ollama]\nhost = "h"\n[nosuch]\nx = 1\n')
    result = run_persona("config", "show", env={"PERSONA_MODEL": "m"})
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == f"# settings file: {persona_home / 'persona.toml'}"
    assert any(
        line.startswith("count ") and line.endswith(f"= 4  # {persona_home}/persona.toml") for line in lines
    )
    assert any(line.startswith("model ") and line.endswith('= "m"  # environment') for line in lines)
    assert "# warning: no installed plugin is named 'nosuch'; its settings are unused" in lines
    payload = json.loads(run_persona("config", "show", "--json").stdout)
    assert payload["settings"]["ollama.host"] == {"value": "h", "source": str(persona_home / "persona.toml")}
    assert payload["settings"]["provider"] == {"value": "ollama", "source": "default"}


def test_config_show_with_a_broken_file_fails_cleanly(run_persona, persona_home):
    write(persona_home / "persona.toml", "count = [\n")
    result = run_persona("config", "show")
    assert result.exit_code == ExitCode.SETTINGS
    assert result.stderr.startswith(f"persona: error: {persona_home / 'persona.toml'}: invalid TOML")
    assert result.stderr.count("\n") == 1
    # ...while --help still works: the plugin policy is read leniently.
    assert run_persona("--help").exit_code == 0


def test_plugin_policy_from_file_and_environment(persona_home):
    write(persona_home / "persona.toml", '[plugins]\nblock = ["a"]\nallow = ["a", "b"]\n')
    policy = plugin_policy({})
    assert policy.block == {"a"} and policy.allow == {"a", "b"} and not policy.strict
    policy = plugin_policy(
        {
            "PERSONA_PLUGINS__BLOCK": '["c", "d"]',
            "PERSONA_PLUGINS__ALLOW": "x, y",
            "PERSONA_PLUGINS__STRICT": "yes",
        }
    )
    assert policy.block == {"c", "d"} and policy.allow == {"x", "y"} and policy.strict
    write(persona_home / "persona.toml", "this is not toml")
    assert plugin_policy({}).block == frozenset()
