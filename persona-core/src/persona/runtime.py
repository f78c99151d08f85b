"""The state one run of the CLI shares with its commands, including plugin commands.

A command asks ``current()`` for the plugin host and the settings. Settings load on first use, so
commands that do not need them (``--help``, ``plugins``) never import pydantic-settings.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from persona.errors import PluginError
from persona.plugins import PluginHost, Registration

if TYPE_CHECKING:
    from persona.engines import Engine, EngineContext, EngineFactory, GenerateConfig
    from persona.executors import Executor
    from persona.preprocessors import Preprocessor, PreprocessorFactory
    from persona.providers import Provider, ProviderFactory
    from persona.reporting import Reporter
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
            warnings = [*self._loaded.warnings, *self._loaded.unknown_sections(self.host.plugins)]
            if self._loaded.settings.engines:
                warnings += self._loaded.unknown_engines(self.host.registered("engine"))
            for warning in warnings:
                if warning not in self.warned:
                    self.warned.add(warning)
                    print(f"persona: warning: {warning}", file=sys.stderr)
        return self._loaded

    @contextmanager
    def progress(self, label: str) -> Iterator[Callable[[int, int], None]]:
        """A long step of a command: call what it yields with (done, total) as the step goes. It
        shows the rate and the time left on stderr, as ``generate`` does (a live line on a
        terminal, a line per tenth elsewhere; nothing with ``--quiet``)."""
        from persona.reporting import Reporter

        with Reporter(quiet=self.quiet) as reporter:
            reporter.begin(label)

            def step(done: int, total: int) -> None:
                reporter.step(label, done, total)

            yield step

    def executor(self) -> Executor:
        """The executor the settings ask for (``[executor]``, ``--executor``, ``--workers``):
        use it as a context manager, so the workers it starts stop with it."""
        from persona.executors import make_executor
        from persona.reporting import Reporter

        return make_executor(self.settings().settings.executor, Reporter(quiet=self.quiet, live=False).info)

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
        return _checked(factory(section), "preprocessor", registration)

    def engine_options(self, name: str) -> Any:
        """Engine ``name``'s options: its ``[engines.NAME]`` table validated by the model it
        registered (the table itself, a mapping, when it registered none)."""
        from persona.settings import validate_section

        registration = self.host.get("engine", name)
        table = self.settings().settings.engines.get(name, {})
        if registration.options is None:
            return dict(table)
        return validate_section(registration.options, table, f"engines.{name}")

    def engine(self, name: str, context: EngineContext) -> Engine:
        registration = self.host.get("engine", name)
        context.options = self.engine_options(name)
        factory: EngineFactory = registration.target
        return _checked(factory(context), "engine", registration)

    def engine_maker(
        self, config: GenerateConfig, provider_name: str | None = None
    ) -> Callable[[str, Reporter], Engine]:
        """What ``persona.pipeline.generate`` takes: engines by name from the plugin host (the one
        registry), each with its options and, for engines that use a model, provider ``provider_name``
        (default: the ``provider`` setting)."""
        from persona.engines import EngineContext

        provider = provider_name or self.settings().settings.provider

        def make(name: str, reporter: Reporter) -> Engine:
            context = EngineContext(
                config=config,
                reporter=reporter,
                provider=lambda: self.provider(provider),
                provider_name=provider,
            )
            return self.engine(name, context)

        return make


Made = TypeVar("Made")


def _checked(made: Made, kind: str, registration: Registration) -> Made:
    """What a factory made, if it has every member of its interface; else a plugin error naming them."""
    from persona.engines import Engine
    from persona.preprocessors import Preprocessor

    interface: Any = {"engine": Engine, "preprocessor": Preprocessor}[kind]
    members = {*interface.__annotations__, *(k for k, v in vars(interface).items() if callable(v))}
    missing = [name for name in members if not name.startswith("_") and not hasattr(made, name)]
    if missing:
        raise PluginError(
            f"{kind} '{registration.name}' of plugin '{registration.plugin}' lacks "
            f"{', '.join(sorted(missing))}: see the {kind} interface in docs/plugins.md"
        )
    return made


_current: Runtime | None = None


def current() -> Runtime:
    """The runtime of the command being run: what ``persona.cli.run`` set for it."""
    if _current is None:
        raise RuntimeError(
            "persona.current_runtime() is only available inside a persona command; a program makes "
            "its own: Runtime(host=persona.host.default_host())"
        )
    return _current


def current_or_none() -> Runtime | None:
    return _current


def set_current(runtime: Runtime | None) -> None:
    global _current
    _current = runtime
