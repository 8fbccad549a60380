"""The import contracts guard the shape of the code: the engine has no cycle, and lint-imports fails on a bad import.

The contracts themselves (and why each exists) are in pyproject.toml under [tool.importlinter].
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
LAYERS = "Layers: cli | tui > reports > engine > policies"
ENGINE_LAYERS = "Engine layers: one way, ingest up to map"
NO_UI = "Engine and reports import no UI toolkit"
NO_DB_IN_REPORTS = "Reports run no database query"
PUBLIC_API = "Outside engine/, only its public API"
NO_CYCLES = "No cycles between engine siblings"
TUI_SCREENS = "TUI screens are independent of one another"
TUI_NO_APP = "TUI screens and widgets never import the app, the router or the palette"


def import_cycles(package: str) -> list[tuple[str, str]]:
    """Every direct import a -> b inside `package` such that b also leads back to a (each cycle at least once)."""
    graph = grimp.build_graph(package.split(".")[0], include_external_packages=False, cache_dir=None)
    inside = sorted(m for m in graph.modules if m == package or m.startswith(package + "."))
    return [
        (a, b)
        for a in inside
        for b in sorted(graph.find_modules_directly_imported_by(a))
        if b.startswith(package) and graph.chain_exists(importer=b, imported=a)
    ]


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


def test_engine_import_graph_has_no_cycles() -> None:
    assert import_cycles("peermap.engine") == []


def test_the_cycle_finder_finds_a_planted_cycle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pkg = tmp_path / "cyclepkg"
    (pkg / "inner").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("def f() -> None:\n    from . import b  # hidden in a function: still a cycle\n")
    (pkg / "b.py").write_text("from .inner import c\n")
    (pkg / "inner" / "__init__.py").write_text("")
    (pkg / "inner" / "c.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .. import a\n")
    (pkg / "d.py").write_text("from . import a\n")  # imports into the cycle, is not part of it
    monkeypatch.syspath_prepend(str(tmp_path))
    found = import_cycles("cyclepkg")
    assert set(found) == {
        ("cyclepkg.a", "cyclepkg.b"),
        ("cyclepkg.b", "cyclepkg.inner.c"),
        ("cyclepkg.inner.c", "cyclepkg.a"),
    }


def test_lint_imports_passes_on_the_tree() -> None:
    out = _run(ROOT)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "0 broken" in out.stdout


@pytest.fixture(scope="module")
def tree_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The package's source folders and pyproject.toml, copied (peermap/'s symlinks to the folders kept)."""
    dest = tmp_path_factory.mktemp("tree")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("peermap", "engine", "reports", "tui", "policies"):
        shutil.copytree(ROOT / name, dest / name, symlinks=True, ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", dest / "pyproject.toml")
    return dest


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        # an engine module reaching the app also links every screen to every other, through the router
        ("engine/vocab.py", "from peermap.tui import app", [LAYERS, ENGINE_LAYERS, NO_UI, TUI_SCREENS, TUI_NO_APP]),
        ("engine/store.py", "from peermap.engine import mapping", [ENGINE_LAYERS, NO_CYCLES]),
        ("engine/snapshot.py", "from .rules import scoring", [ENGINE_LAYERS, NO_CYCLES]),
        ("engine/grading.py", "from . import figures", [ENGINE_LAYERS]),  # same layer: independent siblings
        ("reports/common.py", "from peermap.tui import safe", [LAYERS, NO_UI]),
        ("engine/audit.py", "import textual", [NO_UI]),
        ("peermap/cli/report_cmd.py", "from peermap.engine.mapping import compute_map", [PUBLIC_API]),
        ("tui/safe.py", "from peermap.engine import vocab", [PUBLIC_API]),
        ("reports/common.py", "import sqlmodel", [NO_DB_IN_REPORTS]),
        ("tui/screens/map.py", "from .person import PersonScreen", [TUI_SCREENS]),
        ("tui/screens/base.py", "from peermap.tui import app", [TUI_SCREENS, TUI_NO_APP]),
        ("tui/widgets/stat.py", "from peermap.tui import router", [TUI_SCREENS, TUI_NO_APP]),
    ],
)
def test_lint_imports_fails_on_an_import_against_a_contract(
    tree_copy: Path, module: str, line: str, broken: list[str]
) -> None:
    path = tree_copy / module
    original = path.read_text(encoding="utf-8")
    try:
        # Inside a function, as a cycle is usually hidden: lint-imports sees function-level imports too.
        path.write_text(original + f"\n\ndef _planted() -> None:\n    {line}  # noqa\n", encoding="utf-8")
        out = _run(tree_copy)
    finally:
        path.write_text(original, encoding="utf-8")
    assert out.returncode != 0, out.stdout
    broken_names = sorted(row.split(" BROKEN")[0] for row in out.stdout.splitlines() if " BROKEN" in row)
    assert broken_names == sorted(broken), out.stdout
