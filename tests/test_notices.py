"""Telling earlier recipients (issue 14 item 5): every output that named a young person since erased or
removed from the map owes its recipient a notice; the shadow-list check clears only when all are produced."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from test_tui_data import NOW, build_demo_db
from typer.testing import CliRunner

from peermap.cli import app
from peermap.engine import Store, compute_map, notices_due, os_login, run_checks
from peermap.engine.access import Actor

AUDITOR = Actor.parse("dpo", "auditor")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo_db(tmp_path_factory.mktemp("notices") / "demo.db")


@pytest.fixture
def db(template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PEERMAP_NOW", NOW.isoformat())
    path = tmp_path / "demo.db"
    shutil.copy(template, path)
    return path


def _cli(db: Path, *args: str) -> str:
    result = CliRunner().invoke(app, ["--db", str(db), *args], env={"PEERMAP_NOW": NOW.isoformat()})
    assert result.exit_code == 0, result.output
    return result.stdout


def _shadow(db: Path) -> str:
    store = Store.open(str(db))
    try:
        return run_checks(compute_map(store), store=store).check("shadow_lists").status
    finally:
        store.dispose()


def test_every_earlier_recipient_of_an_erased_young_person_gets_a_notice(db: Path, tmp_path: Path) -> None:
    body = json.loads(_cli(db, "--actor", "pat", "map", "--json"))
    person = body["people"][0]
    _cli(
        db,
        "--role",
        "auditor",
        "report",
        "audit",
        "--format",
        "md",
        "--out",
        str(tmp_path / "a.md"),
        "--recipient",
        "MACE panel",
    )
    _cli(
        db,
        "--role",
        "auditor",
        "report",
        "map",
        "--format",
        "json",
        "--out",
        str(tmp_path / "m.json"),
        "--recipient",
        "School safeguarding lead",
    )
    assert _shadow(db) != "flag"
    _cli(db, "--actor", "chair", "--role", "panel", "erase", "person", person["id"], "--reason", "erasure request")
    owed = {n["recipient"]: n for n in json.loads(_cli(db, "--role", "auditor", "notices", "--json"))}
    # On SQLite the recipient on screen is the operating-system login ("pat" is only a label beside it).
    assert set(owed) == {f"{os_login()} (on screen)", "MACE panel", "School safeguarding lead"}
    assert all(person["id"] in n["erased"] for n in owed.values())
    assert _shadow(db) == "flag"
    for recipient in owed:
        out = tmp_path / f"notice-{len(recipient)}.md"
        _cli(db, "--role", "auditor", "report", "notice", "--recipient", recipient, "--out", str(out))
        text = out.read_text(encoding="utf-8")
        assert recipient in text and person["id"] in text and person["name"] not in text
    assert json.loads(_cli(db, "--role", "auditor", "notices", "--json")) == []
    assert _shadow(db) != "flag"
    assert "no notice is owed" in _cli(db, "--role", "auditor", "notices")


def test_removal_from_the_map_owes_a_notice_too(db: Path, tmp_path: Path) -> None:
    _cli(
        db,
        "--role",
        "auditor",
        "report",
        "map",
        "--format",
        "md",
        "--out",
        str(tmp_path / "m.md"),
        "--recipient",
        "Youth offending team",
    )
    _cli(
        db,
        "--actor",
        "chair",
        "--role",
        "panel",
        "policy",
        "set",
        "--include",
        "0.95",
        "--grey",
        "0.94",
        "--reason",
        "stricter threshold after review",
    )
    store = Store.open(str(db))
    (owed,) = [n for n in notices_due(store, AUDITOR) if n.recipient == "Youth offending team"]
    store.dispose()
    assert owed.removed and not owed.erased
    _cli(
        db,
        "--role",
        "auditor",
        "report",
        "notice",
        "--recipient",
        "Youth offending team",
        "--out",
        str(tmp_path / "n.md"),
    )
    store = Store.open(str(db))
    assert [n for n in notices_due(store, AUDITOR) if n.recipient == "Youth offending team"] == []
    store.dispose()


def test_a_notice_for_someone_owed_nothing_is_refused(db: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["--db", str(db), "--role", "auditor", "report", "notice", "--recipient", "Nobody"],
        env={"PEERMAP_NOW": NOW.isoformat()},
    )
    assert result.exit_code != 0 and "no notice is owed to 'Nobody'" in result.output
