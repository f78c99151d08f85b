"""The core's own commands, registered through the same hook as any plugin's."""

from __future__ import annotations

from typing import TYPE_CHECKING

from persona import hookimpl
from persona.hookspecs import RegisterCheck, RegisterCommand, RegisterEngine

if TYPE_CHECKING:
    from persona.engines import Engine, EngineContext


@hookimpl
def register_commands(register: RegisterCommand) -> None:
    from persona.commands import config, doctor, generate, plugins, report

    register("generate", generate.generate_command, help="Generate personas from research data.")
    register("report", report.report_command, help="Rebuild report.html from a run folder.")
    register("plugins", plugins.plugins_command, help="List installed plugins and what they add.")
    register("config", config.app, help="Show the effective settings.")
    register("doctor", doctor.doctor_command, help="Check that everything Persona needs is ready.")


@hookimpl
def register_checks(register: RegisterCheck) -> None:
    from persona.commands import doctor

    register("core", doctor.core_checks, description="Python, Persona, plugins, settings, output folder")


@hookimpl
def register_engines(register: RegisterEngine) -> None:
    from persona.llm.options import LlmOptions

    def llm(context: EngineContext) -> Engine:
        from persona.llm.engine import LlmEngine

        return LlmEngine(context)

    def extractive(context: EngineContext) -> Engine:
        from persona.extractive.engine import ExtractiveEngine

        return ExtractiveEngine(context)

    register(
        "llm",
        llm,
        description="personas written by a local model through a provider (--provider)",
        options=LlmOptions,
    )
    register("extractive", extractive, description="personas built from the data's own sentences, no model")
