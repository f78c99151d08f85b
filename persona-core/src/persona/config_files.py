"""Finding and reading the settings file, without pydantic: the CLI needs the plugin policy at
start-up, before it may import anything heavy."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from persona.errors import SettingsError
from persona.plugins import PluginPolicy

CONFIG_NAME = "persona.toml"
ENV_PREFIX = "PERSONA_"


def user_config_dir() -> Path:
    from platformdirs import user_config_path

    return user_config_path("persona", appauthor=False)


def find_config_file(environ: Mapping[str, str] | None = None) -> Path | None:
    """``$PERSONA_CONFIG``, else ``./persona.toml``, else the user's ``persona.toml``, else none."""
    environ = os.environ if environ is None else environ
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
    except OSError as exc:
        raise SettingsError(f"{path}: cannot read the settings file: {exc.strerror}") from None


def plugin_policy(environ: Mapping[str, str] | None = None) -> PluginPolicy:
    """The plugin policy from the settings file and environment, read leniently.

    A broken settings file must not stop ``persona --help``; the commands that load the full
    settings report it.
    """
    environ = os.environ if environ is None else environ
    section: dict[str, Any] = {}
    try:
        path = find_config_file(environ)
        if path is not None:
            raw = read_toml(path).get("plugins", {})
            section = dict(raw) if isinstance(raw, dict) else {}
    except SettingsError:
        pass
    for key in ("allow", "block", "strict"):
        value = environ.get(f"{ENV_PREFIX}PLUGINS__{key.upper()}")
        if value is not None:
            section[key] = value
    allow = _names(section.get("allow"))
    return PluginPolicy(
        allow=frozenset(allow) if allow is not None else None,
        block=frozenset(_names(section.get("block")) or ()),
        strict=_flag(section.get("strict")),
    )


def _names(value: Any) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = value.strip()
        if value.startswith("["):
            import json

            try:
                value = json.loads(value)
            except ValueError:
                return None
        else:
            value = value.split(",")
    if isinstance(value, list):
        return [str(item).strip() for item in value if str(item).strip()]
    return None


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)
