"""Entry point of the example plugin: registration only, nothing heavy imported here."""

from __future__ import annotations

from persona import hookimpl


@hookimpl
def register_providers(register):
    """Register the ``replay`` provider."""
    from persona_example.replay import ReplayProvider

    register("replay", ReplayProvider.from_settings, description="answers from recorded files")


@hookimpl
def register_preprocessors(register):
    """Register the ``drop-interviewer`` preprocessor."""
    from persona_example.interviewer import DropInterviewer

    register(
        "drop-interviewer",
        DropInterviewer.from_options,
        description="remove interviewer turns from transcripts",
    )
