"""Where settings come from, read into plain data: the one parser of the settings file and of the
``PERSONA_*`` environment.

Stdlib only, because the CLI needs the plugin policy at start-up, before it may import anything
heavy. ``persona.settings`` validates the same layers with pydantic; the plugin host gets its policy
from the same layers through ``plugin_policy``. Nothing else reads the file or the environment.
"""

from __future__ import annotations

import difflib
import json
import os
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from persona.errors import SettingsError, UsageError

CONFIG_NAME = "persona.toml"
ENV_PREFIX = "PERSONA_"
# Variables that steer the CLI itself rather than a setting.
#: read by Persona before any setting, so never settings themselves
CONTROL_VARIABLES = frozenset({f"{ENV_PREFIX}CONFIG", f"{ENV_PREFIX}DEBUG", f"{ENV_PREFIX}CACHE"})


@dataclass(frozen=True)
class Layer:
    """One source of settings: its name (a path, "environment", "command line") and its values."""

    source: str
    values: dict[str, Any]


@dataclass(frozen=True)
class PluginPolicy:
    """Which plugins may load. ``allow`` of ``None`` allows all; ``strict`` re-raises failures."""

    allow: frozenset[str] | None = None
    block: frozenset[str] = frozenset()
    strict: bool = False


def user_config_dir() -> Path:
    from platformdirs import user_config_path

    return user_config_path("persona", appauthor=False)


def user_cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Where Persona and its plugins keep files they can make again: ``$PERSONA_CACHE``, else the
    user's cache folder (``~/.cache/persona`` on Linux)."""
    from platformdirs import user_cache_path

    value = (os.environ if environ is None else environ).get(f"{ENV_PREFIX}CACHE")
    return Path(value) if value else user_cache_path("persona", appauthor=False)


def find_config_file(environ: Mapping[str, str]) -> Path | None:
    """``$PERSONA_CONFIG``, else ``./persona.toml``, else the user's ``persona.toml``, else none."""
    explicit = environ.get(f"{ENV_PREFIX}CONFIG")
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise SettingsError(f"settings file {path} (from {ENV_PREFIX}CONFIG) does not exist")
        return path
    local = Path.cwd() / CONFIG_NAME
    if local.is_file():
        return local
    user = user_config_dir() / CONFIG_NAME
    return user if user.is_file() else None


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: invalid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise SettingsError(f"{path}: the settings file is not UTF-8 text") from None
    except OSError as exc:
        raise SettingsError(f"{path}: cannot read the settings file: {exc.strerror}") from None


def environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """``PERSONA_*`` variables as nested values: ``PERSONA_OLLAMA__HOST`` -> ``{"ollama": {"host"}}``.

    Values stay strings; the settings models turn them into numbers, flags and lists (a list may be
    written ``a,b`` or as JSON, see ``as_list``).
    """
    data: dict[str, Any] = {}
    for key, value in environ.items():
        upper = key.upper()
        if not upper.startswith(ENV_PREFIX) or upper in CONTROL_VARIABLES:
            continue
        path = [part for part in key[len(ENV_PREFIX) :].lower().split("__")]
        if not all(path):
            continue
        target = data
        for part in path[:-1]:
            inner = target.setdefault(part, {})
            if not isinstance(inner, dict):
                break
            target = inner
        else:
            target[path[-1]] = value
    return data


def dotted_values(assignments: Iterable[str], flag: str) -> dict[str, Any]:
    """``KEY=VALUE`` assignments with dotted keys (``engines.llm.grouping=similar``) as nested
    values, text like the environment's (the settings models turn them into numbers and lists)."""
    data: dict[str, Any] = {}
    for assignment in assignments:
        key, equals, value = assignment.partition("=")
        path = key.strip().lower().split(".")
        if not equals or not all(path):
            raise UsageError(
                f"{flag} {assignment!r}: expected KEY=VALUE, such as engines.llm.grouping=similar"
            )
        target = data
        for part in path[:-1]:
            inner = target.setdefault(part, {})
            if not isinstance(inner, dict):
                raise UsageError(f"{flag} {assignment!r}: '{part}' is set to a value and a table")
            target = inner
        target[path[-1]] = value
    return data


def layers(
    environ: Mapping[str, str], flags: Mapping[str, Any] | None = None
) -> tuple[Path | None, list[Layer]]:
    """Every layer in order of precedence, lowest first: the file, the environment, the flags."""
    path = find_config_file(environ)
    found: list[Layer] = []
    if path is not None:
        found.append(Layer(str(path), read_toml(path)))
    found.append(Layer("environment", environment(environ)))
    given = {key: value for key, value in (flags or {}).items() if value is not None}
    if given:
        found.append(Layer("command line", given))
    return path, found


def merge(stack: Iterable[Layer]) -> tuple[dict[str, Any], dict[str, str]]:
    """The layers merged into one mapping, and the layer each dotted key came from."""
    merged: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for layer in stack:
        _merge(merged, layer.values, origins, layer.source, "")
    return merged, origins


def _merge(
    into: dict[str, Any], data: Mapping[str, Any], origins: dict[str, str], source: str, prefix: str
) -> None:
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping) and isinstance(into.get(key, {}), dict):
            _merge(into.setdefault(key, {}), value, origins, source, f"{dotted}.")
        else:
            into[key] = value
            origins[dotted] = source


def as_list(value: Any) -> Any:
    """A list setting as written anywhere: a TOML array, ``"a,b"`` or ``'["a", "b"]'``.

    Anything else is returned as it is, for the caller's validation to reject.
    """
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                return json.loads(text)
            except ValueError:
                return value
        return [part.strip() for part in text.split(",") if part.strip()]
    return value


def as_flag(value: Any) -> Any:
    """A yes/no setting as written in the environment (``1``, ``true``, ``yes``, ``on``...)."""
    if isinstance(value, str):
        text = value.strip().lower()
        if text in {"1", "true", "yes", "on"}:
            return True
        if text in {"0", "false", "no", "off", ""}:
            return False
    return value


def plugin_policy(environ: Mapping[str, str] | None = None) -> PluginPolicy:
    """The plugin policy from the same layers the settings are built from.

    Read leniently: a broken settings file must not stop ``persona --help``; the commands that load
    the full settings report it with its exit code.
    """
    environ = os.environ if environ is None else environ
    try:
        _, stack = layers(environ)
    except SettingsError:
        stack = [Layer("environment", environment(environ))]
    merged, _ = merge(stack)
    section = merged.get("plugins")
    if not isinstance(section, dict):
        return PluginPolicy()
    allow = _names(section.get("allow"))
    strict = as_flag(section.get("strict", False))
    return PluginPolicy(
        allow=frozenset(allow) if allow is not None else None,
        block=frozenset(_names(section.get("block")) or ()),
        strict=strict if isinstance(strict, bool) else False,
    )


def _names(value: Any) -> list[str] | None:
    value = as_list(value)
    if isinstance(value, list):
        return [str(item).strip() for item in value if str(item).strip()]
    return None


def nearest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate a typo most likely meant, if any is close."""
    matches = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return matches[0] if matches else None
