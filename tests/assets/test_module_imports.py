"""The assets app's modules import one another at the top only, and one way: no import inside a
function hides a cycle (services → ledger_import → rules, never back)."""

import ast
from pathlib import Path

import assets

APP = Path(assets.__file__).parent


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def scan(sources: dict[str, tuple[str, bool]], app: str) -> tuple[list[str], dict[str, set[str]]]:
    """(imports of app modules inside a function or class, the import graph among app modules)
    for {module name: (source, is package)}."""
    modules = set(sources)
    nested: list[str] = []
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for module, (source, is_package) in sources.items():
        tree = ast.parse(source)
        top = set(tree.body)
        for node in ast.walk(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(node, module, is_package)
                # `from . import x` imports the submodule x; `from .x import y` the module x.
                targets = [f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in modules]
                targets = targets or [base]
            targets = [t for t in targets if t in modules and t != module and t.startswith(app)]
            if not targets:
                continue
            if node not in top:
                nested.append(f"{module}:{node.lineno} imports {', '.join(sorted(targets))} inside a function")
            graph[module].update(targets)
    return nested, graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    found, state, stack = [], {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                found.append(stack[stack.index(nxt) :] + [nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return found


def _app_sources() -> dict[str, tuple[str, bool]]:
    return {
        _module_name(path, APP): (path.read_text(encoding="utf-8"), path.name == "__init__.py")
        for path in sorted(APP.rglob("*.py"))
    }


def test_the_scan_finds_nested_imports_and_cycles():
    sources = {
        "app": ("", True),
        "app.a": ("from . import b\n", False),
        "app.b": ("def f():\n    from .a import thing\n", False),
        "app.c": ("from app.b import x\n", False),
        "app.sub": ("", True),
        "app.sub.d": ("from .. import c\nfrom ..a import y\n", False),
    }
    nested, graph = scan(sources, "app")
    assert nested == ["app.b:2 imports app.a inside a function"]
    assert graph["app.sub.d"] == {"app.c", "app.a"}
    assert cycles(graph) == [["app.a", "app.b", "app.a"]]


def test_no_assets_module_imports_another_inside_a_function():
    nested, _graph = scan(_app_sources(), "assets")
    assert nested == []


def test_no_import_cycle_among_assets_modules():
    _nested, graph = scan(_app_sources(), "assets")
    assert "assets.rules" in graph and "assets.ledger_import" in graph["assets.services"]
    assert cycles(graph) == []
    # The rules know no other module of the app but its models.
    assert graph["assets.rules"] == {"assets.models"}
