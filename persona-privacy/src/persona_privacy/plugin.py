"""Entry point of the persona-privacy plugin. Registration only: presidio, spaCy and Faker are
imported by the preprocessor and the commands when they run, never here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from persona import hookimpl

if TYPE_CHECKING:
    from persona import CheckResult, Preprocessor, Runtime

from persona import RegisterCheck, RegisterCommand, RegisterPreprocessor


@hookimpl
def register_preprocessors(register: RegisterPreprocessor) -> None:
    """Register the ``anonymise`` preprocessor behind ``persona generate --anonymise``."""

    def factory(options: Mapping[str, Any]) -> Preprocessor:
        from persona_privacy.anonymiser import AnonymisePreprocessor

        return AnonymisePreprocessor(options)

    register("anonymise", factory, description="remove personal data (presidio + spaCy)")


@hookimpl
def register_commands(register: RegisterCommand) -> None:
    """Add ``persona privacy scan`` and ``persona privacy anonymise``."""
    from persona_privacy.commands import app

    register("privacy", app, help="Find and remove personal data in research files.")


@hookimpl
def register_checks(register: RegisterCheck) -> None:
    """Contribute checks to ``persona doctor``."""

    def check(runtime: Runtime) -> Iterable[CheckResult]:
        from persona_privacy.checks import privacy_checks

        return privacy_checks(runtime)

    register("privacy", check, description="spaCy pipeline, presidio offline, hash key")
