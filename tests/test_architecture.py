"""The architecture, checked from the source text with ``ast``; no module is imported.

- Layers: the packages form a stack (``LAYERS``) and every import points down it; imports
  inside functions and under ``TYPE_CHECKING`` count too. ``supplychain`` never imports
  ``gui``.
- ``supplychain/`` never imports Qt; ``gui/`` does no crypto or SQL and never touches a node's
  ``.store``.
- No module is named like a standard library module.
- No module imports another package's private names (``from x import _y``).
- No module is over ``MAX_LINES`` lines.

A ``KNOWN_*`` set lists the files that break a rule today while another change that fixes
them is under way; a listed file that no longer breaks its rule fails the test too, so the
lists only shrink.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("supplychain", "gui")
"""The product's own code: layering, Qt, private-name and store rules apply to it."""
EVERYTHING = (*PRODUCT, "tests", "scripts", "bench")
"""All Python in the project: naming and size rules apply to it."""

LAYERS: tuple[tuple[str, ...], ...] = (
    ("supplychain", "errors", "ids", "files", "clock", "i18n", "jsonlimits"),
    ("identity", "scanning"),
    ("codes",),
    ("ledger",),
    ("node",),
    ("interchange",),
    ("sync",),
    ("demo",),
    ("cli",),
    ("gui",),
)
"""Lowest first. A unit is a subpackage of ``supplychain`` (``ledger``), one of its top-level
modules (``errors``; ``supplychain`` is the package's own ``__init__``), or ``gui``. A unit
imports only units of lower layers; the first layer is shared ground whose units may import
one another (but nothing above); units side by side in a higher layer do not import each
other. ``scanning`` (cameras and image files to text) needs only ``errors``; ``codes`` signs
and verifies with ``identity``."""
SHARED = LAYERS[0]

QT_MODULES = frozenset({"PySide6", "PySide2", "PyQt6", "PyQt5", "shiboken6", "shiboken2",
                        "qtpy"})
GUI_FORBIDDEN_MODULES = frozenset({"cryptography", "sqlite3", "sqlite_utils"})
MAX_LINES = 500

# Files that break a rule today; each entry is removed when the change that fixes it lands.
KNOWN_GUI_FORBIDDEN_IMPORTS: frozenset[str] = frozenset()
KNOWN_GUI_STORE_ACCESS: frozenset[str] = frozenset()
KNOWN_PRIVATE_IMPORTS: frozenset[str] = frozenset()
KNOWN_OVERSIZED: frozenset[str] = frozenset()


# --- reading the source ------------------------------------------------------------------------
@dataclass(frozen=True)
class Import:
    """One imported name: ``module`` is absolute; ``name`` is None for ``import module``."""

    module: str
    name: str | None
    line: int


def python_files(*roots: str) -> list[Path]:
    return sorted(p for root in roots for p in (ROOT / root).rglob("*.py")
                  if "__pycache__" not in p.parts)


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def tree_of(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def imports_in(tree: ast.Module, module: str, is_package: bool) -> Iterator[Import]:
    """Every import anywhere in ``tree`` (functions, classes, TYPE_CHECKING blocks too)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(alias.name, None, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".")
                package = package[:len(package) - node.level + (1 if is_package else 0)]
                base = ".".join([*package, *([base] if base else [])])
            for alias in node.names:
                yield Import(base, alias.name, node.lineno)


def imports_of(path: Path) -> list[Import]:
    return list(imports_in(tree_of(path), module_name(path), path.name == "__init__.py"))


def unit_of(module: str) -> str | None:
    """The layering unit of a module path, None when it is not the product's."""
    parts = module.split(".")
    if parts[0] == "gui":
        return "gui"
    if parts[0] != "supplychain":
        return None
    return parts[1] if len(parts) > 1 else "supplychain"


def imported_units(imp: Import) -> set[str]:
    """The units an import reaches (``from supplychain import errors`` reaches ``errors``)."""
    unit = unit_of(imp.module)
    if unit is None:
        return set()
    known = {u for layer in LAYERS for u in layer}
    if imp.module == "supplychain" and imp.name in known:
        return {imp.name}
    return {unit}


def layer_of(unit: str) -> int:
    for index, layer in enumerate(LAYERS):
        if unit in layer:
            return index
    raise AssertionError(f"{unit}: this unit is in no layer of LAYERS in {Path(__file__).name}; "
                         "add it where it belongs")


def layering_problems(path: Path, imports: list[Import]) -> list[str]:
    where = rel(path)
    me = unit_of(module_name(path))
    assert me is not None, where
    mine = layer_of(me)
    problems: list[str] = []
    seen: set[tuple[int, str]] = set()
    for imp in sorted(imports, key=lambda i: i.line):
        for other in sorted(imported_units(imp) - {me}):
            if (imp.line, other) in seen:
                continue
            seen.add((imp.line, other))
            theirs = layer_of(other)
            target = imp.module if imp.module != "supplychain" else f"supplychain.{imp.name}"
            if theirs > mine:
                problems.append(f"{where}:{imp.line}: layering: {me} (layer {mine}) imports "
                                f"{target} from {other} (layer {theirs}), a higher layer")
            elif theirs == mine and me not in SHARED:
                problems.append(f"{where}:{imp.line}: layering: {me} imports {target} from "
                                f"{other}, which sits beside it in layer {mine}")
    return problems


def top_level(imp: Import) -> str:
    return imp.module.split(".")[0] if imp.module else (imp.name or "")


def qt_problems(path: Path, imports: list[Import]) -> list[str]:
    return [f"{rel(path)}:{imp.line}: no Qt in the core: imports {imp.module}"
            for imp in imports if top_level(imp) in QT_MODULES]


def gui_import_problems(path: Path, imports: list[Import]) -> list[str]:
    return [f"{rel(path)}:{imp.line}: no crypto or SQL in the GUI: imports {imp.module}"
            for imp in imports if top_level(imp) in GUI_FORBIDDEN_MODULES]


def gui_store_problems(path: Path) -> list[str]:
    where = rel(path)
    problems = [f"{where}:{line}: the GUI never touches a node's store: .store"
                for line in sorted({node.lineno for node in ast.walk(tree_of(path))
                                    if isinstance(node, ast.Attribute) and node.attr == "store"})]
    problems += [f"{where}:{imp.line}: the GUI never touches a node's store: imports "
                 f"{imp.module}" for imp in imports_of(path)
                 if imp.module == "supplychain.ledger.store"
                 or (imp.module == "supplychain.ledger" and imp.name == "store")]
    return problems


def is_private(name: str) -> bool:
    """``_x`` is private; ``__x__`` and gettext's ``_`` are not."""
    return (name.startswith("_") and name != "_"
            and not (name.startswith("__") and name.endswith("__")))


def private_import_problems(path: Path, imports: list[Import]) -> list[str]:
    where = rel(path)
    me = unit_of(module_name(path))
    problems = []
    for imp in imports:
        other = unit_of(imp.module)
        if other is None or other == me:
            continue
        names = [p for p in imp.module.split(".") if is_private(p)]
        if imp.name is not None and is_private(imp.name):
            names.append(imp.name)
        if names:
            problems.append(f"{where}:{imp.line}: private names stay in their package: imports "
                            f"{', '.join(names)} from {imp.module} ({other})")
    return problems


def stdlib_name_problems(path: Path) -> list[str]:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return [f"{rel(path)}: no module named like the standard library's {part!r}"
            for part in parts if part in sys.stdlib_module_names]


def line_count(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def size_problems(path: Path) -> list[str]:
    lines = line_count(path)
    return ([f"{rel(path)}: no module over {MAX_LINES} lines: it has {lines}; split it by job"]
            if lines > MAX_LINES else [])


def report(problems: list[str]) -> str:
    return "\n".join(problems)


# --- the rules ---------------------------------------------------------------------------------
def test_every_unit_has_a_layer() -> None:
    units = {unit_of(module_name(p)) for p in python_files(*PRODUCT)}
    missing = sorted(u for u in units if u is not None and not any(u in lay for lay in LAYERS))
    assert not missing, f"units in no layer of LAYERS: {missing}"


def test_imports_point_down_the_layers() -> None:
    problems = [p for path in python_files(*PRODUCT)
                for p in layering_problems(path, imports_of(path))]
    assert not problems, report(problems)


def test_the_core_never_imports_the_gui() -> None:
    problems = [f"{rel(path)}:{imp.line}: the core never imports the GUI: imports {imp.module}"
                for path in python_files("supplychain") for imp in imports_of(path)
                if unit_of(imp.module) == "gui"]
    assert not problems, report(problems)


def test_the_core_never_imports_qt() -> None:
    problems = [p for path in python_files("supplychain")
                for p in qt_problems(path, imports_of(path))]
    assert not problems, report(problems)


def test_the_gui_does_no_crypto_or_sql() -> None:
    problems = [p for path in python_files("gui")
                if rel(path) not in KNOWN_GUI_FORBIDDEN_IMPORTS
                for p in gui_import_problems(path, imports_of(path))]
    assert not problems, report(problems)


def test_the_gui_never_touches_the_store() -> None:
    problems = [p for path in python_files("gui") if rel(path) not in KNOWN_GUI_STORE_ACCESS
                for p in gui_store_problems(path)]
    assert not problems, report(problems)


def test_no_module_is_named_like_the_standard_library() -> None:
    problems = [p for path in python_files(*EVERYTHING) for p in stdlib_name_problems(path)]
    assert not problems, report(problems)


def test_no_private_names_cross_packages() -> None:
    problems = [p for path in python_files(*PRODUCT, "scripts", "bench")
                if rel(path) not in KNOWN_PRIVATE_IMPORTS
                for p in private_import_problems(path, imports_of(path))]
    assert not problems, report(problems)


def test_no_module_is_oversized() -> None:
    problems = [p for path in python_files(*EVERYTHING) if rel(path) not in KNOWN_OVERSIZED
                for p in size_problems(path)]
    assert not problems, report(problems)


@pytest.mark.parametrize(("known", "rule", "breaks"), [
    (KNOWN_GUI_FORBIDDEN_IMPORTS, "no crypto or SQL in the GUI",
     lambda p: gui_import_problems(p, imports_of(p))),
    (KNOWN_GUI_STORE_ACCESS, "the GUI never touches a node's store", gui_store_problems),
    (KNOWN_PRIVATE_IMPORTS, "private names stay in their package",
     lambda p: private_import_problems(p, imports_of(p))),
    (KNOWN_OVERSIZED, f"no module over {MAX_LINES} lines", size_problems),
], ids=["gui-imports", "gui-store", "private-names", "size"])
def test_known_violations_are_still_violations(known: frozenset[str], rule: str,
                                               breaks: Callable[[Path], list[str]]) -> None:
    """A fixed file leaves its KNOWN_ list, so the list only shrinks."""
    stale = [f"{name}: listed as breaking '{rule}' but "
             + ("no longer exists" if not (ROOT / name).exists() else "keeps the rule now")
             + f"; remove it from the KNOWN_ list in {Path(__file__).name}"
             for name in sorted(known)
             if not (ROOT / name).exists() or not breaks(ROOT / name)]
    assert not stale, report(stale)


# --- the checker itself --------------------------------------------------------------------------
def test_the_checker_sees_every_kind_of_import() -> None:
    """Lazy, TYPE_CHECKING-only, relative and package-level imports are all found; gettext's
    ``_`` and dunders are not private."""
    source = (
        "from typing import TYPE_CHECKING\n"
        "from supplychain import errors\n"
        "from . import rules\n"
        "from ..sync import puller\n"
        "if TYPE_CHECKING:\n"
        "    from supplychain.node.operations import Node\n"
        "def later():\n"
        "    import supplychain.cli.main\n"
        "    from supplychain.ledger.logs import _cert_time\n"
        "    from supplychain.i18n import _, __version__\n"
    )
    found = list(imports_in(ast.parse(source), "supplychain.ledger.verdicts", False))
    assert {(i.module, i.name) for i in found} >= {
        ("supplychain", "errors"), ("supplychain.ledger", "rules"), ("supplychain.sync", "puller"),
        ("supplychain.node.operations", "Node"), ("supplychain.cli.main", None),
        ("supplychain.ledger.logs", "_cert_time")}
    path = ROOT / "supplychain" / "ledger" / "verdicts.py"
    problems = layering_problems(path, found)
    assert [p.split(": ", 2)[1] for p in problems] == ["layering"] * 3
    assert {p.split(" from ")[-1].split(" ")[0] for p in problems} == {"sync", "node", "cli"}
    assert all(p.startswith("supplychain/ledger/verdicts.py:") for p in problems)
    sync_path = ROOT / "supplychain" / "sync" / "replica.py"
    assert private_import_problems(sync_path, found) == [
        "supplychain/sync/replica.py:9: private names stay in their package: imports _cert_time "
        "from supplychain.ledger.logs (ledger)"]
