"""Persona: turn qualitative research data into validated user personas with a local model.

The public API for plugin authors is importable from here: ``hookimpl``, the provider and
preprocessor interfaces, records, and the error types. Everything but ``hookimpl`` and
``__version__`` is imported on first use, so ``import persona`` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

__version__ = "1.3.0"

hookimpl = pluggy.HookimplMarker("persona")
"""Marks a function in a plugin module as the implementation of a Persona hook."""

_PUBLIC = {
    "ChatRequest": "persona.providers",
    "ChatResponse": "persona.providers",
    "GenerationOptions": "persona.providers",
    "Message": "persona.providers",
    "ModelInfo": "persona.providers",
    "Progress": "persona.providers",
    "Provider": "persona.providers",
    "Preprocessor": "persona.preprocessors",
    "Record": "persona.records",
    "Provenance": "persona.records",
    "current_runtime": "persona.runtime",
}

if TYPE_CHECKING:
    from persona.preprocessors import Preprocessor
    from persona.providers import (
        ChatRequest,
        ChatResponse,
        GenerationOptions,
        Message,
        ModelInfo,
        Progress,
        Provider,
    )
    from persona.records import Provenance, Record
    from persona.runtime import current as current_runtime


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        import importlib

        module = importlib.import_module(_PUBLIC[name])
        value = getattr(module, "current" if name == "current_runtime" else name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'persona' has no attribute {name!r}")


__all__ = [
    "ChatRequest",
    "ChatResponse",
    "GenerationOptions",
    "Message",
    "ModelInfo",
    "Preprocessor",
    "Progress",
    "Provenance",
    "Provider",
    "Record",
    "__version__",
    "current_runtime",
    "hookimpl",
]
