"""Persona's settings: defaults < settings file < ``PERSONA_*`` environment < command-line flags.

One pydantic-settings model holds the core settings. Each plugin owns a table of its own, named after
the plugin (``[ollama]``, ``[privacy]``; ``PERSONA_OLLAMA__HOST`` in the environment), which the
plugin validates itself. Every effective value remembers where it came from, for
``persona config show``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, EnvSettingsSource, SettingsConfigDict
from pydantic_settings.sources.utils import parse_env_vars

from persona.config_files import ENV_PREFIX, find_config_file, read_toml
from persona.errors import SettingsError

if TYPE_CHECKING:
    from persona.loaders import InputLimits

Section = TypeVar("Section", bound=BaseModel)

SUPPORTED_SUFFIXES = (".csv", ".tsv", ".json", ".jsonl", ".yaml", ".yml", ".txt", ".md")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PluginsSettings(_Section):
    allow: list[str] | None = Field(None, description="load only these plugins (None: all)")
    block: list[str] = Field(default_factory=list, description="never load these plugins")
    strict: bool = Field(False, description="a plugin that fails to load is an error")


class InputSettings(_Section):
    include: list[str] = Field(
        default_factory=lambda: [f"*{suffix}" for suffix in SUPPORTED_SUFFIXES],
        description="file-name globs taken from input folders",
    )
    exclude: list[str] = Field(
        default_factory=lambda: [".*", "~*", "personas"],
        description="file- or folder-name globs skipped in input folders",
    )
    max_file_mb: float = Field(200.0, gt=0, description="larger input files are refused")
    max_line_chars: int = Field(1_000_000, gt=0, description="longer lines are refused")
    passage_chars: int = Field(1_200, ge=200, description="long documents split near this size")

    def limits(self) -> InputLimits:
        """These settings as the loaders take them."""
        from persona.loaders import InputLimits

        return InputLimits(
            max_file_bytes=int(self.max_file_mb * 1024 * 1024),
            max_line_chars=self.max_line_chars,
            passage_chars=self.passage_chars,
            include=tuple(self.include),
            exclude=tuple(self.exclude),
        )


class Settings(BaseSettings):
    """The core settings. Plugin tables are kept as extra fields and validated by their plugins."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        extra="allow",
        validate_default=True,
    )

    provider: str = Field("ollama", description="provider plugin used by generate")
    model: str | None = Field(None, description="model name (None: the provider's default)")
    count: int = Field(3, ge=1, le=12, description="personas to generate")
    temperature: float | None = Field(None, ge=0, le=2, description="sampling temperature")
    seed: int | None = Field(None, description="sampling seed, for repeatable runs")
    output_root: Path = Field(Path("personas"), description="where new run folders are made")
    concurrency: int = Field(2, ge=1, le=16, description="requests run at once when data is split")
    answer_tokens: int = Field(4096, ge=256, description="tokens kept free for each answer")
    context_tokens: int | None = Field(
        None, ge=1024, description="context to assume when the provider does not report one"
    )
    save_thinking: bool = Field(False, description="save reasoning traces in the run folder")
    plugins: PluginsSettings = Field(default_factory=PluginsSettings)
    input: InputSettings = Field(default_factory=InputSettings)

    @model_validator(mode="after")
    def _plugin_sections_are_tables(self) -> Settings:
        for key, value in (self.model_extra or {}).items():
            if not isinstance(value, dict):
                raise ValueError(f"unknown setting '{key}'")
        return self

    def plugin_section(self, name: str) -> dict[str, Any]:
        """The settings table of plugin ``name`` (empty when the user set nothing)."""
        return dict((self.model_extra or {}).get(name, {}))


@dataclass
class LoadedSettings:
    settings: Settings
    file: Path | None
    origins: dict[str, str] = field(default_factory=dict)

    def origin(self, key: str) -> str:
        return self.origins.get(key, "default")


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
) -> LoadedSettings:
    """Build the effective settings. ``overrides`` are command-line values (``None`` = not given)."""
    environ = dict(os.environ if environ is None else environ)
    path = find_config_file(environ)
    layers: list[tuple[str, dict[str, Any]]] = []
    if path is not None:
        layers.append((str(path), read_toml(path)))
    layers.append(("environment", _environment(environ)))
    flags = {key: value for key, value in (overrides or {}).items() if value is not None}
    layers.append(("command line", flags))

    merged: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for source, data in layers:
        _merge(merged, data, origins, source)
    try:
        settings = Settings.model_validate(merged)
    except ValidationError as exc:
        raise SettingsError(_explain(exc, origins, environ)) from None
    return LoadedSettings(settings=settings, file=path, origins=origins)


class _EnvSource(EnvSettingsSource):
    """pydantic-settings' environment source, reading a given mapping instead of ``os.environ``."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        self._environ = environ
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return parse_env_vars(self._environ, False, False, None)


def _environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """``PERSONA_*`` variables: core fields through pydantic-settings, plugin tables by name."""
    data = dict(_EnvSource(Settings, environ)())
    core = set(Settings.model_fields)
    for key, value in environ.items():
        if not key.upper().startswith(ENV_PREFIX) or "__" not in key:
            continue
        section, *path = key[len(ENV_PREFIX) :].lower().split("__")
        if section in core or not path:
            continue
        target = data.setdefault(section, {})
        for part in path[:-1]:
            target = target.setdefault(part, {})
        target[path[-1]] = value
    return data


def _merge(
    into: dict[str, Any], data: Mapping[str, Any], origins: dict[str, str], source: str, prefix: str = ""
) -> None:
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping) and isinstance(into.get(key, {}), dict):
            _merge(into.setdefault(key, {}), value, origins, source, f"{dotted}.")
        else:
            into[key] = value
            origins[dotted] = source


def _explain(exc: ValidationError, origins: Mapping[str, str], environ: Mapping[str, str]) -> str:
    error = exc.errors()[0]
    location = ".".join(str(part) for part in error["loc"])
    message = error["msg"]
    if error["type"] == "extra_forbidden" or message.startswith("Value error, unknown setting"):
        key = location or message.split("'")[1]
        return f"unknown setting '{key}' (in {origins.get(key, 'settings')})"
    source = origins.get(location, "settings")
    given = error.get("input")
    shown = f" = {given!r}" if not isinstance(given, dict) else ""
    extra = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"invalid setting '{location}'{shown} (from {source}): {message}{extra}"


def validate_section(model: type[Section], section: Mapping[str, Any], name: str) -> Section:
    """Validate a plugin's settings table with its pydantic model; errors name ``name.key``."""
    try:
        return model.model_validate(dict(section))
    except ValidationError as exc:
        error = exc.errors()[0]
        key = ".".join(str(part) for part in error["loc"])
        if error["type"] == "extra_forbidden":
            raise SettingsError(f"unknown setting '{name}.{key}'") from None
        message = error["msg"].removeprefix("Value error, ")
        raise SettingsError(f"invalid setting '{name}.{key}': {message}") from None
