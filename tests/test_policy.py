"""Policy versions in the database: default, panel-only commits, preview, history (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from test_inclusion_world import base_tables

from peermap.engine import audit, clock
from peermap.engine.access import Actor
from peermap.engine.errors import PermissionDenied, PolicyError
from peermap.engine.ingest import import_tables
from peermap.engine.mapping import compute_map
from peermap.engine.policy import (
    InclusionPolicy,
    load_default_policy,
    policy_history,
    policy_in_force,
    set_policy,
    with_changes,
)
from peermap.engine.store import Store
from peermap.engine.whatif import preview_policy

IMPORTED = datetime(2026, 10, 5, 9, 30, tzinfo=UTC)
NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def _seed(store: Store, actor: Actor) -> None:
    import_tables(store, base_tables(), actor, source="seed", imported_at=IMPORTED)


def test_default_is_version_one_dated_at_the_earliest_import(
    any_store: Store, practitioner: Actor, auditor: Actor
) -> None:
    _seed(any_store, practitioner)
    with clock.frozen(NOW):
        rec = policy_in_force(any_store)
    assert rec.version == 1 and rec.actor == "system" and rec.role == "system" and rec.replaces is None
    assert rec.created_at == IMPORTED
    assert rec.body == load_default_policy()
    with clock.frozen(NOW + timedelta(days=30)):
        again = policy_history(any_store)
    assert [r.version for r in again] == [1] and again[0].created_at == IMPORTED
    # before the first version, version 1 is deemed in force: every replay has a policy
    assert policy_in_force(any_store, datetime(2020, 1, 1, tzinfo=UTC)).version == 1
    assert len(audit.events(any_store, auditor, action="policy_default_installed")) == 1


def test_default_on_an_empty_database_is_dated_now(any_store: Store) -> None:
    with clock.frozen(NOW):
        rec = policy_in_force(any_store)
    assert rec.version == 1 and rec.created_at == NOW


@pytest.mark.slow
def test_panel_commits_a_new_version_with_reason_and_chain(any_store: Store, panel: Actor, auditor: Actor) -> None:
    with clock.frozen(NOW):
        base = policy_in_force(any_store).body
    times = [NOW + timedelta(days=d) for d in (1, 2, 5)]
    for i, at in enumerate(times):
        with clock.frozen(at):
            rec = set_policy(any_store, panel, with_changes(base, include_threshold=0.75 + i * 0.05), f"  review {i}  ")
        assert rec.version == i + 2 and rec.replaces == i + 1 and rec.reason == f"review {i}"
        assert rec.actor == panel.name and rec.role == "panel" and rec.created_at == at
    history = policy_history(any_store)
    assert [r.version for r in history] == [1, 2, 3, 4]
    assert [r.replaces for r in history] == [None, 1, 2, 3]
    # exactly one version in force at any instant
    probes = [
        NOW - timedelta(days=9),
        NOW,
        times[0] - timedelta(microseconds=1),
        times[0],
        times[1],
        times[1] + timedelta(hours=1),
        times[2],
        times[2] + timedelta(days=400),
    ]
    expected = [1, 1, 1, 2, 3, 3, 4, 4]
    assert [policy_in_force(any_store, at).version for at in probes] == expected
    events = audit.events(any_store, auditor, action="policy_set")
    assert [json_payload(e)["version"] for e in events] == [2, 3, 4]
    assert json_payload(events[0])["changes"] == {"include_threshold": {"from": base.include_threshold, "to": 0.75}}
    assert audit.verify(any_store).ok


def json_payload(event) -> dict:
    import json

    return json.loads(event.payload)


@pytest.mark.slow
@pytest.mark.parametrize("role", ["practitioner", "auditor"])
def test_only_the_panel_may_commit(any_store: Store, role: str) -> None:
    actor = Actor.parse("someone", role)
    with clock.frozen(NOW):
        before = policy_history(any_store)
        n_events = audit.count(any_store)
        with pytest.raises(PermissionDenied, match="needs the panel role"):
            set_policy(any_store, actor, with_changes(before[0].body, include_threshold=0.9), "because")
    assert policy_history(any_store) == before and audit.count(any_store) == n_events


@pytest.mark.slow
@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_reason_is_required(any_store: Store, panel: Actor, reason: str | None) -> None:
    with clock.frozen(NOW), pytest.raises(PolicyError, match="reason"):
        set_policy(any_store, panel, load_default_policy(), reason)  # type: ignore[arg-type]
    assert len(policy_history(any_store)) == 1


def test_invalid_thresholds_are_refused_even_when_validation_was_bypassed(any_store: Store, panel: Actor) -> None:
    bad = InclusionPolicy().model_copy(update={"grey_threshold": 0.9, "include_threshold": 0.6})
    with clock.frozen(NOW), pytest.raises(PolicyError, match="grey_threshold"):
        set_policy(any_store, panel, bad, "typo")
    with pytest.raises(PolicyError, match="include_threshold"):
        with_changes(InclusionPolicy(), include_threshold=1.2)
    assert len(policy_history(any_store)) == 1


@pytest.mark.slow
def test_a_version_cannot_take_effect_before_the_one_it_replaces(
    any_store: Store, panel: Actor, practitioner: Actor
) -> None:
    _seed(any_store, practitioner)
    with clock.frozen(IMPORTED - timedelta(days=1)), pytest.raises(PolicyError, match="time"):
        set_policy(any_store, panel, InclusionPolicy(include_threshold=0.8), "back-dated")


@pytest.mark.slow
def test_preview_changes_nothing_and_lists_who_moves(
    any_store: Store, panel: Actor, practitioner: Actor, auditor: Actor
) -> None:
    _seed(any_store, practitioner)
    with clock.frozen(NOW):
        current = policy_in_force(any_store)
        history = policy_history(any_store)
        proposed = with_changes(current.body, include_threshold=0.74)
        preview = preview_policy(any_store, panel, proposed)
        # P4's harming link (0.73) drops below 0.74: included -> greyed; P7 was greyed only by association
        # with P4, so drops off the map and appears by id only
        assert preview.changes == [
            {"id": "P4", "from": "included", "to": "greyed", "name": "Child 4"},
            {"id": "P7", "from": "greyed", "to": "left_out"},
        ]
        assert preview.counts["before"] == {"left_out": 3, "greyed": 3, "included": 2}
        assert preview.counts["after"] == {"left_out": 4, "greyed": 3, "included": 1}
        assert preview.counts["changed"] == 2
        assert policy_history(any_store) == history
        seen_by_practitioner = preview_policy(any_store, practitioner, proposed)
        assert seen_by_practitioner.changes == [preview.changes[0]] and seen_by_practitioner.withheld == 1
        assert preview_policy(any_store, auditor, proposed).changes == preview.changes
        on_screen = compute_map(any_store)
        fast = preview_policy(any_store, panel, proposed, result=on_screen)
        assert fast.changes == preview.changes and fast.counts == preview.counts
    logged = audit.events(any_store, auditor, action="preview_policy")
    assert len(logged) == 4 and "P7" not in logged[0].payload and "Child" not in logged[0].payload


@pytest.mark.slow
def test_preview_as_at_uses_that_days_policy(any_store: Store, panel: Actor, practitioner: Actor) -> None:
    _seed(any_store, practitioner)
    with clock.frozen(NOW):
        set_policy(any_store, panel, with_changes(InclusionPolicy(), include_threshold=0.9), "stricter")
        p = preview_policy(any_store, panel, InclusionPolicy(), as_at=date(2026, 10, 20))
    assert p.current.version == 1 and p.changes == []
