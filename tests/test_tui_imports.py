"""The TUI's shape: screens navigate through tui.router (posting Navigate), so no screen imports another
screen or the app, nothing in tui/ imports a tui module inside a function to dodge a cycle, and the tui
package's import graph (type-checking imports included) has no cycle."""

from __future__ import annotations

import ast
from pathlib import Path

TUI = Path(__file__).resolve().parents[1] / "tui"
# Shared bases a screen may build on: they are not screens of their own.
SCREEN_BASES = {"peermap.tui.screens.base", "peermap.tui.screens.detail"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(TUI).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(["peermap", "tui", *parts])


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> list[str]:
    if node.level == 0:
        base = node.module or ""
    else:
        parts = module.split(".")
        anchor = parts if is_package else parts[:-1]
        anchor = anchor[: len(anchor) - (node.level - 1)]
        base = ".".join([*anchor, *([node.module] if node.module else [])])
    # `from . import router` names a module; `from .router import X` names the module itself.
    return [f"{base}.{a.name}" for a in node.names] + [base]


def _imports(path: Path) -> tuple[set[str], list[tuple[int, str]]]:
    """(tui modules imported at module level, (line, module) of tui imports inside a function)."""
    module = _module_name(path)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top: set[str] = set()
    nested: list[tuple[int, str]] = []
    known = {_module_name(p) for p in TUI.rglob("*.py")}

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            names: list[str] = []
            if isinstance(child, ast.ImportFrom):
                names = _resolve(module, path.name == "__init__.py", child)
            elif isinstance(child, ast.Import):
                names = [a.name for a in child.names]
            for name in names:
                if name in known and name != module:
                    if in_function:
                        nested.append((child.lineno, name))
                    else:
                        top.add(name)
            visit(child, inside)

    visit(tree, False)
    return top, nested


GRAPH = {_module_name(p): _imports(p) for p in sorted(TUI.rglob("*.py"))}


def test_no_screen_imports_another_screen_or_the_app() -> None:
    screens = {m for m in GRAPH if m.startswith("peermap.tui.screens.") and m not in SCREEN_BASES}
    bad = {
        m: sorted(i for i in GRAPH[m][0] if (i in screens and i != m) or i == "peermap.tui.app")
        for m in GRAPH
        if m.startswith("peermap.tui.screens.")
    }
    assert {m: v for m, v in bad.items() if v} == {}


def test_no_tui_module_is_imported_inside_a_function() -> None:
    nested = {m: GRAPH[m][1] for m in GRAPH if GRAPH[m][1]}
    assert nested == {}


def test_the_tui_import_graph_has_no_cycle() -> None:
    edges = {m: {i for i in GRAPH[m][0] if i in GRAPH} for m in GRAPH}
    state: dict[str, int] = {}
    path: list[str] = []

    def dfs(m: str) -> list[str] | None:
        state[m] = 1
        path.append(m)
        for n in sorted(edges[m]):
            if state.get(n) == 1:
                return [*path[path.index(n) :], n]
            if n not in state and (cycle := dfs(n)):
                return cycle
        state[m] = 2
        path.pop()
        return None

    for m in sorted(edges):
        if m not in state:
            cycle = dfs(m)
            assert cycle is None, " -> ".join(cycle)


def test_the_router_knows_every_screen() -> None:
    from peermap.tui import router
    from peermap.tui.screens.base import PeermapScreen

    screens = {m for m in GRAPH if m.startswith("peermap.tui.screens.") and m not in SCREEN_BASES}
    screens -= {"peermap.tui.screens", "peermap.tui.screens.help"}  # help is a modal the app opens itself
    routed = {c.__module__ for c in [*router.MODES.values(), *router.RECORD_SCREENS.values()]}  # type: ignore[attr-defined]
    assert routed == screens
    assert all(issubclass(c, PeermapScreen) for c in router.MODES.values())
    assert [m for m, _k, _l in router.SCREENS_IN_ORDER] == list(router.MODES)
