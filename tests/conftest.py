"""Shared test helpers, and the ``persona.testing`` fixtures plugin authors use too."""

from __future__ import annotations

import importlib.metadata
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytest_plugins = ["persona.testing"]

REPO = Path(__file__).resolve().parent.parent


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--ollama-live",
        action="store_true",
        help="also run the ollama_live tests against a real Ollama (OLLAMA_HOST, else 127.0.0.1:11434)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--ollama-live"):
        return
    skip = pytest.mark.skip(reason="needs a real Ollama: run with --ollama-live")
    for item in items:
        if "ollama_live" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def make_dist(tmp_path: Path) -> Callable[..., Path]:
    """Write an installed distribution (dist-info plus module) into a folder for sys.path."""
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)

    def make(dist: str, module: str, source: str, *, entry: str | None = None, version: str = "0.1") -> Path:
        (site / f"{module}.py").write_text(textwrap.dedent(source))
        info = site / f"{dist.replace('-', '_')}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n")
        (info / "entry_points.txt").write_text(f"[persona]\n{entry or dist} = {module}\n")
        return site

    return make


def entry_points_in(site: Path) -> list[importlib.metadata.EntryPoint]:
    return [
        ep
        for dist in importlib.metadata.distributions(path=[str(site)])
        for ep in dist.entry_points
        if ep.group == "persona"
    ]


def installed_plugin(name: str) -> object:
    """The plugin installed under entry point ``name`` of the ``persona`` group, loaded as the host
    loads it (so a test that needs another plugin does not import that plugin's package)."""
    (entry,) = importlib.metadata.entry_points(group="persona", name=name)
    return entry.load()


def run_cli(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the installed ``persona`` console script as a real subprocess."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PERSONA_")}
    environ.update(env or {})
    script = Path(sys.executable).parent / "persona"
    return subprocess.run(
        [str(script), *args], capture_output=True, text=True, env=environ, cwd=cwd, timeout=120
    )


def analyst_answer(body: dict[str, Any]) -> str:
    """Answer as a diligent model would, from the first user message and the requested format."""
    from tests.core.analyst import AnalystProvider

    prompt = next(m["content"] for m in body["messages"] if m["role"] == "user")
    properties = (body.get("format") or {}).get("properties", {})
    if "personas" not in properties and "findings" not in properties:
        return "Hello! How can I help with your research today?"
    return json.dumps(AnalystProvider().analyse(prompt, body["format"]))


@pytest.fixture
def fake_ollama() -> Iterator[Any]:
    from tests.ollama.fake_server import FakeModel, FakeOllama

    server = FakeOllama(responder=analyst_answer).start()
    server.add(FakeModel("qwen2.5:7b"))
    yield server
    server.stop()
