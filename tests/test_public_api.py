"""Plugins use Persona's one public namespace, by name, as the docs list it, and never import each other."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import persona
import pytest

from tests.conftest import REPO

DOCS = (REPO / "docs" / "plugins.md").read_text()
TABLE = DOCS.split("## What a plugin may import", 1)[1].split("\n## ", 1)[0]
NAMES = re.findall(r"^\| [^|]+ \| ([^|]+) \| [^|]+ \|$", TABLE, re.M)[
    1:
]  # the names column, below its header
DOCUMENTED = {name for cell in NAMES for name in re.findall(r"`(\w+)`", cell)}
PLUGINS = {
    "persona_ollama": REPO / "persona-ollama" / "src" / "persona_ollama",
    "persona_privacy": REPO / "persona-privacy" / "src" / "persona_privacy",
    "persona_example": REPO / "docs" / "examples" / "persona-example" / "src" / "persona_example",
}


def imports(package: Path) -> list[tuple[Path, int, str, str | None]]:
    found = []
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                found.extend((path, node.lineno, node.module, alias.name) for alias in node.names)
            elif isinstance(node, ast.Import):
                found.extend((path, node.lineno, alias.name, None) for alias in node.names)
    return found


def wrong_imports(package: Path, plugin: str) -> list[str]:
    wrong = []
    for path, line, module, name in imports(package):
        where = f"{path.name}:{line}"
        top = module.split(".")[0]
        if top in PLUGINS and top != plugin:
            wrong.append(f"{where} imports another plugin, {module}")
        elif top == "persona" and module != "persona":
            wrong.append(f"{where} imports {module}{'.' + name if name else ''}: import it from persona")
        elif module == "persona" and name is not None and name not in persona.__all__:
            wrong.append(f"{where} imports persona.{name}, which is not public")
    return wrong


def test_every_public_name_is_documented_and_importable():
    assert set(persona.__all__) == DOCUMENTED | {"__version__"}, (
        "documented but not public:",
        sorted(DOCUMENTED - set(persona.__all__)),
        "public but not documented:",
        sorted(set(persona.__all__) - DOCUMENTED - {"__version__"}),
    )
    for name in persona.__all__:
        assert getattr(persona, name) is not None, name


@pytest.mark.parametrize("plugin", sorted(PLUGINS))
def test_plugins_import_only_public_names(plugin):
    assert wrong_imports(PLUGINS[plugin], plugin) == []


def test_the_meta_test_catches_a_private_import_and_a_private_name(tmp_path):
    (tmp_path / "bad.py").write_text(
        "from persona.llm.answers import parse_answer\n"
        "from persona import _PUBLIC, Record\n"
        "from persona.codec import read\n"
        "import persona_ollama.provider\n"
    )
    assert wrong_imports(tmp_path, "persona_example") == [
        "bad.py:1 imports persona.llm.answers.parse_answer: import it from persona",
        "bad.py:2 imports persona._PUBLIC, which is not public",
        "bad.py:3 imports persona.codec.read: import it from persona",
        "bad.py:4 imports another plugin, persona_ollama.provider",
    ]
