from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import persona_ollama.plugin
import pytest

from tests.core.analyst import AnalystProvider
from tests.ollama.fake_server import FakeModel, FakeOllama


def analyst_answer(body: dict[str, Any]) -> str:
    """Answer as a diligent model would, from the first user message and the requested format."""
    prompt = next(m["content"] for m in body["messages"] if m["role"] == "user")
    properties = (body.get("format") or {}).get("properties", {})
    if "personas" not in properties and "findings" not in properties:
        return "Hello! How can I help with your research today?"
    return json.dumps(AnalystProvider().analyse(prompt, body["format"]))


@pytest.fixture
def fake_ollama() -> Iterator[FakeOllama]:
    server = FakeOllama(responder=analyst_answer).start()
    server.add(FakeModel("qwen2.5:7b"))
    yield server
    server.stop()


@pytest.fixture
def ollama_env(fake_ollama: FakeOllama, register_plugin: Any) -> dict[str, str]:
    """The ollama plugin registered in-process and pointed at the fake server."""
    register_plugin(persona_ollama.plugin, "ollama")
    return {"PERSONA_OLLAMA__HOST": fake_ollama.url, "PERSONA_OLLAMA__BUSY_BACKOFF": "0.01"}
