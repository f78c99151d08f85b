from __future__ import annotations

import pytest
from persona import hookimpl
from persona.errors import ExitCode, MissingPluginError, PluginError, UsageError
from persona.plugins import PluginHost, PluginPolicy

from tests.conftest import entry_points_in


class ProviderPlugin:
    """A plugin object registering one provider, as a third-party plugin would."""

    def __init__(self, name: str = "demo") -> None:
        self.name = name

    @hookimpl
    def register_providers(self, register):
        register(self.name, lambda settings: settings, description="demo provider")


def test_builtins_register_through_the_hook(plugin_host):
    commands = plugin_host.registered("command")
    assert {"plugins", "config"} <= set(commands)
    assert commands["plugins"].plugin == "persona"
    assert plugin_host.hooks_of("persona") == ["register_checks", "register_commands", "register_engines"]


def test_in_process_plugin_registers_and_unregisters(plugin_host, register_plugin):
    register_plugin(ProviderPlugin(), "demo-plugin")
    registration = plugin_host.get("provider", "demo")
    assert registration.plugin == "demo-plugin"
    assert registration.description == "demo provider"
    plugin_host.unregister("demo-plugin")
    with pytest.raises(UsageError, match="unknown provider 'demo'"):
        plugin_host.get("provider", "demo")


def test_same_provider_name_from_two_plugins_names_both(plugin_host, register_plugin):
    register_plugin(ProviderPlugin("dup"), "first")
    register_plugin(ProviderPlugin("dup"), "second")
    register_plugin(ProviderPlugin("other"), "third")
    with pytest.raises(PluginError, match="both plugin 'first' and plugin 'second'"):
        plugin_host.get("provider", "dup")
    # The conflict costs only the contested name.
    assert plugin_host.get("provider", "other").plugin == "third"


def test_a_hook_that_raises_costs_only_its_plugin(plugin_host, register_plugin):
    warnings: list[str] = []
    plugin_host._warn = warnings.append

    class Broken:
        @hookimpl
        def register_providers(self, register):
            raise RuntimeError("boom")

    register_plugin(Broken(), "broken")
    register_plugin(ProviderPlugin("fine"), "fine-plugin")
    assert set(plugin_host.registered("provider")) == {"fine"}
    assert plugin_host.plugins["broken"].status == "failed"
    assert warnings == [
        "plugin 'broken' failed in register_providers: RuntimeError: boom "
        "(it is skipped; `persona plugins` lists plugin errors)"
    ]


def test_unknown_hook_name_is_refused(plugin_host):
    warnings: list[str] = []
    plugin_host._warn = warnings.append

    class Typo:
        @hookimpl
        def register_provider(self, register):  # missing "s"
            pass

    plugin_host.register(Typo(), "typo")
    assert plugin_host.plugins["typo"].status == "failed"
    assert "'register_provider', which is not a Persona hook" in warnings[0]
    assert plugin_host.pm.get_plugin("typo") is None


def test_strict_policy_turns_failures_into_errors(persona_home):
    host = PluginHost(PluginPolicy(strict=True))

    class Broken:
        @hookimpl
        def register_providers(self, register):
            raise RuntimeError("boom")

    host.register(Broken(), "broken")
    with pytest.raises(PluginError, match=r"failed in register_providers.*plugins.strict is on"):
        host.registered("provider")


def test_a_plugin_name_used_twice_is_an_error(plugin_host):
    plugin_host.register(ProviderPlugin(), "twice")
    with pytest.raises(PluginError, match="two plugins are named 'twice'"):
        plugin_host.register(ProviderPlugin(), "twice")


def test_missing_first_party_plugin_gives_the_install_command(plugin_host):
    with pytest.raises(MissingPluginError) as raised:
        plugin_host.get("provider", "ollama")
    assert raised.value.install == "pip install 'persona[ollama]'"
    with pytest.raises(MissingPluginError, match=r"persona\[privacy\]"):
        plugin_host.get("preprocessor", "anonymise")


def test_broken_entry_point_is_isolated(make_dist, monkeypatch, persona_home):
    site = make_dist("persona-broken", "persona_broken", "import not_a_module_anywhere\n")
    make_dist(
        "persona-good",
        "persona_good",
        """
        from persona import hookimpl

        @hookimpl
        def register_providers(register):
            register("good", lambda settings: None)
        """,
    )
    monkeypatch.syspath_prepend(str(site))
    warnings: list[str] = []
    host = PluginHost(warn=warnings.append)
    host.load_entry_points(entry_points_in(site))
    assert host.plugins["persona-broken"].status == "failed"
    assert host.plugins["persona-broken"].distribution == "persona-broken"
    assert warnings == [
        "plugin 'persona-broken' (persona-broken 0.1) failed to load: ModuleNotFoundError: "
        "No module named 'not_a_module_anywhere' (it is skipped; `persona plugins` lists "
        "plugin errors)"
    ]
    assert set(host.registered("provider")) == {"good"}


def test_block_and_allow_lists(make_dist, monkeypatch, persona_home):
    source = "from persona import hookimpl\n"
    site = make_dist("persona-a", "persona_a", source)
    make_dist("persona-b", "persona_b", source)
    make_dist("persona-c", "persona_c", source)
    monkeypatch.syspath_prepend(str(site))
    host = PluginHost(
        PluginPolicy(allow=frozenset({"persona-a", "persona-b"}), block=frozenset({"persona-b"}))
    )
    host.load_entry_points(entry_points_in(site))
    status = {name: info.status for name, info in host.plugins.items()}
    assert status == {"persona-a": "loaded", "persona-b": "blocked", "persona-c": "not allowed"}


def test_blocked_first_party_plugin_says_why(persona_home):
    import importlib.metadata

    host = PluginHost(PluginPolicy(block=frozenset({"ollama"})))
    host.load_entry_points(importlib.metadata.entry_points(group="persona"))
    with pytest.raises(PluginError, match=r"persona-ollama 1\.3\.0\), which is blocked"):
        host.get("provider", "ollama")


@pytest.mark.parametrize("name", ["ollama", "privacy"])
def test_first_party_entry_points_load(name, persona_home):
    import importlib.metadata

    host = PluginHost()
    host.load_entry_points(importlib.metadata.entry_points(group="persona"))
    info = host.plugins[name]
    assert info.status == "loaded", info.errors
    assert info.distribution == f"persona-{name}"


def test_preprocessor_factory_gets_its_settings_and_options(plugin_host, register_plugin, persona_home):
    from persona.runtime import Runtime

    class Upper:
        name = "upper"
        hides_paths = False

        def set_progress(self, callback):
            self.progress = callback

        def __init__(self, options):
            self.options = dict(options)

        def process(self, records):
            for record in records:
                yield record.replace(text=record.text.upper())

        def summary(self):
            return {"records": 1}

    class PreprocessorPlugin:
        @hookimpl
        def register_preprocessors(self, register):
            register("upper", Upper, description="upper-cases text")

    register_plugin(PreprocessorPlugin(), "upper-plugin")
    (persona_home / "persona.toml").write_text("[upper-plugin]\nlevel = 1\n")
    runtime = Runtime(host=plugin_host, environ={})
    preprocessor = runtime.preprocessor("upper", {"strategy": "x"})
    assert preprocessor.options == {"level": 1, "strategy": "x"}


def test_a_preprocessor_or_engine_without_every_member_is_a_plugin_error(run_persona, register_plugin):
    class Partial:
        name = "partial"

        def process(self, records):
            yield from records

        def summary(self):
            return {}

    class Half:
        name = "half"

        def __init__(self, context):
            pass

        def run(self, records):
            raise AssertionError("never run")

    class Plugin:
        @hookimpl
        def register_preprocessors(self, register):
            register("partial", lambda options: Partial())

        @hookimpl
        def register_engines(self, register):
            register("half", Half)

    register_plugin(Plugin(), "partial-plugin")
    result = run_persona("generate", "-i", "notes.csv", "--preprocess", "partial", "-e", "extractive")
    assert result.exit_code == ExitCode.PLUGIN
    assert result.stderr.strip() == (
        "persona: error: preprocessor 'partial' of plugin 'partial-plugin' lacks hides_paths, set_progress: "
        "see the preprocessor interface in docs/plugins.md"
    )
    engine = run_persona("generate", "-i", "notes.csv", "-e", "half")
    assert engine.exit_code == ExitCode.PLUGIN
    assert "engine 'half' of plugin 'partial-plugin' lacks plan, start" in engine.stderr
