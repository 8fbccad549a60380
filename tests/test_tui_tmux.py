"""The scripted tmux run (tests/tui_tmux.sh): `peermap tui` in a real terminal, driven by keys."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).with_name("tui_tmux.sh")


@pytest.mark.slow
def test_tui_answers_keys_in_a_real_terminal() -> None:
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed (apt-get install tmux) - the scripted terminal run was not done")
    run = subprocess.run(["bash", str(SCRIPT)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "all checks passed" in run.stdout


HOSTILE_SCRIPT = Path(__file__).with_name("tui_tmux_hostile.sh")


@pytest.mark.slow
def test_escape_sequences_in_names_are_shown_not_obeyed() -> None:
    """Issue 18.3: a name holding clear-screen, window-title, cursor-move and bidi sequences leaves the TUI
    screen and the terminal (pane) title unchanged, and is shown escaped on the map, list and person screen."""
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed (apt-get install tmux) - the scripted terminal run was not done")
    env = {**os.environ, "PEERMAP_PYTHON": sys.executable}
    run = subprocess.run(["bash", str(HOSTILE_SCRIPT)], capture_output=True, text=True, timeout=300, env=env)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "pane title unchanged" in run.stdout and "shown escaped: \\u202eL" in run.stdout
    assert "all checks passed" in run.stdout
