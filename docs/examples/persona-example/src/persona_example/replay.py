"""A provider that answers every request with the next recorded answer from a folder.

Useful to re-run a pipeline offline against answers saved from an earlier run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from persona import (
    ChatRequest,
    ChatResponse,
    ModelInfo,
    ModelNotFoundError,
    Progress,
    ProgressCallback,
    ProviderError,
    SettingsError,
)


class ReplayProvider:
    name = "replay"
    max_concurrency: int | None = 1  # answers are replayed in order

    def __init__(self, folder: Path, context_length: int = 32_768) -> None:
        self.folder = folder
        self.context_length = context_length
        self._answers: list[Path] | None = None

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> ReplayProvider:
        """The factory Persona calls with the ``[example]`` settings table."""
        if "answers" not in settings:
            raise SettingsError("the replay provider needs example.answers: a folder of answers")
        return cls(Path(settings["answers"]), int(settings.get("context_length", 32_768)))

    def list_models(self) -> Sequence[ModelInfo]:
        return [ModelInfo(name="replay", context_length=self.context_length)]

    def model_info(self, model: str | None) -> ModelInfo:
        if model not in (None, "replay"):
            raise ModelNotFoundError(f"model '{model}' not found: the replay provider has 'replay'")
        return self.list_models()[0]

    def chat(self, request: ChatRequest, *, progress: ProgressCallback | None = None) -> ChatResponse:
        if self._answers is None:
            self._answers = sorted(self.folder.glob("*.json"))
        if not self._answers:
            raise ProviderError(f"no recorded answers left in {self.folder}")
        text = self._answers.pop(0).read_text(encoding="utf-8")
        if progress is not None:
            progress(Progress(phase="answer", output_tokens=len(text) // 4))
        return ChatResponse(text=text, stop_reason="complete", output_tokens=len(text) // 4)
