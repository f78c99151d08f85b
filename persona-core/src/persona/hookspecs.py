"""Persona's hook specifications: the whole surface a plugin can implement.

Each hook receives a ``register`` callback rather than returning values, and is always called with
keyword arguments, so a hook can gain arguments later without breaking existing plugins. Persona
calls each plugin's implementation on its own: a plugin that raises is reported and skipped, and
the others still register.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

import pluggy

if TYPE_CHECKING:
    import typer
    from pydantic import BaseModel

    from persona.checks import Check
    from persona.engines import EngineFactory
    from persona.preprocessors import PreprocessorFactory
    from persona.providers import ProviderFactory

hookspec = pluggy.HookspecMarker("persona")


class RegisterProvider(Protocol):
    def __call__(self, name: str, factory: ProviderFactory, *, description: str = "") -> None: ...


class RegisterPreprocessor(Protocol):
    def __call__(self, name: str, factory: PreprocessorFactory, *, description: str = "") -> None: ...


class RegisterCheck(Protocol):
    def __call__(self, name: str, check: Check, *, description: str = "") -> None: ...


class RegisterEngine(Protocol):
    def __call__(
        self,
        name: str,
        factory: EngineFactory,
        *,
        description: str = "",
        options: type[BaseModel] | None = None,
    ) -> None: ...


class RegisterCommand(Protocol):
    def __call__(self, name: str, app: typer.Typer | Callable[..., Any], *, help: str = "") -> None: ...


@hookspec
def register_providers(register: RegisterProvider) -> None:
    """Register model providers by name.

    Called once per process, the first time a command needs a provider (``generate``, ``plugins``).
    Call ``register(name, factory, description=...)`` for each provider. ``factory(settings)``
    receives the plugin's settings section (a mapping, empty when the user set nothing) and returns
    a ``persona.providers.Provider``. Registering must be cheap: connect, load models or import
    heavy libraries inside the factory or the provider's methods, never here.

    :param register: callback taking a unique provider name and its factory.
    """


@hookspec
def register_preprocessors(register: RegisterPreprocessor) -> None:
    """Register record preprocessors by name (``anonymise`` is the first).

    Called once per process, the first time a command needs a preprocessor. Call
    ``register(name, factory, description=...)``; ``factory(options)`` receives the plugin's settings
    section merged with the options given on the command line (under the flag's own name, such as
    ``"--strategy"``, so a flag is never mistaken for a setting), and returns a
    ``persona.preprocessors.Preprocessor``. Preprocessors run on records before any prompt is built.

    :param register: callback taking a unique preprocessor name and its factory.
    """


@hookspec
def register_commands(register: RegisterCommand) -> None:
    """Add sub-commands to the ``persona`` command line.

    Called at every start of the CLI, so keep it light: build a ``typer.Typer`` and register it with
    ``register(name, app, help=...)``; import heavy libraries inside the command functions. The
    sub-command becomes ``persona NAME ...``.

    :param register: callback taking the sub-command's name and its typer application.
    """


@hookspec
def register_checks(register: RegisterCheck) -> None:
    """Contribute environment checks to ``persona doctor``.

    Called when ``persona doctor`` runs. Call ``register(name, check, description=...)``; ``check``
    receives the runtime (``persona.runtime.Runtime``: the plugin host and the settings) and yields
    ``persona.checks.CheckResult(name, status, message, fix)`` items, with status ``"ok"``,
    ``"warning"`` or ``"problem"``. Checks must never reach beyond this machine.

    :param register: callback taking a unique check name and the check function.
    """


@hookspec
def register_engines(register: RegisterEngine) -> None:
    """Register persona engines by name (the built-ins are registered the same way).

    Called once per process, the first time a command needs an engine. Call
    ``register(name, factory, description=..., options=Model)``. ``options`` is the pydantic model
    of the engine's settings table, ``[engines.NAME]`` (``PERSONA_ENGINES__NAME__KEY``, ``--set
    engines.NAME.KEY=VALUE``): Persona validates the table with it, shows its values in ``persona
    config show``, and hands the validated instance to the factory. ``factory(context)`` receives a
    ``persona.engines.EngineContext`` (the generate options, the reporter, the options, and for
    engines that use a model, a callable that makes the chosen provider) and returns a
    ``persona.engines.Engine``. ``persona generate --engine NAME`` uses it. Registering must be cheap:
    import numpy, load models or connect inside the engine's methods, never here.

    :param register: callback taking a unique engine name and its factory.
    """
