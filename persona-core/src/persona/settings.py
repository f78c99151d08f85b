"""Persona's settings: defaults < settings file < ``PERSONA_*`` environment < command-line flags.

One pydantic-settings model holds the core settings. Each plugin owns a table of its own, named after
the plugin (``[ollama]``, ``[privacy]``; ``PERSONA_OLLAMA__HOST`` in the environment), which the
plugin validates itself. Every effective value remembers where it came from, for
``persona config show``.
"""

from __future__ import annotations

import codecs
import contextlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import UnionType
from typing import Any, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from persona.codec import InputLimits
from persona.engines import GenerateConfig
from persona.errors import PersonaError, SettingsError, UsageError
from persona.executors import ExecutorSettings
from persona.sources import ENV_PREFIX, as_flag, as_list, layers, merge, nearest

Section = TypeVar("Section", bound=BaseModel)


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PluginsSettings(_Section):
    allow: list[str] | None = Field(None, description="load only these plugins (None: all)")
    block: list[str] = Field(default_factory=list, description="never load these plugins")
    strict: bool = Field(False, description="a plugin that fails to load is an error")


_CONFIG = GenerateConfig()  # the generate defaults: written once, in persona.engines
_LIMITS = InputLimits()  # the codec's defaults: the one place they are written
_MB = 1024 * 1024


class InputSettings(_Section):
    include: list[str] = Field(
        default_factory=lambda: list(_LIMITS.include), description="file-name globs taken from input folders"
    )
    exclude: list[str] = Field(
        default_factory=lambda: list(_LIMITS.exclude),
        description="file- or folder-name globs skipped in input folders",
    )
    max_file_mb: float = Field(
        _LIMITS.max_file_bytes / _MB,
        gt=0,
        description="larger JSON and YAML files are refused (the formats read whole)",
    )
    max_line_chars: int = Field(_LIMITS.max_line_chars, gt=0, description="longer lines are refused")
    passage_chars: int = Field(
        _LIMITS.passage_chars, ge=200, description="long documents split near this size"
    )
    encoding: str | None = Field(
        _LIMITS.encoding, description="the encoding of every input file, when detection cannot tell"
    )
    strict_rows: bool = Field(
        _LIMITS.strict_rows, description="a table row with more fields than its header fails the file"
    )

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                codecs.lookup(value)
            except LookupError:
                raise ValueError(f"unknown encoding '{value}' (for example utf-8, cp1252, latin-1)") from None
        return value

    def limits(self) -> InputLimits:
        """These settings as the codec takes them."""
        return InputLimits(
            max_file_bytes=int(self.max_file_mb * _MB),
            max_line_chars=self.max_line_chars,
            passage_chars=self.passage_chars,
            include=tuple(self.include),
            exclude=tuple(self.exclude),
            encoding=self.encoding,
            strict_rows=self.strict_rows,
        )


class Settings(BaseSettings):
    """The core settings. Plugin tables are kept as extra fields and validated by their plugins.

    Built only by ``load_settings`` from ``persona.sources``' layers, never from the process
    environment directly, so there is one parser of the file and of ``PERSONA_*``.
    """

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        extra="allow",
        validate_default=True,
    )

    provider: str = Field("ollama", description="provider plugin of the engines that use a model")
    engine: str = Field("auto", description="auto, or an engine's name (persona plugins lists them)")
    auto_engines: list[str] = Field(
        default_factory=lambda: ["llm", "extractive"],
        description="what engine = auto tries, in order: the first that can start is used",
    )
    model: str | None = Field(_CONFIG.model, description="model name (None: the provider's default)")
    count: int = Field(_CONFIG.count, ge=1, le=12, description="personas to generate")
    temperature: float | None = Field(_CONFIG.temperature, ge=0, le=2, description="sampling temperature")
    seed: int | None = Field(_CONFIG.seed, description="sampling seed, for repeatable runs")
    output_root: Path = Field(Path("personas"), description="where new run folders are made")
    preprocessors: list[str] = Field(
        default_factory=list, description="preprocessors run on every generate, in order"
    )
    save_thinking: bool = Field(_CONFIG.save_thinking, description="save reasoning traces in the run folder")
    plugins: PluginsSettings = Field(default_factory=PluginsSettings)
    input: InputSettings = Field(default_factory=InputSettings)
    executor: ExecutorSettings = Field(
        default_factory=ExecutorSettings, description="where per-partition work runs (local or dask)"
    )
    engines: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="each engine's options table, validated by the engine's model"
    )

    @classmethod
    def settings_customise_sources(
        cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource, *_: Any, **__: Any
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Only what ``load_settings`` passes in: ``persona.sources`` is the one reader of the
        settings file and of ``PERSONA_*`` (pydantic-settings would read the environment again)."""
        return (init_settings,)

    def generate_config(self) -> GenerateConfig:
        """The generate options every engine gets, from these settings."""
        return GenerateConfig(
            count=self.count,
            seed=self.seed,
            model=self.model,
            temperature=self.temperature,
            save_thinking=self.save_thinking,
        )

    @model_validator(mode="after")
    def _plugin_sections_are_tables(self) -> Settings:
        for key, value in (self.model_extra or {}).items():
            if not isinstance(value, dict):
                hint = nearest(key, type(self).model_fields)
                raise ValueError(f"unknown setting '{key}'" + (f" (did you mean '{hint}'?)" if hint else ""))
        return self

    def plugin_section(self, name: str) -> dict[str, Any]:
        """The settings table of plugin ``name`` (empty when the user set nothing)."""
        return dict((self.model_extra or {}).get(name, {}))

    def sections(self) -> list[str]:
        """The names of the tables that belong to no core setting: plugin tables, or typos."""
        return sorted(self.model_extra or {})


CORE_SECTIONS = tuple(name for name, info in Settings.model_fields.items())


@dataclass
class LoadedSettings:
    settings: Settings
    file: Path | None
    origins: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def origin(self, key: str) -> str:
        return self.origins.get(key, "default")

    def unknown_sections(self, plugins: Iterable[str]) -> list[str]:
        """Warnings for tables no plugin claims, naming the nearest valid key."""
        known = set(plugins)
        warnings = []
        for name in self.settings.sections():
            if name in known:
                continue
            where = self.origins_of(name)
            hint = nearest(name, [*known, *CORE_SECTIONS])
            did = f"; did you mean '{hint}'?" if hint else ""
            warnings.append(f"settings section '{name}' (from {where}) belongs to no installed plugin{did}")
        return warnings

    def unknown_engines(self, engines: Iterable[str]) -> list[str]:
        """Warnings for ``[engines.NAME]`` tables of engines that are not installed."""
        known = sorted(engines)
        warnings = []
        for name in sorted(self.settings.engines):
            if name not in known:
                hint = nearest(name, known)
                did = f"; did you mean 'engines.{hint}'?" if hint else ""
                where = self.origins_of(f"engines.{name}")
                warnings.append(
                    f"settings table 'engines.{name}' (from {where}) belongs to no installed engine{did}"
                )
        return warnings

    def origins_of(self, section: str) -> str:
        found = sorted(
            {o for key, o in self.origins.items() if key == section or key.startswith(f"{section}.")}
        )
        return ", ".join(found) or "settings"


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
) -> LoadedSettings:
    """Build the effective settings. ``overrides`` are command-line values (``None`` = not given)."""
    environ = dict(os.environ if environ is None else environ)
    path, stack = layers(environ, overrides)
    warnings = []
    for layer in stack:
        if layer.source != "environment":
            continue
        # An unknown PERSONA_* variable may belong to something else: a warning, not an error.
        for key in [
            k for k, v in layer.values.items() if k not in Settings.model_fields and not isinstance(v, dict)
        ]:
            del layer.values[key]
            hint = nearest(key, Settings.model_fields)
            did = f"; did you mean {env_name(hint)}?" if hint else ""
            warnings.append(f"{env_name(key)} is not a Persona setting and is ignored{did}")
    merged, origins = merge(stack)
    try:
        settings = Settings.model_validate(coerce(Settings, merged))
    except ValidationError as exc:
        raise _explain(exc, origins) from None
    return LoadedSettings(settings=settings, file=path, origins=origins, warnings=warnings)


def env_name(dotted: str) -> str:
    """The ``PERSONA_*`` variable that sets a dotted key: ``input.exclude`` -> ``PERSONA_INPUT__EXCLUDE``."""
    return ENV_PREFIX + dotted.upper().replace(".", "__")


def coerce(model: type[BaseModel], data: Mapping[str, Any]) -> dict[str, Any]:
    """Text values (from the environment) of list, dict and bool fields, turned into those types.

    ``PERSONA_PLUGINS__BLOCK=a,b`` and ``PERSONA_INPUT__EXCLUDE=["x"]`` both become lists here, for
    the core and for every plugin table alike.
    """
    out = dict(data)
    for name, info in model.model_fields.items():
        if name not in out:
            continue
        value = out[name]
        annotation = info.annotation
        kinds = _kinds(annotation)
        if isinstance(value, str):
            if list in kinds:
                out[name] = as_list(value)
            elif dict in kinds:
                with contextlib.suppress(ValueError):
                    out[name] = json.loads(value)
            elif bool in kinds:
                out[name] = as_flag(value)
        elif isinstance(value, Mapping):
            nested = [k for k in kinds if isinstance(k, type) and issubclass(k, BaseModel)]
            if nested:
                out[name] = coerce(nested[0], value)
    return out


def _kinds(annotation: Any) -> set[Any]:
    origin = get_origin(annotation)
    if origin in (Union, UnionType):
        return {kind for arg in get_args(annotation) for kind in _kinds(arg)}
    return {origin or annotation}


def _explain(exc: ValidationError, origins: Mapping[str, str]) -> PersonaError:
    error = exc.errors()[0]
    location = ".".join(str(part) for part in error["loc"])
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden" or message.startswith("unknown setting"):
        key = location or message.split("'")[1]
        section, _, inner = key.rpartition(".")
        hint = ""
        if section:
            fields = _section_fields(section)
            guess = nearest(inner, fields) if fields else None
            hint = f" (did you mean '{section}.{guess}'?)" if guess else ""
        elif "did you mean" in message:
            hint = " (" + message.split("(", 1)[1]
        return SettingsError(f"unknown setting '{key}' (in {_where(key, origins)}){hint}")
    source = _where(location, origins)
    given = error.get("input")
    extra = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    if origins.get(location) == "command line":
        return UsageError(f"--{location.replace('_', '-')} {given!r}: {message}{extra}")
    shown = f" = {given!r}" if not isinstance(given, dict) else ""
    return SettingsError(f"invalid setting '{location}'{shown} (from {source}): {message}{extra}")


def _where(key: str, origins: Mapping[str, str]) -> str:
    source = origins.get(key, "settings")
    return env_name(key) if source == "environment" else source


def _section_fields(section: str) -> list[str]:
    model: Any = Settings
    for part in section.split("."):
        info = getattr(model, "model_fields", {}).get(part)
        if info is None:
            return []
        model = info.annotation
    return list(getattr(model, "model_fields", {}))


def validate_section(
    model: type[Section],
    section: Mapping[str, Any],
    name: str,
    origins: Mapping[str, str] | None = None,
) -> Section:
    """Validate a plugin's settings table with its pydantic model; errors name ``name.key``.

    Text values from the environment are coerced as the core's are (``a,b`` lists, JSON tables).
    """
    try:
        return model.model_validate(coerce(model, section))
    except ValidationError as exc:
        error = exc.errors()[0]
        key = ".".join(str(part) for part in error["loc"])
        if error["type"] == "extra_forbidden":
            guess = nearest(key, model.model_fields)
            hint = f" (did you mean '{name}.{guess}'?)" if guess else ""
            raise SettingsError(f"unknown setting '{name}.{key}'{hint}") from None
        message = error["msg"].removeprefix("Value error, ")
        raise SettingsError(f"invalid setting '{name}.{key}': {message}") from None
