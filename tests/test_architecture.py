"""The layering of the packages, read from the source: no import cycles, the store at the bottom.

Every `import` and `from … import` of every module is counted, those inside
functions too: a function-level import dodges a cycle at load time but the
modules still depend on each other both ways.
"""
from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("directory", "importers", "network", "maps", "web", "cli")
# The store imports nothing above it: it is what every other package builds on.
ABOVE_THE_STORE = ("importers", "network", "maps", "web", "cli")


def _modules() -> dict[str, tuple[Path, bool]]:
    """Dotted module name -> (file, is a package's __init__)."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            is_package = parts[-1] == "__init__"
            if is_package:
                parts = parts[:-1]
            found[".".join(parts)] = (path, is_package)
    return found


MODULES = _modules()


def _imports(name: str, path: Path, is_package: bool) -> set[str]:
    """The project modules `name` imports, anywhere in its body."""
    package = name if is_package else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            wanted = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            # `from . import store` names a module; `from . import main` a name in the package.
            wanted = [f"{module}.{a.name}" if f"{module}.{a.name}" in MODULES else module for a in node.names]
        else:
            continue
        for target in wanted:
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target and target != name:
                targets.add(target)
    return targets


def _graph() -> nx.DiGraph:
    graph = nx.DiGraph()
    for name, (path, is_package) in MODULES.items():
        graph.add_node(name)
        graph.add_edges_from((name, target) for target in _imports(name, path, is_package))
    return graph


GRAPH = _graph()


def _package(module: str) -> str:
    return module.split(".")[0]


def test_every_package_is_read():
    assert {_package(m) for m in MODULES} == set(PACKAGES)
    assert ("importers.pipeline", "importers.dedup") in GRAPH.edges  # the walk sees real imports


@pytest.mark.parametrize("package", PACKAGES)
def test_no_import_cycle_inside_a_package(package):
    inside = GRAPH.subgraph(m for m in GRAPH if _package(m) == package)
    cycles = sorted(sorted(c) for c in nx.simple_cycles(inside))
    assert cycles == [], f"import cycles in {package}/: {cycles}"


def test_no_import_cycle_between_packages():
    packages = nx.DiGraph()
    packages.add_nodes_from(PACKAGES)
    packages.add_edges_from((_package(a), _package(b)) for a, b in GRAPH.edges if _package(a) != _package(b))
    cycles = sorted(sorted(c) for c in nx.simple_cycles(packages))
    culprits = [(a, b) for a, b in GRAPH.edges
                if any(_package(a) in c and _package(b) in c for c in cycles) and _package(a) != _package(b)]
    assert cycles == [], f"packages importing each other: {cycles}, through {culprits}"


def test_the_store_imports_nothing_above_it():
    upward = sorted((a, b) for a, b in GRAPH.edges
                    if _package(a) == "directory" and _package(b) in ABOVE_THE_STORE)
    assert upward == []


def test_no_import_error_guard_around_the_projects_own_packages():
    """A sibling package is always installed: a guard only hides a broken import."""
    guarded = []
    for name, (path, _) in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Try):
                continue
            catches = {ast.unparse(h.type) for h in node.handlers if h.type is not None}
            if not catches & {"ImportError", "ModuleNotFoundError", "(ImportError, ModuleNotFoundError)"}:
                continue
            for inner in node.body:
                for sub in ast.walk(inner):
                    if isinstance(sub, ast.ImportFrom) and (sub.level or (sub.module or "").split(".")[0] in PACKAGES):
                        guarded.append((name, sub.lineno))
                    elif isinstance(sub, ast.Import) and any(a.name.split(".")[0] in PACKAGES for a in sub.names):
                        guarded.append((name, sub.lineno))
    assert guarded == []


def test_a_function_level_import_counts(tmp_path):
    """The walk sees an import hidden in a function, relative or absolute."""
    source = tmp_path / "run.py"
    source.write_text("def finish(run):\n    from .dedup import auto_merge\n    import directory.store\n",
                      encoding="utf-8")
    assert _imports("importers.run", source, False) == {"importers.dedup", "directory.store"}


def test_every_public_core_module_declares_all():
    """`__all__` in every module of the core packages, naming only what the module has."""
    import importlib

    missing, wrong = [], []
    for package in ("directory", "importers", "network", "maps"):
        for path in sorted((ROOT / package).glob("*.py")):
            if path.name.startswith("_"):
                continue
            module = importlib.import_module(f"{package}.{path.stem}")
            names = getattr(module, "__all__", None)
            if names is None:
                missing.append(module.__name__)
            else:
                wrong += [f"{module.__name__}.{n}" for n in names if not hasattr(module, n)]
    assert missing == [] and wrong == []
