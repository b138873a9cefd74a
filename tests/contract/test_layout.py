"""The framework knows no model: no code under emergesim/ names a registered model.

Models and studies plug in through entry points; emergesim/ reaches them only by what the
registry returns. Prose may cite a model as an example (a docstring or a comment saying where a
number comes from), code may not: every name, attribute, import and string literal outside
docstrings and comments is checked.
"""

import ast
import io
import re
import tokenize
from pathlib import Path

import pytest

import emergesim

PACKAGE = Path(emergesim.__file__).parent
MODULES = sorted(PACKAGE.rglob("*.py"))
PLUGGED_IN = ("emergesim.models", "emergesim.studies")  # packages reached by entry points only


def docstring_lines(tree: ast.Module) -> set[int]:
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                lines.update(range(body[0].lineno, body[0].end_lineno + 1))
    return lines


def code_words(source: str) -> list[tuple[int, str]]:
    """(line, token) of every name and every string literal that is not a docstring."""
    skip = docstring_lines(ast.parse(source))
    kinds = {tokenize.NAME, tokenize.STRING, getattr(tokenize, "FSTRING_MIDDLE", -1)}
    return [
        (token.start[0], token.string)
        for token in tokenize.generate_tokens(io.StringIO(source).readline)
        if token.type in kinds and token.start[0] not in skip
    ]


def test_the_scan_sees_code_and_skips_prose():
    source = '"""About ising."""\n# traffic jams\nx = "flocking"\nfrom a.skills import b\n'
    words = [word for _, word in code_words(source)]
    assert words == ["x", '"flocking"', "from", "a", "skills", "import", "b"]


@pytest.mark.parametrize("module", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_names_a_registered_model(module):
    pattern = re.compile(rf"\b({'|'.join(emergesim.available())})\b", re.IGNORECASE)
    source = module.read_text()
    found = [f"line {line}: {word}" for line, word in code_words(source) if pattern.search(word)]
    imports = [
        f"line {node.lineno}: import {name}"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Import | ast.ImportFrom)
        for name in (
            [node.module] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
        )
        if name and name.startswith(PLUGGED_IN)
    ]
    assert not found + imports, f"{module.name} names a model: {found + imports}"


def test_readme_layout_names_what_is_there():
    """README's picture of the tree: every module and folder it names exists (indented names are
    inside emergesim/)."""
    root = PACKAGE.parent
    readme = (root / "README.md").read_text()
    block = readme.split("## How the code is laid out", 1)[1].split("```")[1]
    named = set()
    for line in block.splitlines():
        head = line[:22].split()
        folder = "emergesim/" if line.startswith("  ") else ""
        for word in head:
            if word.endswith((".py", "/")) and "<" not in word:
                named.add(folder + word)
    missing = [path for path in named if not (root / path).exists()]
    assert not missing, f"README names what is not there: {missing}"
    assert {"emergesim/testing.py", "emergesim/sweeps/", "studies/", "examples/"} <= named
