"""`peermap import`, `summary` and `schema` through the CLI."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from typer.testing import CliRunner, Result

from peermap.cli import app
from peermap.engine.identity_source import os_login
from peermap.engine.ingest import json_schema

DATA = Path(__file__).parent / "data"
runner = CliRunner()


def _run(db: Path, *args: str) -> Result:
    return runner.invoke(app, ["--db", f"sqlite:///{db}", "--actor", "sam", *args])


def test_import_then_summary(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    result = _run(db, "import", str(DATA / "good"))
    assert result.exit_code == 0, result.output
    assert "import 1 wrote" in result.stdout and "14 evidence" in result.stdout
    again = _run(db, "import", str(DATA / "good"), "--json")
    assert again.exit_code == 0
    assert json.loads(again.stdout)["unchanged"] is True
    summary = _run(db, "summary", "--json")
    info = json.loads(summary.stdout)
    assert info["tables"]["evidence"] == 14 and info["imports"][0]["actor"] == os_login()
    text = _run(db, "summary")
    assert "pol: Metropolitan Police (police), 4 evidence" in text.stdout


def test_rejected_import_exits_1_with_problems_on_stderr(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    assert _run(db, "import", str(DATA / "good")).exit_code == 0
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    result = _run(db, "import", str(DATA / "bad" / "malformed_grading"))
    assert result.exit_code == 1
    assert "evidence.csv:2 [grading]" in result.stderr and "nothing written" in result.stderr
    assert result.stdout == ""
    as_json = _run(db, "import", str(DATA / "bad" / "unknown_subject"), "--json")
    assert as_json.exit_code == 1
    problems = json.loads(as_json.stderr)["problems"]
    assert problems[0]["field"] == "subject_id" and problems[0]["row"] == 2
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before


def test_quarantine_flag(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    assert _run(db, "import", str(DATA / "good")).exit_code == 0
    case = DATA / "bad" / "outside_agreement_dates"
    assert _run(db, "import", str(case)).exit_code == 1
    result = _run(db, "import", str(case), "--quarantine-outside-agreement")
    assert result.exit_code == 0, result.output
    assert "1 warnings" in result.stdout and "quarantine" in result.stdout


def test_schema_to_stdout_and_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0 and json.loads(result.stdout) == json_schema()
    out = tmp_path / "s.json"
    result = runner.invoke(app, ["schema", "--out", str(out)])
    assert result.exit_code == 0 and json.loads(out.read_text()) == json_schema()


def test_a_rejected_first_import_leaves_no_database_behind(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    for bad in ("malformed_grading", "unknown_subject"):
        result = _run(db, "import", str(DATA / "bad" / bad))
        assert result.exit_code == 1
        assert sorted(p.name for p in tmp_path.iterdir()) == []
    missing = _run(db, "import", str(tmp_path / "no-such-folder"))
    assert missing.exit_code != 0
    assert sorted(p.name for p in tmp_path.iterdir()) == []
    good = _run(db, "import", str(DATA / "good"))
    assert good.exit_code == 0 and db.exists()
