from __future__ import annotations

from typing import Any

import persona_ollama.plugin
import pytest

from tests.ollama.fake_server import FakeOllama


@pytest.fixture
def ollama_env(fake_ollama: FakeOllama, register_plugin: Any) -> dict[str, str]:
    """The ollama plugin registered in-process and pointed at the fake server."""
    register_plugin(persona_ollama.plugin, "ollama")
    return {"PERSONA_OLLAMA__HOST": fake_ollama.url, "PERSONA_OLLAMA__BUSY_BACKOFF": "0.01"}
