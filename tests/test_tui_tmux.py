"""The scripted tmux run (tests/tui_tmux.sh): `peermap tui` in a real terminal, driven by keys."""

from __future__ import annotations

import shutil
import subprocess
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
