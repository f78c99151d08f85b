"""The plugin host: loads plugins, isolates their failures and collects what they register.

Built-in pieces register through this same host as third-party plugins, so the path plugin authors
use is the path the project's own code takes every day.
"""

from __future__ import annotations

import importlib.metadata
import sys
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import pluggy

from persona import hookspecs
from persona.errors import MissingPluginError, PluginError, UsageError
from persona.sources import PluginPolicy

ENTRY_POINT_GROUP = "persona"
PROJECT = "persona"

Kind = Literal["provider", "preprocessor", "command", "check", "engine"]
KINDS: tuple[Kind, ...] = ("provider", "preprocessor", "engine", "command", "check")
_HOOK_OF_KIND: dict[Kind, str] = {
    "provider": "register_providers",
    "preprocessor": "register_preprocessors",
    "command": "register_commands",
    "check": "register_checks",
    "engine": "register_engines",
}

# First-party features a user may ask for before installing them: the exact install command.
_INSTALL_HINTS: dict[tuple[Kind, str], tuple[str, str]] = {
    ("provider", "ollama"): ("the Ollama provider", "ollama"),
    ("preprocessor", "anonymise"): ("anonymisation", "privacy"),
    ("command", "privacy"): ("the privacy commands", "privacy"),
    ("command", "ollama"): ("the Ollama commands", "ollama"),
}


@dataclass
class PluginInfo:
    """What ``persona plugins`` shows about one plugin."""

    name: str
    distribution: str | None = None
    version: str | None = None
    module: str | None = None
    builtin: bool = False
    status: Literal["loaded", "failed", "blocked", "not allowed"] = "loaded"
    errors: list[str] = field(default_factory=list)
    tracebacks: list[str] = field(default_factory=list)

    def label(self) -> str:
        if self.distribution:
            return f"plugin '{self.name}' ({self.distribution} {self.version})"
        return f"plugin '{self.name}'"


@dataclass(frozen=True)
class Registration:
    """One named thing a plugin registered: a provider, a preprocessor or a command."""

    kind: Kind
    name: str
    target: Any
    plugin: str
    description: str = ""
    options: Any = None  #: an engine's options model (a pydantic model class), if it declared one


def knows(kind: Kind, name: str) -> bool:
    """Whether ``name`` is a first-party feature Persona can tell the user how to install."""
    return (kind, name) in _INSTALL_HINTS


class PluginHost:
    """Wraps a pluggy manager with per-plugin isolation, policies and conflict detection."""

    def __init__(
        self,
        policy: PluginPolicy | None = None,
        *,
        warn: Callable[[str], None] | None = None,
        debug: bool = False,
    ) -> None:
        self.policy = policy or PluginPolicy()
        self.debug = debug
        self.pm = pluggy.PluginManager(PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.plugins: dict[str, PluginInfo] = {}
        self._warn = warn if warn is not None else _warn_on_stderr
        self._collected: dict[Kind, dict[str, Registration]] = {}
        self._conflicts: dict[Kind, dict[str, list[str]]] = {}

    # -- loading --------------------------------------------------------------------------------

    def register(
        self,
        plugin: object,
        name: str,
        *,
        distribution: str | None = None,
        version: str | None = None,
        builtin: bool = False,
    ) -> None:
        """Register a plugin object (a module or any object with hook implementations)."""
        info = PluginInfo(
            name=name,
            distribution=distribution,
            version=version,
            module=getattr(plugin, "__name__", type(plugin).__name__),
            builtin=builtin,
        )
        if name in self.plugins and self.plugins[name].status == "loaded":
            raise PluginError(
                f"two plugins are named '{name}': {self.plugins[name].label()} and "
                f"{info.label()}; uninstall one, or block one with plugins.block"
            )
        self.plugins[name] = info
        try:
            self.pm.register(plugin, name=name)
            _check_hooks(self.pm, plugin, name)
        except Exception as exc:
            if self.pm.is_registered(plugin):
                self.pm.unregister(plugin)
            self._fail(info, f"failed to register: {_describe(exc)}", exc)
        self._collected.clear()
        self._conflicts.clear()

    def unregister(self, name: str) -> None:
        """Remove a plugin by name (tests use this to clean up after themselves)."""
        plugin = self.pm.get_plugin(name)
        if plugin is not None:
            self.pm.unregister(plugin)
        self.plugins.pop(name, None)
        self._collected.clear()
        self._conflicts.clear()

    def load_entry_points(self, entry_points: Iterable[Any] | None = None) -> None:
        """Load every plugin of the ``persona`` entry-point group, each on its own."""
        if entry_points is None:
            entry_points = importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
        for ep in entry_points:
            dist = getattr(ep, "dist", None)
            info = PluginInfo(
                name=ep.name,
                distribution=dist.name if dist is not None else None,
                version=dist.version if dist is not None else None,
                module=ep.value,
            )
            if ep.name in self.policy.block:
                info.status = "blocked"
                self.plugins[ep.name] = info
                continue
            if self.policy.allow is not None and ep.name not in self.policy.allow:
                info.status = "not allowed"
                self.plugins[ep.name] = info
                continue
            try:
                module = ep.load()
            except Exception as exc:
                self.plugins[ep.name] = info
                self._fail(info, f"failed to load: {_describe(exc)}", exc)
                continue
            self.register(module, ep.name, distribution=info.distribution, version=info.version)

    def _fail(self, info: PluginInfo, message: str, exc: BaseException) -> None:
        info.status = "failed"
        info.errors.append(message)
        info.tracebacks.append("".join(traceback.format_exception(exc)))
        if self.policy.strict:
            raise PluginError(f"{info.label()} {message} (plugins.strict is on)") from exc
        if self.debug:
            print(info.tracebacks[-1], file=sys.stderr, end="")
        self._warn(f"{info.label()} {message} (it is skipped; `persona plugins` lists plugin errors)")
        # What a failed plugin registered under other hooks is withdrawn too: it runs nowhere.
        self._collected.clear()
        self._conflicts.clear()

    # -- what plugins registered ----------------------------------------------------------------

    def hooks_of(self, name: str) -> list[str]:
        plugin = self.pm.get_plugin(name)
        if plugin is None:
            return []
        return sorted(caller.name for caller in self.pm.get_hookcallers(plugin) or [] if caller.name)

    def registered(self, kind: Kind) -> Mapping[str, Registration]:
        """Everything of one kind the plugins registered, in registration order."""
        if kind not in self._collected:
            self._collect(kind)
        return self._collected[kind]

    def conflicts(self, kind: Kind) -> Mapping[str, list[str]]:
        self.registered(kind)
        return self._conflicts[kind]

    def _collect(self, kind: Kind) -> None:
        found: dict[str, Registration] = {}
        conflicts: dict[str, list[str]] = {}
        hook = getattr(self.pm.hook, _HOOK_OF_KIND[kind])
        plugins = [impl.plugin_name for impl in hook.get_hookimpls()]
        # Each plugin's implementation is called on its own (through pluggy, with keyword
        # arguments, so tracing and hook options work), and one plugin that raises costs only itself.
        for plugin_name in plugins:
            if self.plugins.get(plugin_name, PluginInfo(plugin_name)).status == "failed":
                continue

            def register(
                name: str,
                target: Any,
                *,
                description: str = "",
                help: str = "",
                options: Any = None,
                _plugin: str = plugin_name,
            ) -> None:
                if name in found:
                    conflicts.setdefault(name, [found[name].plugin]).append(_plugin)
                    return
                found[name] = Registration(kind, name, target, _plugin, description or help, options)

            others = [self.pm.get_plugin(other) for other in plugins if other != plugin_name]
            caller = self.pm.subset_hook_caller(hook.name, remove_plugins=others)
            try:
                caller(register=register)
            except Exception as exc:
                info = self.plugins.setdefault(plugin_name, PluginInfo(name=plugin_name))
                self._fail(info, f"failed in {hook.name}: {_describe(exc)}", exc)
                for key in [k for k, r in found.items() if r.plugin == plugin_name]:
                    del found[key]
        for name in conflicts:
            found.pop(name, None)
        self._collected[kind] = found
        self._conflicts[kind] = conflicts

    def get(self, kind: Kind, name: str) -> Registration:
        """The registration for ``name``, or an error that says how to get it."""
        registered = self.registered(kind)
        if name in registered:
            return registered[name]
        if name in self._conflicts[kind]:
            owners = " and ".join(self._label(p) for p in self._conflicts[kind][name])
            raise PluginError(
                f"{kind} '{name}' is registered by both {owners}; "
                "uninstall one, or block one with plugins.block"
            )
        if (kind, name) in _INSTALL_HINTS:
            feature, extra = _INSTALL_HINTS[kind, name]
            plugin = self.plugins.get(extra)
            if plugin is not None and plugin.status != "loaded":
                raise PluginError(
                    f"{feature} comes from {plugin.label()}, which is {plugin.status}: "
                    + (
                        "; ".join(plugin.errors)
                        if plugin.errors
                        else "change plugins.allow / plugins.block in your settings"
                    )
                )
            raise MissingPluginError(feature, f"pip install 'persona[{extra}]'")
        known = ", ".join(sorted(registered)) or "none"
        raise UsageError(f"unknown {kind} '{name}' (available: {known})")

    def _label(self, plugin: str) -> str:
        info = self.plugins.get(plugin)
        return info.label() if info else f"plugin '{plugin}'"


def _check_hooks(pm: pluggy.PluginManager, plugin: object, name: str) -> None:
    """Refuse hook implementations whose name matches no hook specification (a typo, usually)."""
    for caller in pm.get_hookcallers(plugin) or []:
        if caller.spec is None:
            raise PluginError(f"implements '{caller.name}', which is not a Persona hook")


def _describe(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _warn_on_stderr(message: str) -> None:
    print(f"persona: warning: {message}", file=sys.stderr)
