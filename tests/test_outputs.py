"""Outputs never destroy inputs and are never unaudited (issue 18.1): every command that writes a file."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
from test_ingest import GOOD
from typer.testing import CliRunner

from peermap import reports
from peermap.cli import app
from peermap.engine import audit
from peermap.engine.access import Actor
from peermap.engine.errors import DatabaseBusy, OutputRefused, PeermapError
from peermap.engine.ingest import import_path
from peermap.engine.store import Store

runner = CliRunner()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def db(tmp_path: Path, practitioner: Actor) -> Path:
    path = tmp_path / "x.db"
    store = Store.open(str(path))
    import_path(store, GOOD, practitioner)
    store.dispose()
    return path


def _report(db: Path, out: Path, *extra: str) -> object:
    return runner.invoke(app, ["--db", str(db), "report", "map", "--format", "md", "--out", str(out), *extra])


@pytest.mark.parametrize("suffix", ["", "-journal", "-wal", "-shm"])
def test_report_out_may_not_be_the_database_or_its_journal_files(db: Path, suffix: str) -> None:
    before = _sha(db)
    target = Path(str(db) + suffix)
    out = _report(db, target)
    assert out.exit_code == 2, out.output
    assert "would destroy it" in out.output and "Traceback" not in out.output
    assert _sha(db) == before
    assert suffix == "" or not target.exists()


def test_the_database_reached_by_another_spelling_is_refused(db: Path, tmp_path: Path) -> None:
    link = tmp_path / "alias.html"
    link.symlink_to(db)
    before = _sha(db)
    for target in (link, tmp_path / "sub" / ".." / "x.db"):
        out = _report(db, target)
        assert out.exit_code == 2 and "would destroy it" in out.output, (target, out.output)
    assert _sha(db) == before


def test_a_file_peermap_did_not_write_is_never_replaced(db: Path, tmp_path: Path) -> None:
    mine = tmp_path / "notes.md"
    mine.write_text("my own notes\n")
    for extra in ((), ("--force",)):
        out = _report(db, mine, *extra)
        assert out.exit_code == 2 and "peermap did not write it" in out.output, out.output
    assert mine.read_text() == "my own notes\n"
    schema = runner.invoke(app, ["--db", str(db), "schema", "--out", str(db), "--force"])
    assert schema.exit_code == 2 and "would destroy it" in schema.output


def test_replacing_a_report_peermap_wrote_needs_force_and_an_unchanged_file(db: Path, tmp_path: Path) -> None:
    target = tmp_path / "map.md"
    first = _report(db, target)
    assert first.exit_code == 0, first.output
    again = _report(db, target)
    assert again.exit_code == 2 and "add --force" in again.output and "written by peermap" in again.output
    forced = _report(db, target, "--force")
    assert forced.exit_code == 0, forced.output
    target.write_text(target.read_text() + "edited by hand\n")  # no longer what peermap wrote
    edited = _report(db, target, "--force")
    assert edited.exit_code == 2 and "peermap did not write it" in edited.output
    assert target.read_text().endswith("edited by hand\n")


def test_the_report_names_its_audit_head_and_its_event_follows_it(db: Path, tmp_path: Path) -> None:
    target = tmp_path / "map.json"
    out = runner.invoke(app, ["--db", str(db), "report", "map", "--format", "json", "--out", str(target)])
    assert out.exit_code == 0, out.output
    head = json.loads(target.read_text())["stamp"]["audit_head"]
    store = Store.open(str(db))
    ev = audit.events(store, Actor("a", audit.Role.AUDITOR), action="report")[-1]
    assert ev.seq == head["seq"] + 1 and ev.prev_hash == head["hash"]
    payload = json.loads(ev.payload)
    assert payload["out"] == str(target.resolve()) and payload["digest"] == _sha(target)
    assert payload["audit_head"] == head
    md = runner.invoke(app, ["--db", str(db), "report", "map", "--format", "md"])
    assert f"| Audit head | event {ev.seq}, {ev.hash} |" in md.output


def test_a_locked_database_leaves_no_report_and_no_traceback(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PEERMAP_LOCK_TIMEOUT", "0.3")
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process writing
    try:
        target = tmp_path / "map.md"
        out = _report(db, target)
        assert out.exit_code == 2 and "the database is busy" in out.output and "Traceback" not in out.output
        assert not target.exists() and list(tmp_path.glob(".map.md.*")) == []
        store = Store.open(str(db))
        with pytest.raises(DatabaseBusy):
            reports.produce(store, Actor("p", audit.Role.PRACTITIONER), "map", "md", out=target)
        assert not target.exists()
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_read_only_database_leaves_no_report(db: Path, tmp_path: Path, practitioner: Actor) -> None:
    store = Store.open(f"sqlite:///file:{db}?mode=ro&uri=true")
    target = tmp_path / "map.html"
    with pytest.raises(PeermapError, match="read-only"):
        reports.produce(store, practitioner, "map", "html", out=target)
    assert not target.exists() and list(tmp_path.glob(".map.html.*")) == []


def test_report_to_stdout_is_audited_before_it_is_printed(db: Path) -> None:
    out = runner.invoke(app, ["--db", str(db), "report", "map", "--format", "md"])
    assert out.exit_code == 0
    store = Store.open(str(db))
    ev = audit.events(store, Actor("a", audit.Role.AUDITOR), action="report")[-1]
    payload = json.loads(ev.payload)
    assert payload["out"] is None and payload["digest"] == hashlib.sha256(out.stdout.encode()).hexdigest()


def test_outputs_on_postgresql_refuse_files_peermap_did_not_write(
    any_store: Store, tmp_path: Path, auditor: Actor
) -> None:
    mine = tmp_path / "mine.json"
    mine.write_text("{}")
    with pytest.raises(OutputRefused, match="peermap did not write it"):
        reports.produce(any_store, auditor, "audit", "json", out=mine, force=True)
    rep = reports.produce(any_store, auditor, "audit", "json", out=tmp_path / "a.json")
    assert rep.path == (tmp_path / "a.json").resolve() and audit.verify(any_store).ok


def test_an_import_waiting_too_long_for_the_lock_says_another_import_is_running(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PEERMAP_LOCK_TIMEOUT", "0.3")
    folder = tmp_path / "more"
    folder.mkdir()
    (folder / "agencies.csv").write_text("agency_id,name,kind\nyouth,Youth service,youth_work\n")
    before = _sha(db)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another import holding the write lock
    try:
        out = runner.invoke(app, ["--db", str(db), "import", str(folder)])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert out.exit_code == 2, out.output
    assert "another import is running" in out.output and "Try again" in out.output
    assert "Traceback" not in out.output and _sha(db) == before
