"""Pytest fixtures for testing Persona plugins, the same ones Persona's own tests use.

Opt in from a ``conftest.py`` with ``pytest_plugins = ["persona.testing"]``.

- ``plugin_host``: a fresh plugin host holding the built-in commands and no installed plugins.
- ``register_plugin(plugin, name)``: register a plugin object in-process for one test.
- ``run_persona(*args)``: run the CLI in-process against that host; returns exit code and output.
- ``persona_home``: an empty working folder and user config folder, so no real settings leak in.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from persona import __version__, builtins
from persona.plugins import PluginHost
from persona.sources import PluginPolicy


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def persona_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in an empty folder, with the user config folder and PERSONA_* variables cleared."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for key in list(os.environ):
        if key.startswith("PERSONA_"):
            monkeypatch.delenv(key)
    return work


@pytest.fixture
def plugin_host(persona_home: Path) -> PluginHost:
    """A fresh plugin host: the built-ins, and no installed plugins."""
    host = PluginHost(PluginPolicy())
    host.register(builtins, "persona", distribution="persona", version=__version__, builtin=True)
    return host


@pytest.fixture
def register_plugin(plugin_host: PluginHost) -> Iterator[Callable[[object, str], None]]:
    """Register a plugin object in-process; it is unregistered after the test."""
    names: list[str] = []

    def register(plugin: object, name: str) -> None:
        plugin_host.register(plugin, name)
        names.append(name)

    yield register
    for name in names:
        plugin_host.unregister(name)


@pytest.fixture
def run_persona(plugin_host: PluginHost, capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run ``persona ARGS`` in-process against ``plugin_host``."""
    from persona.cli import run

    def invoke(*args: str, env: Mapping[str, str] | None = None) -> CliResult:
        capsys.readouterr()
        environ = {**os.environ, **(env or {})}
        code = run(list(args), host=plugin_host, environ=environ)
        captured = capsys.readouterr()
        return CliResult(int(code), captured.out, captured.err)

    return invoke
