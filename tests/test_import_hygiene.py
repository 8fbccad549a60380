"""The engine and the report renderer must work without the TUI: importing them never loads textual."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEADLESS = ["peermap.engine", "peermap.engine.rules", "peermap.engine.interventions", "peermap.reports", "peermap.cli"]


@pytest.mark.slow
@pytest.mark.parametrize("module", HEADLESS)
def test_headless_module_does_not_load_textual(module: str) -> None:
    code = (
        f"import sys, {module}; "
        "print([m for m in sys.modules if m == 'textual' or m.startswith(('textual.', 'peermap.tui'))])"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", f"{module} pulled in {out.stdout.strip()}"


@pytest.mark.slow
def test_cli_start_up_loads_no_scoring_groups_or_ui() -> None:
    """`peermap --help` stays near a second: the CLI modules import the engine's heavy parts inside commands."""
    heavy = ["networkx", "igraph", "sklearn", "textual", "openpyxl", "jinja2"]
    heavy += [f"peermap.engine.{m}" for m in ("mapping", "groups", "graph", "whatif")]
    code = f"import sys, peermap.cli; print([m for m in {heavy!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_engine_sources_never_import_tui_or_textual() -> None:
    offenders = []
    for path in (ROOT / "engine").rglob("*.py"):
        for line in path.read_text(encoding="utf-8").splitlines():
            stripped = line.strip()
            forbidden = ("import textual", "from textual", "import peermap.tui", "from peermap.tui")
            if stripped.startswith(forbidden) or stripped == "from peermap import tui":
                offenders.append(f"{path.relative_to(ROOT)}: {stripped}")
    assert offenders == []


def test_engine_public_api_resolves_every_name() -> None:
    from peermap import engine

    missing = [name for name in engine.__all__ if getattr(engine, name, None) is None]
    assert missing == []
    assert sorted(engine.__all__) == sorted({*engine.__all__})


def test_engine_public_api_is_its_import_lines_and_nothing_else() -> None:
    """The lazy table comes from the same lines as __all__: every lazy name is public and loads from its module."""
    import importlib

    from peermap import engine

    assert set(engine._LAZY) <= set(engine.__all__)
    assert {"Store", "PeermapError", "compute_map", "Snapshot"} <= set(engine.__all__)
    for name, module in engine._LAZY.items():
        assert getattr(engine, name) is getattr(importlib.import_module(module, "peermap.engine"), name)
    with pytest.raises(AttributeError, match="no attribute 'score_snapshot'"):
        engine.__getattr__("score_snapshot")  # internal names are not reachable through the public API


@pytest.mark.slow
@pytest.mark.parametrize("generic", ["engine", "reports", "tui", "policies"])
def test_installing_peermap_claims_no_generic_top_level_name(generic: str, tmp_path: Path) -> None:
    """Outside the checkout only `peermap` is importable; the layers live under it (decision 0005)."""
    code = f"import importlib.util, peermap.{generic}; print(importlib.util.find_spec({generic!r}) is None)"
    # Only the installed package on the path, as a user has it (a PYTHONPATH pointing at a checkout would also
    # expose the checkout's top-level folders, which is the repository's layout, not what is installed).
    site = tmp_path / "site"
    site.mkdir()
    (site / "peermap").symlink_to(ROOT / "peermap", target_is_directory=True)
    env = {**os.environ, "PYTHONPATH": str(site)}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "True"


def test_engine_imports_its_own_modules_only_at_the_top() -> None:
    """An import of a peermap module inside a function or an `if TYPE_CHECKING:` block is how a cycle hides.

    Function-level imports stay allowed for optional heavy libraries (scipy, scikit-learn, openpyxl), never for
    the engine's own modules. The one exception is the public API's lazy block in engine/__init__.py.
    """
    offenders = []
    for path in sorted((ROOT / "engine").rglob("*.py")):
        if path == ROOT / "engine" / "__init__.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line[:1].isspace() and line.strip().startswith(("from .", "from peermap", "import peermap")):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def test_no_public_name_is_also_an_engine_submodule() -> None:
    """`from peermap.engine import x` must mean the published x: grimp (and readers) take it for a submodule."""
    import pkgutil

    from peermap import engine

    submodules = {m.name for m in pkgutil.iter_modules(engine.__path__)}
    assert sorted(set(engine.__all__) & submodules) == []
