"""Bytes that reach a terminal are inert: one escaping function, used by the CLI's streams and the TUI."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from peermap.cli import app
from peermap.engine import visible, visible_lines

DATA = Path(__file__).parent / "data"
HOSTILE = "Ann\x1b[2J\x1b]0;TITLE\x07\r\x08\x7f\x85\x9b2J\u200b\u202eevil\u2066\ufeff\U000e0041"
RAW = [chr(c) for c in (*range(0, 9), *range(11, 32), *range(0x7F, 0xA0))] + ["\u200b", "\u202e", "\u2066", "\ufeff"]


def test_visible_escapes_every_kind() -> None:
    assert visible("a\x1b[2Jb") == "a\\x1b[2Jb"
    assert visible("\u202e100P") == "\\u202e100P"
    assert visible("line\nbreak\ttab") == "line\\x0abreak\\x09tab"
    assert visible_lines("line\nbreak\ttab\r") == "line\nbreak\ttab\\x0d"
    assert visible("\x85\x9b\x7f") == "\\u0085\\u009b\\u007f"
    assert visible("\U000e0041") == "\\udb40\\udc41"
    assert visible("\ud800") == "\\ud800"
    assert visible("Zoë O'Brien, 李") == "Zoë O'Brien, 李"  # ordinary text untouched
    assert visible(None) == ""


@given(st.text())
def test_escaped_json_is_the_same_json(text: str) -> None:
    """Filtering pretty JSON (ensure_ascii=False) keeps it valid JSON with the same value."""
    dumped = json.dumps({"name": text}, indent=2, ensure_ascii=False)
    shown = visible_lines(dumped)
    assert json.loads(shown) == {"name": text}
    assert not any(c in shown for c in RAW)


@given(st.text())
def test_visible_output_holds_no_unsafe_character(text: str) -> None:
    out = visible(text)
    assert not any(c in out for c in [*RAW, "\n", "\t"])
    assert "\\" in out or out == text


def test_cli_plain_and_json_output_is_inert(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "agencies.csv").write_text(f'agency_id,name,kind\nzz,"{HOSTILE}",police\n', encoding="utf-8")
    runner = CliRunner()
    db = f"sqlite:///{tmp_path / 'p.db'}"
    assert runner.invoke(app, ["--db", db, "import", str(DATA / "good")]).exit_code == 0
    imported = runner.invoke(app, ["--db", db, "import", str(folder)])
    assert imported.exit_code == 0, imported.output
    text = runner.invoke(app, ["--db", db, "summary"])
    assert "zz: Ann\\x1b[2J\\x1b]0;TITLE\\x07\\x0d\\x08\\u007f\\u0085\\u009b2J\\u200b\\u202eevil" in text.stdout
    as_json = runner.invoke(app, ["--db", db, "summary", "--json"])
    for out in (text.stdout, as_json.stdout):
        assert not [f"U+{ord(c):04X}" for c in RAW if c in out]
    names = {a["agency_id"]: a["name"] for a in json.loads(as_json.stdout)["agencies"]}
    assert names["zz"] == HOSTILE  # the JSON still says exactly what is stored
