"""Entry point of the persona-ollama plugin. Registration only: ``ollama`` and ``httpx`` are
imported by the provider and the commands when they run, never here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from persona import hookimpl

if TYPE_CHECKING:
    from persona import CheckResult, Provider, Runtime

from persona import RegisterCheck, RegisterCommand, RegisterProvider


@hookimpl
def register_providers(register: RegisterProvider) -> None:
    """Register the ``ollama`` provider."""

    def factory(settings: Mapping[str, Any]) -> Provider:
        from persona_ollama.provider import OllamaProvider
        from persona_ollama.settings import OllamaSettings

        return OllamaProvider(OllamaSettings.from_section(settings))

    register("ollama", factory, description="local models served by Ollama")


@hookimpl
def register_commands(register: RegisterCommand) -> None:
    """Add ``persona ollama models`` and ``persona ollama pull``."""
    from persona_ollama.commands import app

    register("ollama", app, help="List and pull local Ollama models.")


@hookimpl
def register_checks(register: RegisterCheck) -> None:
    """Contribute checks to ``persona doctor``."""

    def check(runtime: Runtime) -> Iterable[CheckResult]:
        from persona_ollama.checks import ollama_checks

        return ollama_checks(runtime)

    register("ollama", check, description="Ollama server, models and whether they fit this machine")
