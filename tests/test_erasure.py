"""Erasure that is real (issue 14 item 3-4): the bytes are gone, a tombstone stays, the chain verifies."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from peermap.cli import app
from peermap.engine import (
    PermissionDenied,
    Store,
    build_demo,
    compute_map,
    erase_person,
    erasures,
    verify,
)
from peermap.engine.access import Actor
from peermap.engine.models import Evidence, YoungPerson

DEMO_NOW = "2026-11-28T09:00:00+00:00"


@pytest.fixture(autouse=True)
def _clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PEERMAP_NOW", DEMO_NOW)


def _dump(store: Store) -> bytes:
    """Every byte the database holds: the SQLite file, or pg_dump of the test's schema."""
    url = store.engine.url
    if url.get_backend_name() == "sqlite":
        store.engine.dispose()
        return Path(str(url.database)).read_bytes()
    schema = str(url.query.get("options", "")).split("search_path=")[-1]
    out = subprocess.run(
        ["pg_dump", "-h", "127.0.0.1", "-U", "postgres", "-d", "test", "-n", schema, "--data-only"],
        capture_output=True,
        check=True,
    )
    return out.stdout


def _choose(store: Store, dump: bytes) -> tuple[YoungPerson, list[str]]:
    """An included young person whose name and date of birth stand nowhere else, with evidence notes."""
    result = compute_map(store)
    with store.read() as s:
        people = list(s.exec(select(YoungPerson)))
        evidence = list(s.exec(select(Evidence)))
    names = [p.name for p in people]
    for st in result.shown_people():
        p = next(x for x in people if x.person_id == st.person_id)
        notes = [e.note for e in evidence if e.subject_id == p.person_id and e.note and len(e.note) > 25]
        notes = [
            n
            for n in notes
            if dump.count(n.encode()) == 1
            and not any(n in x.note for x in evidence if x.subject_id != p.person_id and x.note)
        ]
        if (
            p.date_of_birth
            and names.count(p.name) == 1
            and dump.count(p.name.encode()) >= 1
            and dump.count(p.date_of_birth.isoformat().encode()) == 1
            and notes
            and len(result.snapshot.records_of.get(p.person_id, [p.person_id])) == 1
        ):
            return p, notes
    raise AssertionError("the demo borough has a young person to erase")


@pytest.fixture
def borough(any_store: Store, panel: Actor) -> Store:
    build_demo(any_store, panel, seed=7)
    return any_store


def test_erasure_leaves_no_bytes_a_tombstone_and_a_verifying_chain(borough: Store, panel: Actor) -> None:
    person, notes = _choose(borough, _dump(borough))
    pid, name, dob = person.person_id, person.name, person.date_of_birth
    assert dob is not None
    report = erase_person(borough, panel, pid, "erasure request from the young person, 2 Dec")
    assert report.records == [pid] and report.rows_deleted.get("evidence", 0) > 0
    dump = _dump(borough)
    assert name.encode() not in dump
    assert dob.isoformat().encode() not in dump
    for note in notes:
        assert note.encode() not in dump, note
    check = verify(borough)
    assert check.ok, check.problem
    with borough.read() as s:
        row = s.get(YoungPerson, pid)
    assert row is not None and row.name == report.tombstone and row.date_of_birth is None
    assert report.tombstone.startswith("erased on 2026-11-28 under erasure request")
    (tomb,) = erasures(borough)
    assert tomb["records"] == [pid] and tomb["actor"] == panel.name and name not in json.dumps(tomb)
    assert pid not in {s.person_id for s in compute_map(borough).shown_people()}


def test_only_the_panel_may_erase(store: Store, practitioner: Actor, auditor: Actor, panel: Actor) -> None:
    build_demo(store, panel, seed=7)
    for who in (practitioner, auditor):
        with pytest.raises(PermissionDenied):
            erase_person(store, who, "YP-0001", "asked")


def _cli(db: Path, *args: str) -> str:
    result = CliRunner().invoke(app, ["--db", str(db), *args], env={"PEERMAP_NOW": DEMO_NOW})
    assert result.exit_code == 0, result.output
    return result.stdout


def test_reports_after_erasure_show_the_tombstone_never_the_data(tmp_path: Path, panel: Actor) -> None:
    db = tmp_path / "demo.db"
    _cli(db, "demo", "--no-tui")
    store = Store.open(str(db))
    person, _ = _choose(store, _dump(store))
    store.dispose()
    # named in earlier outputs, then erased
    _cli(db, "--actor", "pat", "explain", person.person_id)
    out = _cli(
        db,
        "--actor",
        "chair",
        "--role",
        "panel",
        "erase",
        "person",
        person.person_id,
        "--reason",
        f"request from {person.name}'s mother, 2 Dec",
    )
    assert "erased 1 record(s)" in out and person.name not in out
    sar = tmp_path / "sar.json"
    _cli(
        db,
        "--role",
        "auditor",
        "report",
        "subject",
        "--person",
        person.person_id,
        "--format",
        "json",
        "--out",
        str(sar),
        "--recipient",
        "DPO",
    )
    audit_report = tmp_path / "audit.md"
    _cli(db, "--role", "auditor", "report", "audit", "--format", "md", "--out", str(audit_report), "--recipient", "DPO")
    for path in (sar, audit_report):
        text = path.read_text(encoding="utf-8")
        assert person.name not in text
        assert "erased on 2026-11-28 under erasure request" in text, path.name
    verified = CliRunner().invoke(app, ["--db", str(db), "audit", "verify"], env={"PEERMAP_NOW": DEMO_NOW})
    assert verified.exit_code == 0, verified.output
