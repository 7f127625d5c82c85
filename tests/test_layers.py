"""The packages import one way: the import-linter contract holds, and lazy imports are few.

The layers are declared in pyproject.toml (``[tool.importlinter]``) and explained in
docs/architecture.md. A function-level import of a chainrule module is allowed only as a
documented exception: a comment ``# lazy import (documented exception): <why>`` on the line or
just above it. Two places import lazily by policy instead (see docs/architecture.md): the
command line (each command imports what it runs, so ``chainrule --help`` starts fast) and the
package ``__init__`` (it wires the rule table into core and exposes the public names).
"""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "chainrule"
MARK = "lazy import (documented exception)"
LAZY_BY_POLICY = ("chainrule.cli",)
"""Packages whose modules import lazily by policy (besides the root ``__init__``)."""
MAX_DOCUMENTED = 10
"""A ceiling, so that lazy imports stay the exception they are documented as."""

pytestmark = pytest.mark.skipif(not (ROOT / "pyproject.toml").exists() or not SRC.is_dir(),
                                reason="needs the source tree (pyproject.toml and src/)")


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported_module(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> str:
    """The chainrule module an import statement names ('' when it is not chainrule's)."""
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names if a.name.split(".")[0] == "chainrule"]
        return names[0] if names else ""
    if node.level:  # relative: resolved against this module's package
        base = module.split(".")
        base = base if is_package else base[:-1]
        base = base[: len(base) - (node.level - 1)]
        return ".".join(base + ([node.module] if node.module else []))
    return node.module if (node.module or "").split(".")[0] == "chainrule" else ""


def _is_type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def function_level_imports() -> list[tuple[str, int, str, bool]]:
    """(module, line, imported module, documented?) for every function-level chainrule import."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        module = _module_name(path)
        lines = path.read_text(encoding="utf-8").splitlines()
        tree = ast.parse("\n".join(lines))

        def visit(node: ast.AST, in_function: bool, module=module, path=path, lines=lines):
            for child in ast.iter_child_nodes(node):
                if _is_type_checking(child):
                    continue
                if in_function and isinstance(child, ast.Import | ast.ImportFrom):
                    target = _imported_module(child, module, path.name == "__init__.py")
                    if target:
                        found.append((module, child.lineno, target, _documented(lines, child)))
                visit(child, in_function or isinstance(
                    child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda))

        visit(tree, False)
    return found


def _documented(lines: list[str], node: ast.stmt) -> bool:
    """The marker on the import's own lines or in the comment block just above it."""
    text = lines[node.lineno - 1: node.end_lineno]
    i = node.lineno - 2
    while i >= 0 and lines[i].strip().startswith("#"):
        text.append(lines[i])
        i -= 1
    return any(MARK in line for line in text)


def _by_policy(module: str) -> bool:
    return module == "chainrule" or any(module == p or module.startswith(p + ".")
                                        for p in LAZY_BY_POLICY)


def test_import_contract_is_kept():
    """lint-imports (import-linter) checks every import, function-level ones included."""
    command = [sys.executable, "-c",
               "from importlinter.cli import lint_imports_command; "
               "lint_imports_command(['--no-cache', '--no-logo'])"]
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 kept, 0 broken" in run.stdout


def test_contract_lists_every_top_level_module():
    """The contract is exhaustive: a new top-level package must be given a layer."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contract = config["tool"]["importlinter"]["contracts"][0]
    assert contract["exhaustive"] is True
    declared = set(contract["exhaustive_ignores"])
    for layer in contract["layers"]:
        for name in layer.replace(":", "|").split("|"):
            declared.add(name.strip().strip("()"))
    present = {p.stem for p in SRC.glob("*.py") if p.stem != "__init__"}
    present |= {p.name for p in SRC.iterdir() if (p / "__init__.py").exists()}
    assert present <= declared, present - declared


def test_function_level_imports_are_documented_exceptions():
    found = function_level_imports()
    assert found, "the scan found no function-level import at all: is it looking at src/?"
    undocumented = [f"{m}:{line} imports {t}" for m, line, t, ok in found
                    if not ok and not _by_policy(m)]
    assert undocumented == [], "\n".join(undocumented)
    documented = [f for f in found if f[3] and not _by_policy(f[0])]
    assert len(documented) <= MAX_DOCUMENTED, documented


def test_every_ignored_import_is_a_documented_lazy_import():
    """Each ``ignore_imports`` entry of the contract is a marked function-level import."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    ignored = config["tool"]["importlinter"]["contracts"][0]["ignore_imports"]
    assert ignored
    found = function_level_imports()
    for entry in ignored:
        importer, imported = (part.strip() for part in entry.split("->"))
        lazy = [f for f in found if f[0] == importer and f[2] == imported]
        assert lazy, f"{entry}: not a function-level import (a module-level one must not be " \
                     "ignored: move the code instead)"
        assert all(ok or _by_policy(m) for m, _, _, ok in lazy), entry


def test_the_scan_sees_relative_and_marked_imports():
    """The scanner itself: resolves relative imports and reads the marker above a line."""
    tree = ast.parse("def f():\n    # lazy import (documented exception): test\n"
                     "    from .b import c\n")
    node = tree.body[0].body[0]
    assert _imported_module(node, "chainrule.a.x", is_package=False) == "chainrule.a.b"
    assert _imported_module(node, "chainrule.a", is_package=True) == "chainrule.a.b"
    assert _documented(["def f():", "    # lazy import (documented exception): test",
                        "    from .b import c"], node)
    assert not _documented(["def f():", "    # some other comment", "    from .b import c"],
                           node)


def test_documented_lazy_imports_are_listed_in_the_architecture_doc():
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    for module, line, target, ok in function_level_imports():
        if ok and not _by_policy(module):
            where = module.removeprefix("chainrule.").replace(".", "/") + ".py"
            assert f"`{where}`" in doc or f"`{where} " in doc, f"{where}:{line}"
            assert f"`{target.removeprefix('chainrule.')}`" in doc, f"{where}:{line} → {target}"
