"""End to end on the demo borough: no practitioner output names a young person who is left out of the map."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from peermap.cli import app
from peermap.engine import decide, suggest
from peermap.engine.access import Actor, Role
from peermap.engine.demo import build_demo
from peermap.engine.ingest import import_tables
from peermap.engine.mapping import compute_map
from peermap.engine.models import Evidence
from peermap.engine.name_matching import COMMON_WORDS
from peermap.engine.policy import policy_in_force, set_policy
from peermap.engine.store import Store

runner = CliRunner()


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, set[str]]:
    path = tmp_path_factory.mktemp("demo") / "peermap.db"
    store = Store.open(f"sqlite:///{path}")
    build_demo(store, Actor("loader", Role.PANEL), seed=7)
    _plant_spellings(store)
    result = compute_map(store)
    shown_names = {result.snapshot.people[p.person_id].name for p in result.shown_people()}
    # A left-out child may share a name with a shown one; only names no shown child has can be checked.
    hidden = {result.snapshot.people[p].name for p in result.left_out_ids} - shown_names
    assert PLANTED["name"] in hidden, "the planted young person must still be left out"
    store.dispose()
    assert len(hidden) > 50
    return f"sqlite:///{path}", hidden | set(PLANTED["spellings"])


PLANTED: dict[str, Any] = {}


def _plant_spellings(store: Store) -> None:
    """A note and a policy reason that mention a left-out young person in several spellings.

    The young person is one whose first name and surname no shown young person has and which are not
    ordinary words, so every spelling (first name alone included) must be replaced.
    """
    result = compute_map(store)
    shown = [s.person_id for s in result.shown_people() if s.status == "included"]
    snap = result.snapshot
    shown_parts = {
        w.lower() for p in result.shown_people() for w in re.split(r"[\s\-']+", snap.people[p.person_id].name)
    }
    target = next(
        snap.people[p]
        for p in result.left_out_ids
        if not {w.lower() for w in re.split(r"[\s\-']+", snap.people[p].name)} & (shown_parts | COMMON_WORDS)
        and len(snap.people[p].name.split()) == 2
    )
    first, surname = target.name.split()
    spellings = [
        f"{surname.upper()}, {first}",
        f"{first.lower()}  {surname.lower()}",
        f"{first}-{surname}",
        f"{surname} {first}",
        first,
    ]
    PLANTED.update(name=target.name, spellings=spellings)
    a, b = shown[0], shown[1]
    with store.read() as s:
        model = s.exec(select(Evidence).where(Evidence.subject_id == a)).first()
    assert model is not None
    note = "Seen with " + "; ".join(spellings) + " near the shops."
    row = {
        "evidence_id": "EV-PLANTED-1",
        "subject_id": a,
        "object_id": b,
        "relation": "association",
        "agency": model.agency,
        "grading": model.grading,
        "grading_scheme": model.grading_scheme,
        "observed_on": model.observed_on.isoformat(),
        "agreement_id": model.agreement_id,
        "note": note,
    }
    panel = Actor("panel.chair", Role.PANEL)
    import_tables(store, {"evidence": [row]}, panel, source="planted")
    set_policy(store, panel, policy_in_force(store).body, reason=f"Review after {spellings[0]} was seen with {first}")
    mapped = compute_map(store)
    open_one = next(s for s in suggest(mapped, store=store) if not s.held_back)
    decide(store, panel, open_one.id, "defer", f"wait until {spellings[1]} is spoken to", result=mapped)


def _names(name: str, text: str) -> bool:
    """The name as a whole word or words in the text (any case: the redactor replaces every case)."""
    return re.search(rf"(?<![^\W_]){re.escape(name)}(?![^\W_])", text, re.IGNORECASE) is not None


def _practitioner(db: str, *args: str) -> str:
    return _as(db, "practitioner", *args)


def _as(db: str, role: str, *args: str) -> str:
    result = runner.invoke(app, ["--db", db, "--actor", f"{role}.user", "--role", role, *args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.slow
def test_cli_outputs_never_name_a_left_out_young_person(demo_db: tuple[str, set[str]], tmp_path: Path) -> None:
    db, hidden = demo_db
    outputs = {
        "map": _practitioner(db, "map"),
        "map --json": _practitioner(db, "map", "--json"),
        "interventions --json": _practitioner(db, "interventions", "--json"),
        "interventions": _practitioner(db, "interventions"),
        "policy show": _practitioner(db, "policy", "show"),
        "policy history --json": _practitioner(db, "policy", "history", "--json"),
        "panel policy history": _as(db, "panel", "policy", "history"),
        "panel audit log": _as(db, "panel", "audit", "log"),
        "panel audit log --json": _as(db, "panel", "audit", "log", "--json"),
        "auditor audit log --json": _as(db, "auditor", "audit", "log", "--json"),
    }
    for kind in ("audit", "labelling", "map"):
        for fmt in ("html", "md", "json"):
            out = tmp_path / f"{kind}.{fmt}"
            _practitioner(db, "report", kind, "--format", fmt, "--out", str(out), "--recipient", "test")
            outputs[f"report {kind} {fmt}"] = out.read_text(encoding="utf-8")
    for label, text in outputs.items():
        named = sorted(n for n in hidden if _names(n, text))
        assert named == [], f"{label} names left-out young people: {named[:5]}"


@pytest.mark.slow
def test_explaining_each_shown_young_person_names_no_left_out_one(demo_db: tuple[str, set[str]]) -> None:
    db, hidden = demo_db
    store = Store.open(db)
    shown = [p.person_id for p in compute_map(store).shown_people()]
    store.dispose()
    for pid in shown[:40]:
        text = _practitioner(db, "explain", pid)
        assert not [n for n in hidden if _names(n, text)], pid
