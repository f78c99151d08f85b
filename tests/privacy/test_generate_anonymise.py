"""The promise: with --anonymise, no planted personal value reaches the model, an output file, the
manifest or a log line. Proved through the Ollama plugin over real HTTP to the loopback fake."""

from __future__ import annotations

import json

import persona_ollama.plugin
import pytest

from tests.privacy.conftest import EXAMPLES, known_pii


@pytest.mark.parametrize("strategy", ["redact", "replace", "hash"])
def test_no_personal_value_leaves_the_machine_or_lands_on_disk(
    strategy, run_persona, register_plugin, privacy_plugin, privacy_env, fake_ollama, persona_home
):
    register_plugin(persona_ollama.plugin, "ollama")
    env = {**privacy_env, "PERSONA_OLLAMA__HOST": fake_ollama.url}
    result = run_persona(
        "generate", "-i", str(EXAMPLES), "--anonymise", "--strategy", strategy, "-o", "run", env=env
    )
    assert result.exit_code == 0, result.stderr
    sent = json.dumps(fake_ollama.requests, ensure_ascii=False)
    written = "".join(p.read_text() for p in (persona_home / "run").iterdir())
    logs = result.stdout + result.stderr
    leaks = [value for value in known_pii() if value in sent or value in written or value in logs]
    assert leaks == []
    manifest = json.loads((persona_home / "run" / "manifest.json").read_text())
    [pre] = manifest["preprocessors"]
    assert pre["name"] == "anonymise" and pre["strategy"] == strategy
    assert pre["mentions_by_type"]["EMAIL_ADDRESS"] == 14
    # the model still sees the research content itself
    assert "delay repay" in sent


def test_anonymise_before_reading_checks_the_plugin_only(
    run_persona, privacy_plugin, privacy_env, register_plugin, fake_ollama
):
    register_plugin(persona_ollama.plugin, "ollama")
    env = {**privacy_env, "PERSONA_OLLAMA__HOST": fake_ollama.url}
    result = run_persona("generate", "-i", str(EXAMPLES), "--anonymise", "--dry-run", env=env)
    assert result.exit_code == 0, result.stderr
    assert "Preprocessor anonymise: strategy=redact" in result.stdout
    for value in known_pii():
        assert value not in result.stdout


def test_an_unknown_strategy_is_a_usage_error_before_reading(
    run_persona, privacy_plugin, privacy_env, register_plugin, fake_ollama
):
    register_plugin(persona_ollama.plugin, "ollama")
    env = {**privacy_env, "PERSONA_OLLAMA__HOST": fake_ollama.url}
    result = run_persona("generate", "-i", "missing.csv", "--anonymise", "--strategy", "blur", env=env)
    assert (result.exit_code, result.stderr) == (
        2,
        "persona: error: --strategy must be one of redact, replace, hash, not 'blur'\n",
    )
