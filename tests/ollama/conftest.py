from __future__ import annotations

from typing import Any

import persona_ollama.plugin
import pytest

from tests.ollama.fake_server import FakeOllama


@pytest.fixture
def ollama_env(fake_ollama: FakeOllama, register_plugin: Any) -> dict[str, str]:
    """The ollama plugin registered in-process and pointed at the fake server."""
    register_plugin(persona_ollama.plugin, "ollama")
    # A machine with a 24 GB GPU, so model-fit warnings appear only in the tests that want them.
    return {
        "PERSONA_OLLAMA__HOST": fake_ollama.url,
        "PERSONA_OLLAMA__BUSY_BACKOFF": "0.01",
        "PERSONA_OLLAMA__RAM_GB": "64",
        "PERSONA_OLLAMA__GPU_GB": "24",
    }
