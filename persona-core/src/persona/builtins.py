"""The core's own commands, registered through the same hook as any plugin's."""

from __future__ import annotations

from persona import hookimpl
from persona.hookspecs import RegisterCheck, RegisterCommand


@hookimpl
def register_commands(register: RegisterCommand) -> None:
    from persona.commands import config, doctor, generate, plugins

    register("generate", generate.generate_command, help="Generate personas from research data.")
    register("plugins", plugins.plugins_command, help="List installed plugins and what they add.")
    register("config", config.app, help="Show the effective settings.")
    register("doctor", doctor.doctor_command, help="Check that everything Persona needs is ready.")


@hookimpl
def register_checks(register: RegisterCheck) -> None:
    from persona.commands import doctor

    register("core", doctor.core_checks, description="Python, Persona, plugins, settings, output folder")
