"""The plugin host a run uses: the built-ins, then every allowed installed plugin.

The one module that wires the core's own plugin (``persona.builtins``) to the host; it sits above
everything the built-ins import, so no import circle runs through it.
"""

from __future__ import annotations

from collections.abc import Mapping

from persona.plugins import PluginHost
from persona.sources import plugin_policy


def default_host(environ: Mapping[str, str] | None = None, *, debug: bool = False) -> PluginHost:
    """A plugin host with the built-ins and every allowed installed plugin."""
    from persona import __version__, builtins

    host = PluginHost(plugin_policy(environ), debug=debug)
    host.register(builtins, "persona", distribution="persona", version=__version__, builtin=True)
    host.load_entry_points()
    return host
