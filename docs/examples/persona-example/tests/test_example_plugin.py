"""Testing a plugin with ``persona.testing``: this file is the example the plugin docs show."""

from __future__ import annotations

import json

from persona import ChatRequest, Message, Provenance, Record
from persona_example import plugin

pytest_plugins = ["persona.testing"]


def test_plugin_registers_its_provider_and_preprocessor(register_plugin, run_persona):
    register_plugin(plugin, "example")
    rows = {row["name"]: row for row in json.loads(run_persona("plugins", "--json").stdout)}
    assert rows["example"]["providers"] == ["replay"]
    assert rows["example"]["preprocessors"] == ["drop-interviewer"]


def test_replay_provider_answers_in_order(register_plugin, plugin_host, tmp_path):
    register_plugin(plugin, "example")
    (tmp_path / "1.json").write_text('{"personas": []}')
    factory = plugin_host.get("provider", "replay").target
    provider = factory({"answers": str(tmp_path)})
    request = ChatRequest(model="replay", messages=(Message("user", "hello"),))
    assert provider.chat(request).text == '{"personas": []}'


def test_drop_interviewer_keeps_participant_turns(register_plugin, plugin_host):
    register_plugin(plugin, "example")
    preprocessor = plugin_host.get("preprocessor", "drop-interviewer").target({})
    record = Record(
        id="r1",
        source=Provenance("t.txt", line_start=1),
        text="Interviewer: How do you plan trips?\nP07: On my phone, late at night.",
    )
    [out] = preprocessor.process([record])
    assert out.text == "P07: On my phone, late at night."
    assert preprocessor.summary() == {"interviewer_lines_dropped": 1}
