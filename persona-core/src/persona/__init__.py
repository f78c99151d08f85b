"""Persona: turn qualitative research data into validated user personas with a local model.

This namespace is the whole public API for plugin authors: every name a plugin may use is importable
from here (``from persona import hookimpl, Record, InputError``), documented in docs/plugins.md, and
checked by name by the test-suite. Every other module and name is private and may change. Everything
but ``hookimpl`` and ``__version__`` is imported on first use, so ``import persona`` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

__version__ = "1.3.0"

hookimpl = pluggy.HookimplMarker("persona")
"""Marks a function in a plugin module as the implementation of a Persona hook."""

#: each public name, and the module it lives in
_PUBLIC = {
    "ExitCode": "persona.errors",
    "PersonaError": "persona.errors",
    "UsageError": "persona.errors",
    "SettingsError": "persona.errors",
    "PluginError": "persona.errors",
    "MissingPluginError": "persona.errors",
    "InputError": "persona.errors",
    "ExecutorError": "persona.errors",
    "Executor": "persona.executors",
    "is_local_address": "persona.executors",
    "executor_option": "persona.flags",
    "workers_option": "persona.flags",
    "scheduler_option": "persona.flags",
    "executor_overrides": "persona.flags",
    "OutputError": "persona.errors",
    "ProviderError": "persona.errors",
    "ProviderUnavailableError": "persona.errors",
    "ModelNotFoundError": "persona.errors",
    "AnswerError": "persona.errors",
    "AnswerTruncatedError": "persona.errors",
    "PIIFoundError": "persona.errors",
    "CheckFailedError": "persona.errors",
    "Kept": "persona.errors",
    "Provider": "persona.providers",
    "ProviderFactory": "persona.providers",
    "ChatRequest": "persona.providers",
    "ChatResponse": "persona.providers",
    "GenerationOptions": "persona.providers",
    "Message": "persona.providers",
    "ModelInfo": "persona.providers",
    "Progress": "persona.providers",
    "ProgressCallback": "persona.providers",
    "Phase": "persona.providers",
    "Preprocessor": "persona.preprocessors",
    "PreprocessorFactory": "persona.preprocessors",
    "StepCallback": "persona.preprocessors",
    "Record": "persona.records",
    "Provenance": "persona.records",
    "read": "persona.codec",
    "read_all": "persona.codec",
    "decode": "persona.codec",
    "display_name": "persona.codec",
    "Document": "persona.codec",
    "Stream": "persona.codec",
    "stream": "persona.codec",
    "stream_all": "persona.codec",
    "STREAMED": "persona.codec",
    "InputLimits": "persona.codec",
    "FORMATS": "persona.codec",
    "KEY": "persona.codec",
    "discover": "persona.discovery",
    "input_paths": "persona.discovery",
    "Engine": "persona.engines",
    "EngineFactory": "persona.engines",
    "EngineContext": "persona.engines",
    "EnginePlan": "persona.engines",
    "EngineResult": "persona.engines",
    "GenerateConfig": "persona.engines",
    "Persona": "persona.schema",
    "PersonaSet": "persona.schema",
    "Quote": "persona.schema",
    "Demographics": "persona.schema",
    "answer_schema": "persona.schema",
    "RunWriter": "persona.output",
    "check_target": "persona.output",
    "artefact_json": "persona.output",
    "estimate_tokens": "persona.tokens",
    "estimate_messages": "persona.tokens",
    "RegisterProvider": "persona.hookspecs",
    "RegisterPreprocessor": "persona.hookspecs",
    "RegisterEngine": "persona.hookspecs",
    "RegisterCommand": "persona.hookspecs",
    "RegisterCheck": "persona.hookspecs",
    "CheckResult": "persona.checks",
    "Status": "persona.checks",
    "Runtime": "persona.runtime",
    "current_runtime": "persona.runtime",
    "speaker_turns": "persona.speakers",
    "SpeakerTurn": "persona.speakers",
    "is_structure_label": "persona.speakers",
    "normalise": "persona.text",
    "age_band": "persona.text",
    "user_config_dir": "persona.sources",
    "user_cache_dir": "persona.sources",
    "validate_section": "persona.settings",
}

if TYPE_CHECKING:
    from persona.checks import CheckResult, Status
    from persona.codec import (
        FORMATS,
        KEY,
        STREAMED,
        Document,
        InputLimits,
        Stream,
        decode,
        display_name,
        read,
        read_all,
        stream,
        stream_all,
    )
    from persona.discovery import discover, input_paths
    from persona.engines import Engine, EngineContext, EngineFactory, EnginePlan, EngineResult, GenerateConfig
    from persona.errors import (
        AnswerError,
        AnswerTruncatedError,
        CheckFailedError,
        ExecutorError,
        ExitCode,
        InputError,
        Kept,
        MissingPluginError,
        ModelNotFoundError,
        OutputError,
        PersonaError,
        PIIFoundError,
        PluginError,
        ProviderError,
        ProviderUnavailableError,
        SettingsError,
        UsageError,
    )
    from persona.executors import Executor, is_local_address
    from persona.flags import executor_option, executor_overrides, scheduler_option, workers_option
    from persona.hookspecs import (
        RegisterCheck,
        RegisterCommand,
        RegisterEngine,
        RegisterPreprocessor,
        RegisterProvider,
    )
    from persona.output import RunWriter, artefact_json, check_target
    from persona.preprocessors import Preprocessor, PreprocessorFactory, StepCallback
    from persona.providers import (
        ChatRequest,
        ChatResponse,
        GenerationOptions,
        Message,
        ModelInfo,
        Phase,
        Progress,
        ProgressCallback,
        Provider,
        ProviderFactory,
    )
    from persona.records import Provenance, Record
    from persona.runtime import Runtime
    from persona.runtime import current as current_runtime
    from persona.schema import Demographics, Persona, PersonaSet, Quote, answer_schema
    from persona.settings import validate_section
    from persona.sources import user_cache_dir, user_config_dir
    from persona.speakers import SpeakerTurn, is_structure_label, speaker_turns
    from persona.text import age_band, normalise
    from persona.tokens import estimate_messages, estimate_tokens


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        import importlib

        module = importlib.import_module(_PUBLIC[name])
        value = getattr(module, "current" if name == "current_runtime" else name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'persona' has no attribute {name!r}")


__all__ = [
    "FORMATS",
    "KEY",
    "STREAMED",
    "AnswerError",
    "AnswerTruncatedError",
    "ChatRequest",
    "ChatResponse",
    "CheckFailedError",
    "CheckResult",
    "Demographics",
    "Document",
    "Engine",
    "EngineContext",
    "EngineFactory",
    "EnginePlan",
    "EngineResult",
    "Executor",
    "ExecutorError",
    "ExitCode",
    "GenerateConfig",
    "GenerationOptions",
    "InputError",
    "InputLimits",
    "Kept",
    "Message",
    "MissingPluginError",
    "ModelInfo",
    "ModelNotFoundError",
    "OutputError",
    "PIIFoundError",
    "Persona",
    "PersonaError",
    "PersonaSet",
    "Phase",
    "PluginError",
    "Preprocessor",
    "PreprocessorFactory",
    "Progress",
    "ProgressCallback",
    "Provenance",
    "Provider",
    "ProviderError",
    "ProviderFactory",
    "ProviderUnavailableError",
    "Quote",
    "Record",
    "RegisterCheck",
    "RegisterCommand",
    "RegisterEngine",
    "RegisterPreprocessor",
    "RegisterProvider",
    "RunWriter",
    "Runtime",
    "SettingsError",
    "SpeakerTurn",
    "Status",
    "StepCallback",
    "Stream",
    "UsageError",
    "__version__",
    "age_band",
    "answer_schema",
    "artefact_json",
    "check_target",
    "current_runtime",
    "decode",
    "discover",
    "display_name",
    "estimate_messages",
    "estimate_tokens",
    "executor_option",
    "executor_overrides",
    "hookimpl",
    "input_paths",
    "is_local_address",
    "is_structure_label",
    "normalise",
    "read",
    "read_all",
    "scheduler_option",
    "speaker_turns",
    "stream",
    "stream_all",
    "user_cache_dir",
    "user_config_dir",
    "validate_section",
    "workers_option",
]
