"""The engine and the report renderer must work without the TUI: importing them never loads textual."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEADLESS = ["engine", "engine.rules", "engine.interventions", "reports", "peermap.cli"]


@pytest.mark.parametrize("module", HEADLESS)
def test_headless_module_does_not_load_textual(module: str) -> None:
    code = (
        f"import sys, {module}; print([m for m in sys.modules if m == 'textual' or m.startswith(('textual.', 'tui'))])"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", f"{module} pulled in {out.stdout.strip()}"


def test_engine_sources_never_import_tui_or_textual() -> None:
    offenders = []
    for path in (ROOT / "engine").rglob("*.py"):
        for line in path.read_text(encoding="utf-8").splitlines():
            stripped = line.strip()
            if stripped.startswith(("import textual", "from textual", "import tui", "from tui")):
                offenders.append(f"{path.relative_to(ROOT)}: {stripped}")
    assert offenders == []


def test_engine_public_api_resolves_every_name() -> None:
    import engine

    missing = [name for name in engine.__all__ if getattr(engine, name, None) is None]
    assert missing == []
    assert sorted(engine.__all__) == sorted({*engine.__all__})
