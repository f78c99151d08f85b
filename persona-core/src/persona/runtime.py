"""The state one run of the CLI shares with its commands, including plugin commands.

A command asks ``current()`` for the plugin host and the settings. Settings load on first use, so
commands that do not need them (``--help``, ``plugins``) never import pydantic-settings.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from persona.plugins import PluginHost

if TYPE_CHECKING:
    from persona.preprocessors import Preprocessor
    from persona.providers import Provider
    from persona.settings import LoadedSettings


@dataclass
class Runtime:
    host: PluginHost
    debug: bool = False
    quiet: bool = False
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    _loaded: LoadedSettings | None = None

    def settings(self, overrides: Mapping[str, Any] | None = None) -> LoadedSettings:
        """The effective settings, loaded once; ``overrides`` (command-line values) reload them."""
        if self._loaded is None or overrides:
            from persona.settings import load_settings

            self._loaded = load_settings(overrides, environ=self.environ)
        return self._loaded

    def provider(self, name: str) -> Provider:
        registration = self.host.get("provider", name)
        section = self.settings().settings.plugin_section(registration.plugin)
        return registration.target(section)

    def preprocessor(self, name: str, options: Mapping[str, Any] | None = None) -> Preprocessor:
        registration = self.host.get("preprocessor", name)
        section = self.settings().settings.plugin_section(registration.plugin)
        section.update(options or {})
        return registration.target(section)


_current: Runtime | None = None


def current() -> Runtime:
    """The runtime of the command being run (a default one outside the CLI)."""
    global _current
    if _current is None:
        from persona.cli import default_host

        _current = Runtime(host=default_host())
    return _current


def set_current(runtime: Runtime | None) -> None:
    global _current
    _current = runtime
