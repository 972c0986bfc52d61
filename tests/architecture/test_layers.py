"""Fitness tests for the code's shape (DESIGN.md, "Layout"): imports run one way along the loop, the core
imports no app, nothing imports the wiring, no import cycle anywhere, modules stay readable, views check
access one way. Each failure says what to do."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Position along the loop: a package may import only packages of a lower rank (and itself). The core (ihf)
# imports no app; the wiring imports them all and nothing imports it. Phase 5 (AI proposals) and phase 12
# (learning) code goes where its imports allow: into an existing app, or a new package given its rank here.
RANKS = {
    "ihf": 0,
    "hubs": 1,
    "feedback": 2,
    "governance": 3,
    "outcomes": 4,
    "observability": 5,
    "assist": 6,
    "surveys": 7,
    "learning": 7,
    "reporting": 8,
    "wiring": 99,
}
MAX_LINES = 500


def _modules():
    """{module name: path} for every Python module of the project's packages, migrations left out."""
    found = {}
    for package in RANKS:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """The project modules `name` imports, anywhere in it (functions included)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                # `from hubs import ingest` names hubs.ingest; `from hubs.models import Hub`, hubs.models.
                targets.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base)
    resolved = set()
    for target in targets:
        while target and target not in MODULES:
            target = target.rpartition(".")[0]
        if target and target != name:
            resolved.add(target)
    return resolved


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def test_imports_run_backwards_along_the_loop_and_the_core_imports_no_app():
    wrong = []
    for name, targets in GRAPH.items():
        package = name.split(".")[0]
        for target in targets:
            other = target.split(".")[0]
            if other != package and RANKS[other] >= RANKS[package]:
                wrong.append(f"{name} imports {target}")
    assert not wrong, (
        "Imports must run backwards along the loop (ihf <- hubs <- feedback <- governance <- outcomes <- "
        "observability <- wiring). Move the shared code down to the earlier app (or to ihf if it is about no "
        "app), or carry the news backwards with a signal or a task deferred by name:\n"
        + "\n".join(sorted(wrong))
    )


def test_there_is_no_import_cycle():
    index, low, on_stack, stack, cycles = {}, {}, set(), [], []

    def visit(node):  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in GRAPH[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in GRAPH:
        if node not in index:
            visit(node)
    assert not cycles, (
        "These modules import each other (also through imports inside functions): split out what both need, "
        "or defer a task by name instead of importing it:\n" + "\n".join(" <-> ".join(c) for c in cycles)
    )


def test_a_package_import_is_a_package_and_the_graph_is_not_empty():
    # The checks above are only as good as the graph they walk.
    assert {"ihf.caches", "hubs.fastpath", "wiring.settings", "observability.views"} <= set(GRAPH)
    assert "hubs.models" in GRAPH["feedback.models.annotations"]
    assert "hubs.api" in GRAPH["hubs.fastpath"]


def _python_files():
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in {".venv", ".pgdata", "staticfiles"} or "migrations" in relative.parts:
            continue
        yield relative, path


def test_no_module_is_longer_than_one_sitting():
    long = [
        f"{relative}: {count} lines"
        for relative, path in _python_files()
        if (count := len(path.read_text().splitlines())) > MAX_LINES
    ]
    assert not long, f"Split these by feature before they pass {MAX_LINES} lines:\n" + "\n".join(long)


def _view_functions():
    for name, path in MODULES.items():
        if ".views" not in f".{name.split('.', 1)[-1]}" and not name.endswith("views"):
            continue
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.FunctionDef) and node.decorator_list:
                yield name, node


def _decorator_name(decorator):
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")


def test_views_stack_their_decorators_in_one_order():
    """@login_required first (outermost), then the allowed methods: an anonymous visitor is sent to sign in
    whatever the method, on every page alike."""
    wrong = []
    for module, view in _view_functions():
        names = [_decorator_name(d) for d in view.decorator_list]
        if "login_required" in names and names.index("login_required") != 0:
            wrong.append(f"{module}.{view.name}: {' > '.join(names)}")
    assert not wrong, "Put @login_required above @require_...:\n" + "\n".join(wrong)


@pytest.mark.parametrize("module", sorted(name for name in MODULES if "views" in name))
def test_views_refuse_through_the_access_object(module):
    """Views refuse with require(access.can_..., message) (hubs/access.py), never by raising PermissionDenied
    or by checking roles themselves."""
    source = MODULES[module].read_text()
    assert "PermissionDenied" not in source, f"{module}: use hubs.access.require(access.can_..., message)"
    assert "Role." not in source, (
        f"{module}: ask the access object (hubs/access.py), which holds the role rules"
    )
