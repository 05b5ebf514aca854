"""The package's layers, read from its source with ``ast`` (type-only imports included):

- no module below the model imports :mod:`tranqsim.model` (``EstateModel``): mechanisms take
  the state (:mod:`tranqsim.state`), never the model;
- no import cycle among the package's modules.

Above the model (they may import it): the package's entry point, the simulation helpers, the
result and comparison layers, the CLI, experiments, report, validation and UI.
"""

from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "src" / "tranqsim"
ABOVE = ("tranqsim", "tranqsim.model", "tranqsim.simulation", "tranqsim.result",
         "tranqsim.comparison", "tranqsim.plots", "tranqsim.cli")
ABOVE_PACKAGES = ("tranqsim.cli", "tranqsim.ui", "tranqsim.experiments", "tranqsim.report", "tranqsim.validation")


# compiled modules of the package without Python source (none since the kernels are numba's JIT)
EXTENSIONS: tuple[str, ...] = ()


def modules() -> dict[str, Path | None]:
    out: dict[str, Path | None] = dict.fromkeys(EXTENSIONS)
    for path in sorted(PKG.rglob("*.py")):
        parts = ("tranqsim",) + path.relative_to(PKG).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules that ``name`` imports anywhere in its source (``if
    TYPE_CHECKING:`` blocks and function bodies included). ``from pkg import a, b`` imports
    the submodules ``pkg.a`` and ``pkg.b`` where they are modules, and ``pkg`` itself for any
    name that is not (as import-linter and similar tools count them)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_pkg = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from the module's package
                base = name.split(".") if is_pkg else name.split(".")[:-1]
                base = base[:len(base) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            subs = [f"{mod}.{a.name}" for a in node.names]
            targets = [t for t in subs if t in known]
            if len(targets) < len(subs):
                targets.append(mod)
        else:
            continue
        found.update(t for t in targets if t in known and t != name)
    return found


def graph() -> dict[str, set[str]]:
    mods = modules()
    known = set(mods)
    return {name: imports(name, path, known) if path else set() for name, path in mods.items()}


def is_above(name: str) -> bool:
    return name in ABOVE or any(name == p or name.startswith(p + ".") for p in ABOVE_PACKAGES)


def test_the_graph_sees_the_packages_imports():
    g = graph()
    assert "tranqsim.state" in g["tranqsim.response"]  # a runtime import
    assert "tranqsim.model" in g["tranqsim.simulation"]
    assert len(g) > 30


def test_no_module_below_the_model_imports_it():
    g = graph()
    offenders = sorted(name for name, deps in g.items()
                       if not is_above(name) and "tranqsim.model" in deps)
    assert offenders == []


def test_no_import_cycle_among_the_packages_modules():
    g = graph()
    # Tarjan's strongly connected components: a cycle is a component of more than one module
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    cycles: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in g[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in sorted(g):
        if v not in index:
            visit(v)
    assert cycles == []
