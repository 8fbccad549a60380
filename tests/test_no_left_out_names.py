"""End to end on the demo borough: no practitioner output names a young person who is left out of the map."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from peermap.cli import app
from peermap.engine.access import Actor, Role
from peermap.engine.demo import build_demo
from peermap.engine.mapping import compute_map
from peermap.engine.store import Store

runner = CliRunner()


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, set[str]]:
    path = tmp_path_factory.mktemp("demo") / "peermap.db"
    store = Store.open(f"sqlite:///{path}")
    build_demo(store, Actor("loader", Role.PANEL), seed=7)
    result = compute_map(store)
    shown_names = {result.snapshot.people[p.person_id].name for p in result.shown_people()}
    # A left-out child may share a name with a shown one; only names no shown child has can be checked.
    hidden = {result.snapshot.people[p].name for p in result.left_out_ids} - shown_names
    store.dispose()
    assert len(hidden) > 50
    return f"sqlite:///{path}", hidden


def _practitioner(db: str, *args: str) -> str:
    result = runner.invoke(app, ["--db", db, "--actor", "pat", "--role", "practitioner", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_cli_outputs_never_name_a_left_out_young_person(demo_db: tuple[str, set[str]], tmp_path: Path) -> None:
    db, hidden = demo_db
    outputs = {
        "map": _practitioner(db, "map"),
        "map --json": _practitioner(db, "map", "--json"),
        "interventions --json": _practitioner(db, "interventions", "--json"),
        "interventions": _practitioner(db, "interventions"),
    }
    for kind in ("audit", "labelling", "map"):
        for fmt in ("html", "md", "json"):
            out = tmp_path / f"{kind}.{fmt}"
            _practitioner(db, "report", kind, "--format", fmt, "--out", str(out), "--recipient", "test")
            outputs[f"report {kind} {fmt}"] = out.read_text(encoding="utf-8")
    for label, text in outputs.items():
        named = sorted(n for n in hidden if n in text)
        assert named == [], f"{label} names left-out young people: {named[:5]}"


def test_explaining_each_shown_young_person_names_no_left_out_one(demo_db: tuple[str, set[str]]) -> None:
    db, hidden = demo_db
    store = Store.open(db)
    shown = [p.person_id for p in compute_map(store).shown_people()]
    store.dispose()
    for pid in shown[:40]:
        text = _practitioner(db, "explain", pid)
        assert not [n for n in hidden if n in text], pid
