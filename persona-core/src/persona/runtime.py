"""The state one run of the CLI shares with its commands, including plugin commands.

A command asks ``current()`` for the plugin host and the settings. Settings load on first use, so
commands that do not need them (``--help``, ``plugins``) never import pydantic-settings.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from persona.plugins import PluginHost, default_host

if TYPE_CHECKING:
    from persona.engines import Engine, EngineContext, EngineFactory
    from persona.preprocessors import Preprocessor, PreprocessorFactory
    from persona.providers import Provider, ProviderFactory
    from persona.settings import LoadedSettings


@dataclass
class Runtime:
    host: PluginHost
    debug: bool = False
    quiet: bool = False
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    _loaded: LoadedSettings | None = None

    warned: set[str] = field(default_factory=set)

    def settings(self, overrides: Mapping[str, Any] | None = None) -> LoadedSettings:
        """The effective settings, loaded once; ``overrides`` (command-line values) reload them.

        Settings that nothing reads (a typo'd section or variable) are warned about once.
        """
        if self._loaded is None or overrides:
            from persona.settings import load_settings

            self._loaded = load_settings(overrides, environ=self.environ)
            for warning in [*self._loaded.warnings, *self._loaded.unknown_sections(self.host.plugins)]:
                if warning not in self.warned:
                    self.warned.add(warning)
                    print(f"persona: warning: {warning}", file=sys.stderr)
        return self._loaded

    def provider(self, name: str) -> Provider:
        registration = self.host.get("provider", name)
        section = self.settings().settings.plugin_section(registration.plugin)
        factory: ProviderFactory = registration.target
        return factory(section)

    def preprocessor(self, name: str, options: Mapping[str, Any] | None = None) -> Preprocessor:
        registration = self.host.get("preprocessor", name)
        section = self.settings().settings.plugin_section(registration.plugin)
        section.update(options or {})
        factory: PreprocessorFactory = registration.target
        return factory(section)

    def engine(self, name: str, context: EngineContext) -> Engine:
        registration = self.host.get("engine", name)
        context.options = self.settings().settings.plugin_section(registration.plugin)
        factory: EngineFactory = registration.target
        return factory(context)


_current: Runtime | None = None


def current() -> Runtime:
    """The runtime of the command being run (a default one outside the CLI)."""
    global _current
    if _current is None:
        _current = Runtime(host=default_host())
    return _current


def set_current(runtime: Runtime | None) -> None:
    global _current
    _current = runtime
