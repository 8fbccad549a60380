"""Retention that disposes (issue 14 item 2): a run erases exactly what `retention due` listed."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from sqlmodel import func, select
from typer.testing import CliRunner

from peermap.cli import app
from peermap.engine import PermissionDenied, Store, build_demo, retention_due, retention_run, verify
from peermap.engine.access import Actor
from peermap.engine.clock import frozen
from peermap.engine.models import Concern, Evidence, Strength, YoungPerson
from peermap.engine.retention import load_retention_policy

BUILT = "2026-11-28T09:00:00+00:00"
LATER = "2030-09-01T09:00:00+00:00"  # the demo borough, nearly four years on


def _ids(store: Store) -> dict[str, set[str]]:
    with store.read() as s:
        return {
            "evidence": set(s.exec(select(Evidence.evidence_id)).all()),
            "concerns": set(s.exec(select(Concern.concern_id)).all()),
            "strengths": set(s.exec(select(Strength.strength_id)).all()),
            "people": {p.person_id for p in s.exec(select(YoungPerson)) if not p.name.startswith("erased on ")},
        }


def _about(store: Store) -> dict[str, dict[str, set[str]]]:
    with store.read() as s:
        return {
            "evidence": {e.evidence_id: {e.subject_id, e.object_id} for e in s.exec(select(Evidence))},
            "concerns": {c.concern_id: {c.person_id} for c in s.exec(select(Concern))},
            "strengths": {x.strength_id: {x.person_id} for x in s.exec(select(Strength))},
        }


@pytest.fixture
def borough(any_store: Store, panel: Actor, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.setenv("PEERMAP_NOW", BUILT)
    build_demo(any_store, panel, seed=7)
    monkeypatch.setenv("PEERMAP_NOW", LATER)
    return any_store


def test_a_run_disposes_of_exactly_what_was_due(borough: Store, panel: Actor, auditor: Actor) -> None:
    due = retention_due(borough, auditor)
    assert due.evidence and due.people, "four years on, two- and three-year agreements have lapsed"
    before = _ids(borough)
    about = _about(borough)
    listed = {
        "evidence": set(due.evidence),
        "concerns": set(due.concerns),
        "strengths": set(due.strengths),
        "people": set(due.people),
    }
    dry = retention_run(borough, panel, "quarterly disposal", dry_run=True)
    assert dry.to_json() == due.to_json()
    assert _ids(borough) == before  # a dry run changes nothing
    done = retention_run(borough, panel, "quarterly disposal, panel 1 Sep")
    assert done.to_json() == due.to_json()
    after = _ids(borough)
    erased = listed["people"]
    for kind in ("evidence", "concerns", "strengths"):
        gone = before[kind] - after[kind]
        assert listed[kind] <= gone, kind
        # anything else that went was about a young person erased in the same run, and nothing more
        assert {x for x in gone - listed[kind] if not (about[kind][x] & erased)} == set(), kind
    assert after["people"] == before["people"] - listed["people"]
    assert verify(borough).ok
    again = retention_due(borough, auditor)
    assert (again.evidence, again.concerns, again.strengths, again.people) == ([], [], [], [])


def test_only_the_panel_runs_retention(store: Store, practitioner: Actor, auditor: Actor) -> None:
    for who in (practitioner, auditor):
        with pytest.raises(PermissionDenied):
            retention_run(store, who, "tidy up")
    with pytest.raises(PermissionDenied):
        retention_due(store, practitioner)


def test_nothing_is_due_on_the_day_the_demo_is_built(store: Store, panel: Actor) -> None:
    with frozen(datetime.fromisoformat(BUILT)):
        build_demo(store, panel, seed=7)
        due = retention_due(store, panel)
    assert due.evidence == [] and due.people == []
    assert load_retention_policy().person_without_usable_evidence_days == 90


def test_cli_due_and_run(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    runner = CliRunner()
    assert runner.invoke(app, ["--db", str(db), "demo", "--no-tui"], env={"PEERMAP_NOW": BUILT}).exit_code == 0
    env = {"PEERMAP_NOW": LATER}
    due = runner.invoke(app, ["--db", str(db), "--role", "auditor", "retention", "due", "--json"], env=env)
    assert due.exit_code == 0, due.output
    listed = json.loads(due.stdout)
    refused = runner.invoke(app, ["--db", str(db), "retention", "run", "--reason", "x"], env=env)
    assert refused.exit_code != 0 and "panel" in refused.output
    run = runner.invoke(
        app, ["--db", str(db), "--role", "panel", "retention", "run", "--reason", "quarterly", "--json"], env=env
    )
    assert run.exit_code == 0, run.output
    assert {k: v for k, v in json.loads(run.stdout).items() if k != "dry_run"} == listed
    with Store.open(str(db)).read() as s:
        assert s.exec(select(func.count()).select_from(Evidence)).one() > 0
