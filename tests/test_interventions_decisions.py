"""Decisions on suggestions: roles, reasons, audit, latest-wins, surviving re-scoring; CLI (issue 5)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from groups_helpers import two_groups
from sqlmodel import select
from typer.testing import CliRunner

from peermap.engine import audit, clock
from peermap.engine.access import Actor
from peermap.engine.errors import NotFound, PeermapError, PermissionDenied
from peermap.engine.interventions import decide, decision_history, decisions_for, suggest
from peermap.engine.models import Decision
from peermap.engine.store import Store

DAY = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)  # the hand-built maps are as at 2026-06-01
SID = "context-conference-place@location:L1"


@pytest.mark.slow
def test_decision_is_recorded_audited_and_attached(any_store: Store, practitioner: Actor, panel: Actor) -> None:
    store = any_store
    result = two_groups().build()
    with clock.frozen(DAY):
        row = decide(store, practitioner, SID, "defer", "  waiting for the location assessment ", result=result)
    assert row.decision == "defer" and row.reason == "waiting for the location assessment"
    assert (row.intervention_id, row.target_kind, row.target_id) == (
        "context-conference-place",
        "location",
        "L1",
    )
    events = audit.events(store, panel, action="intervention.decided")
    assert len(events) == 1
    payload = json.loads(events[0].payload)
    assert payload["suggestion_id"] == SID and payload["decision"] == "defer"
    assert audit.verify(store).ok
    by_id = {s.id: s for s in suggest(result, store=store)}
    assert by_id[SID].decision is not None and by_id[SID].decision.decision == "defer"
    assert by_id[SID].to_json()["decision"]["reason"] == "waiting for the location assessment"
    assert all(s.decision is None for s in by_id.values() if s.id != SID)


def test_latest_decision_wins_and_history_is_kept(any_store: Store, practitioner: Actor, panel: Actor) -> None:
    store = any_store
    result = two_groups().build()
    with clock.frozen(DAY):
        decide(store, practitioner, SID, "defer", "needs the panel", result=result)
    with clock.frozen(DAY.replace(hour=15)):
        decide(store, panel, SID, "accept", "agreed at the extra-familial harm panel", result=result)
    assert decisions_for(store)[SID].decision == "accept"
    assert [d.decision for d in decision_history(store, SID)] == ["defer", "accept"]
    # replaying an earlier day shows no decision yet
    assert SID not in decisions_for(store, as_at=date(2026, 5, 31))
    assert decisions_for(store, as_at=date(2026, 6, 1))[SID].decision == "accept"


def test_decision_survives_rescoring_and_regrouping(store: Store, practitioner: Actor) -> None:
    first = two_groups().build()
    group_sid = next(
        s.id for s in suggest(first) if s.intervention_id == "context-conference-group" and "A1" in s.members
    )
    with clock.frozen(DAY):
        decide(store, practitioner, group_sid, "accept", "conference booked", result=first)
    b = two_groups()
    b.links = [(x, y, r, min(1.0, c * 0.95)) for x, y, r, c in b.links]  # new evidence moved the confidences
    b.person("A0").link("A0", "B2", "association", 0.9).link("A0", "B3", "association", 0.9)  # renumbered
    again = {s.id: s for s in suggest(b.build(), store=store)}
    assert again[group_sid].decision is not None and again[group_sid].decision.decision == "accept"
    assert again[group_sid].target_label == "G-02"


def test_decision_rules(store: Store, practitioner: Actor, auditor: Actor) -> None:
    result = two_groups().build()
    with pytest.raises(PermissionDenied):
        decide(store, auditor, SID, "accept", "x", result=result)
    with pytest.raises(PeermapError, match="reason is required"):
        decide(store, practitioner, SID, "accept", "   ", result=result)
    with pytest.raises(PeermapError, match="not one of"):
        decide(store, practitioner, SID, "approve", "ok", result=result)
    with pytest.raises(NotFound, match="no current suggestion"):
        decide(store, practitioner, "peer-group-work@group:gdeadbeef00", "accept", "ok", result=result)
    with pytest.raises(NotFound, match="not a suggestion id"):
        decide(store, practitioner, "G-01", "accept", "ok", result=result)
    with store.read() as s:
        assert list(s.exec(select(Decision))) == []
    assert audit.count(store) == 0


def test_held_back_suggestion_cannot_be_accepted_but_can_be_rejected(store: Store, practitioner: Actor) -> None:
    b = two_groups()
    b.link("A3", "I1", "harming", 0.7)
    result = b.build()
    held = next(s for s in suggest(result) if s.intervention_id == "peer-group-work" and "A1" in s.members)
    assert held.held_back
    with pytest.raises(PeermapError, match="held back"):
        decide(store, practitioner, held.id, "accept", "run it anyway", result=result)
    with clock.frozen(DAY):
        row = decide(store, practitioner, held.id, "reject", "separate work planned instead", result=result)
    assert row.decision == "reject"


# --- on the demo borough, through compute_map and the CLI ---------------------------------------------------


@pytest.fixture
def demo_store(tmp_path: Path, practitioner: Actor) -> Iterator[Store]:
    from peermap.engine.demo.build import build_demo

    s = Store.open(f"sqlite:///{tmp_path / 'demo.db'}")
    s.demo = build_demo(s, practitioner, seed=7)  # type: ignore[attr-defined]
    yield s
    s.dispose()


@pytest.mark.slow
def test_demo_harmed_and_harming_are_never_in_group_work_together(demo_store: Store) -> None:
    from peermap.engine.mapping import compute_map

    cases = demo_store.demo.cases  # type: ignore[attr-defined]
    harmed, harming = set(cases["harmed"]), set(cases["harming"])
    result = compute_map(demo_store)
    assert result.groups, "compute_map fills result.groups"
    for s in suggest(result, store=demo_store):
        if s.target_kind != "group" or s.intervention_id not in ("peer-group-work", "safety-mapping"):
            continue
        group = next(g for g in result.groups if g.key == s.target_id)
        if set(group.members) & harmed and set(group.members) & harming:
            assert s.held_back and "harmed_and_harming_together" in s.held_back


@pytest.mark.slow
def test_cli_lists_suggestions_and_records_a_decision(demo_store: Store, panel: Actor) -> None:
    from peermap.cli import app

    runner = CliRunner()
    db = ["--db", demo_store.url, "--actor", "sam.worker", "--role", "practitioner"]
    out = runner.invoke(app, [*db, "interventions", "--json"])
    assert out.exit_code == 0, out.output
    rows = json.loads(out.stdout)
    assert rows and {
        "id",
        "intervention",
        "title",
        "level",
        "target",
        "because",
        "score",
        "held_back",
        "decision",
    } <= set(rows[0])
    assert {r["target"]["kind"] for r in rows} <= {"group", "location", "school"}
    pick = next(r for r in rows if not r["held_back"])
    out = runner.invoke(app, [*db, "decide", pick["id"], "accept", "--reason", "agreed with the DSL"])
    assert out.exit_code == 0, out.output
    out = runner.invoke(app, [*db, "interventions", "--json"])
    after = {r["id"]: r for r in json.loads(out.stdout)}
    assert after[pick["id"]]["decision"]["decision"] == "accept"
    text = runner.invoke(app, [*db, "interventions"])
    assert text.exit_code == 0 and "ACCEPT" in text.stdout and pick["id"] in text.stdout
    bad = runner.invoke(app, [*db, "decide", "nope@group:gx", "accept", "--reason", "r"])
    assert bad.exit_code == 2 and "no current suggestion" in bad.output
    actions = [e.action for e in audit.events(demo_store, panel)]
    assert "view_interventions" in actions and "intervention.decided" in actions
