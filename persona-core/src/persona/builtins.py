"""The core's own commands, registered through the same hook as any plugin's."""

from __future__ import annotations

from persona import hookimpl
from persona.hookspecs import RegisterCommand


@hookimpl
def register_commands(register: RegisterCommand) -> None:
    from persona.commands import config, plugins

    register("plugins", plugins.plugins_command, help="List installed plugins and what they add.")
    register("config", config.app, help="Show the effective settings.")
