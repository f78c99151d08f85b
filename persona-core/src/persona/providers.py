"""The provider interface: what a model backend (a plugin) must offer the generation pipeline.

A provider plugin registers a factory under a name (see ``hookspecs.register_providers``). The
factory receives the plugin's settings section and returns an object with the three methods of
``Provider``. Requests and answers are plain frozen dataclasses, so a provider needs nothing from
Persona beyond this module and ``persona.errors``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

Role = Literal["system", "user", "assistant"]
StopReason = Literal["complete", "length"]
Phase = Literal["loading", "prompt", "thinking", "answer"]


@dataclass(frozen=True, slots=True)
class Message:
    role: Role
    content: str


@dataclass(frozen=True, slots=True)
class GenerationOptions:
    """Sampling options. ``None`` means the provider's own default."""

    temperature: float | None = None
    seed: int | None = None
    max_output_tokens: int | None = None
    reasoning: bool | None = None  #: ask a reasoning model to think (True) or not (False, None)


@dataclass(frozen=True, slots=True)
class ChatRequest:
    """One request to a model.

    ``schema`` is the JSON schema the answer must follow, when the caller wants JSON.
    ``prompt_tokens`` is the caller's conservative estimate of the prompt's size in tokens; a provider
    uses it to size the context window and to notice a prompt the server shortened.
    """

    model: str
    messages: tuple[Message, ...]
    schema: Mapping[str, Any] | None = None
    options: GenerationOptions = field(default_factory=GenerationOptions)
    prompt_tokens: int | None = None


@dataclass(frozen=True, slots=True)
class ChatResponse:
    """One answer. ``stop_reason`` is ``"length"`` when the output-length limit cut the answer.

    ``timings`` holds durations in seconds under the keys ``total``, ``load``, ``prompt`` and
    ``generation`` (whichever the provider knows). ``thinking`` is a reasoning trace kept apart from
    the answer, for models that produce one.
    """

    text: str
    stop_reason: StopReason = "complete"
    prompt_tokens: int | None = None
    output_tokens: int | None = None
    timings: Mapping[str, float] = field(default_factory=dict)
    thinking: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """A model the provider can run. ``context_length`` is the usable context in tokens, if known.
    ``warnings`` are things the user should hear before a run starts (the model will not fit in
    memory, say); Persona prints them."""

    name: str
    context_length: int | None = None
    capabilities: tuple[str, ...] = ()
    size_bytes: int | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Progress:
    """A progress report while a request runs; providers send as many as they like, or none."""

    phase: Phase
    output_tokens: int = 0
    tokens_per_second: float | None = None


ProgressCallback = Callable[[Progress], None]


@runtime_checkable
class Provider(Protocol):
    """A model backend. Raise ``persona.errors.ProviderError`` (or a subclass) for every failure.

    ``max_concurrency`` caps the requests Persona sends at once (``None``: no cap of the provider's)."""

    name: str

    @property
    def max_concurrency(self) -> int | None:
        """Requests Persona may send at once (``None``: no limit of the provider's); a plain
        attribute does."""
        ...

    def list_models(self) -> Sequence[ModelInfo]:
        """The models that can be used now."""
        ...

    def model_info(self, model: str | None) -> ModelInfo:
        """Describe ``model``, or choose the default model when ``model`` is ``None``.

        Raise ``ModelNotFoundError`` when the model is not available.
        """
        ...

    def chat(self, request: ChatRequest, *, progress: ProgressCallback | None = None) -> ChatResponse:
        """Run one request to completion, calling ``progress`` as the answer comes in."""
        ...


ProviderFactory = Callable[[Mapping[str, Any]], Provider]
