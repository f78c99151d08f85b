"""The core's own commands, registered through the same hook as any plugin's."""

from __future__ import annotations

from persona import hookimpl
from persona.hookspecs import RegisterCommand


@hookimpl
def register_commands(register: RegisterCommand) -> None:
    from persona.commands import config, generate, plugins

    register("generate", generate.generate_command, help="Generate personas from research data.")
    register("plugins", plugins.plugins_command, help="List installed plugins and what they add.")
    register("config", config.app, help="Show the effective settings.")
