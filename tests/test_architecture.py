"""The code's shape: imports flow one way (server -> schema -> resolvers -> types -> kernel ->
loaders -> models), the kernel imports no domain type and no resolver, the two executors do
not import each other, and no import loop exists outside the schema's own type graph.

Imports are read from the source (imports inside functions count; `if TYPE_CHECKING:` blocks
do not run, so they do not)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("graph", "resolvers", "loaders", "models")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, modules: set[str]) -> set[str]:
    """The project modules ``path`` imports at run time."""
    tree = ast.parse(path.read_text())
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(n) for n in ast.walk(node))
    me = _module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*parts, base] if base else parts)
            names = [base, *(f"{base}.{a.name}" for a in node.names)]
        for name in names:
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name and name != me and name not in PACKAGES:
                found.add(name)
    return found


def _graph() -> dict[str, set[str]]:
    paths = [p for package in PACKAGES for p in (ROOT / package).rglob("*.py")]
    paths = [p for p in paths if "node_modules" not in p.parts]
    modules = {_module_name(p) for p in paths}
    return {_module_name(p): _imports(p, modules) for p in paths}


GRAPH = _graph()


def _under(module: str, *prefixes: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


@pytest.mark.parametrize(
    ("importer", "forbidden"),
    [
        pytest.param(
            ("graph.kernel",),
            ("graph.types", "resolvers", "graph.compiled", "graph.server", "graph.live"),
            id="kernel-imports-no-domain-type-resolver-or-executor",
        ),
        pytest.param(("graph.compiled",), ("resolvers",), id="compiled-path-stands-on-kernel"),
        pytest.param(("resolvers",), ("graph.compiled",), id="resolvers-do-not-import-compiled"),
        pytest.param(("graph.types",), ("resolvers",), id="types-import-no-resolver"),
        pytest.param(
            ("graph.jobs.queue",),
            ("graph.types", "resolvers", "graph.server", "graph.schema", "graph.live"),
            id="the-queue-the-write-path-defers-to-stands-below-it",
        ),
        pytest.param(
            ("loaders", "models"),
            ("graph", "resolvers"),
            id="loaders-and-models-stand-below-graph",
        ),
        pytest.param(
            ("graph.live", "graph.compiled", "graph.kernel", "graph.types", "resolvers"),
            ("graph.server", "graph.admin", "graph.schema"),
            id="nothing-below-the-schema-imports-the-server",
        ),
    ],
)
def test_imports_flow_one_way(importer: tuple[str, ...], forbidden: tuple[str, ...]) -> None:
    wrong = sorted(
        f"{module} imports {target}"
        for module, targets in GRAPH.items()
        if _under(module, *importer)
        for target in targets
        if _under(target, *forbidden)
    )
    assert wrong == []


def test_no_import_loop_outside_the_schema_type_graph() -> None:
    # Tarjan's strongly connected components over the module graph
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    loops: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in GRAPH.get(module, ()):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                loops.append(sorted(component))

    for module in GRAPH:
        if module not in index:
            visit(module)
    outside = [loop for loop in loops if not all(_under(m, "graph.types") for m in loop)]
    assert outside == []
