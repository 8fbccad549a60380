"""Inclusion on the demo borough at the default policy: the planted hard cases come out right."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from peermap.engine import clock
from peermap.engine.access import Actor, Role
from peermap.engine.demo import DemoBorough, build_demo
from peermap.engine.map_model import MapResult
from peermap.engine.mapping import compute_map, map_json
from peermap.engine.policy import policy_in_force, with_changes
from peermap.engine.store import Store
from peermap.engine.whatif import preview_policy

TODAY = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def borough(tmp_path_factory: pytest.TempPathFactory) -> tuple[Store, DemoBorough, MapResult]:
    store = Store.open(f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}")
    with clock.frozen(TODAY):
        demo = build_demo(store, Actor("demo.loader", Role.PANEL))
        result = compute_map(store)
    yield store, demo, result
    store.dispose()


def _status(result: MapResult, pid: str):
    return result.statuses[result.snapshot.canonical.get(pid, pid)]


@pytest.mark.slow
def test_bystanders_named_once_in_an_anonymous_tip_are_not_included(borough) -> None:
    _store, demo, result = borough
    bystanders = demo.cases["bystander_tip"]
    assert bystanders
    doc = json.dumps(map_json(result))
    for pid in bystanders:
        st = _status(result, pid)
        assert st.status != "included", (pid, st.reasons)
        if st.status == "left_out":
            assert (f'"{pid}"' in doc) is False


def test_uninvolved_siblings_are_not_included(borough) -> None:
    _store, demo, result = borough
    for pid in demo.cases["uninvolved_sibling"]:
        st = _status(result, pid)
        assert st.status != "included", (pid, st.reasons)
        assert all(r.code not in ("association_only", "association_included") for r in st.reasons)


def test_harmed_child_is_distinguished_from_the_child_alleged_to_have_harmed(borough) -> None:
    _store, demo, result = borough
    (incident,) = demo.cases["harm_incident"]
    (harmed,) = demo.cases["harmed"]
    (harming,) = demo.cases["harming"]
    v, h = _status(result, harmed), _status(result, harming)
    assert v.shown and h.shown
    assert v.roles.get(incident) == ["harmed"] and h.roles.get(incident) == ["harming"]
    v_codes, h_codes = {r.code for r in v.reasons}, {r.code for r in h.reasons}
    assert "harmed_in_incident" in v_codes and "harming_in_incident" not in v_codes
    assert "harming_in_incident" in h_codes and "harmed_in_incident" not in h_codes
    harmed_text = next(r.text for r in v.reasons if r.code == "harmed_in_incident")
    assert harmed_text.startswith(f"{v.status}: harmed in an incident of concern ({incident}")
    assert "alleged" not in harmed_text


def test_demo_map_json_never_names_left_out_people(borough) -> None:
    _store, _demo, result = borough
    doc = map_json(result)
    text = json.dumps(doc)
    hidden = set(result.left_out_ids)
    assert hidden and doc["left_out_count"] == len(hidden)
    assert not hidden & {p["id"] for p in doc["people"]}
    assert not hidden & ({link["source"] for link in doc["links"]} | {link["target"] for link in doc["links"]})
    shown_names = {p["name"] for p in doc["people"]}  # the demo plants different people with the same name
    leaked = [
        pid
        for pid in hidden
        if result.snapshot.person_name(pid) not in shown_names and result.snapshot.person_name(pid) in text
    ]
    assert leaked == []


def test_demo_replay_and_a_stricter_preview(borough) -> None:
    store, _demo, result = borough
    panel = Actor("chair", Role.PANEL)
    with clock.frozen(TODAY + timedelta(days=3)):
        assert map_json(compute_map(store, result.as_at)) == map_json(result)
        current = policy_in_force(store).body
        preview = preview_policy(store, panel, with_changes(current, include_threshold=0.9))
    order = {"left_out": 0, "greyed": 1, "included": 2}
    assert preview.changes and all(order[c["to"]] < order[c["from"]] for c in preview.changes)
