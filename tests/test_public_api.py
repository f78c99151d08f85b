"""Plugins use Persona's public API only, as the docs list it, and never import each other."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests.conftest import REPO

DOCS = (REPO / "docs" / "plugins.md").read_text()
TABLE = DOCS.split("## What a plugin may import", 1)[1].split("\n## ", 1)[0]
PUBLIC = {
    name for cell in re.findall(r"^\| ([^|]+) \|", TABLE, re.M) for name in re.findall(r"`([\w.]+)`", cell)
}
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


def test_the_docs_table_names_modules_that_exist():
    import importlib

    assert {"persona", "persona.codec", "persona.engines", "persona.errors"} <= PUBLIC
    for module in PUBLIC:
        importlib.import_module(module)


@pytest.mark.parametrize("plugin", sorted(PLUGINS))
def test_plugins_import_only_public_names(plugin):
    wrong = []
    for path, line, module, name in imports(PLUGINS[plugin]):
        where = f"{path.relative_to(REPO)}:{line}"
        top = module.split(".")[0]
        if top in PLUGINS and top != plugin:
            wrong.append(f"{where} imports another plugin, {module}")
        if top != "persona":
            if name is not None and name.startswith("_") and top not in (plugin,) and top in PLUGINS:
                wrong.append(f"{where} imports a private name {module}.{name}")
            continue
        if module not in PUBLIC:
            wrong.append(f"{where} imports {module}, which is not public")
        elif name is not None and name.startswith("_"):
            wrong.append(f"{where} imports the private name {module}.{name}")
    assert wrong == []


def test_the_meta_test_catches_a_private_import(tmp_path):
    (tmp_path / "bad.py").write_text(
        "from persona.llm.answers import parse_answer\nfrom persona.codec import _slug\n"
    )
    modules = [(module, name) for _, _, module, name in imports(tmp_path)]
    assert ("persona.llm.answers", "parse_answer") in modules and "persona.llm.answers" not in PUBLIC
    assert ("persona.codec", "_slug") in modules
