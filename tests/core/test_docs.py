"""Meta-tests: every hook is documented and tested, and the documented example is real."""

from __future__ import annotations

import inspect
import re

import pytest
from persona import hookspecs

from tests.conftest import REPO

DOCS = (REPO / "docs" / "plugins.md").read_text()
HOOKS = sorted(
    name for name, fn in inspect.getmembers(hookspecs, inspect.isfunction) if hasattr(fn, "persona_spec")
)


def test_hooks_are_found():
    assert HOOKS == [
        "register_checks",
        "register_commands",
        "register_engines",
        "register_preprocessors",
        "register_providers",
    ]


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_has_a_documentation_section(hook):
    assert f"\n## {hook}\n" in DOCS
    section = DOCS.split(f"\n## {hook}\n", 1)[1].split("\n## ", 1)[0]
    assert f"def {hook}(register: " in section


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_has_a_test(hook):
    tests = [p for p in (REPO / "tests").rglob("test_*.py") if p.name != "test_docs.py"]
    assert any(f"def {hook}(" in p.read_text() for p in tests)


def test_the_documented_plugin_test_is_the_example_test_file():
    example = (REPO / "docs/examples/persona-example/tests/test_example_plugin.py").read_text()
    snippet = DOCS.split("## Testing your plugin", 1)[1]
    code = re.search(r"```python\n(.*?)```", snippet, re.S).group(1)
    for block in code.strip().split("\n\n\n"):
        assert block.strip() in example
