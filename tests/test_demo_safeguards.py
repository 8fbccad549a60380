"""Issue 12 on the demo borough: each planted case of messy or hostile evidence is handled."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from peermap.engine import clock
from peermap.engine.access import Actor, Role
from peermap.engine.demo import DemoBorough, build_demo
from peermap.engine.demo.safeguard_cases import variants
from peermap.engine.interventions import suggest
from peermap.engine.labelling import run_checks
from peermap.engine.map_model import MapResult
from peermap.engine.mapping import build_map, compute_map, map_json, rule_pack_of
from peermap.engine.policy import policy_in_force, with_changes
from peermap.engine.rules.trace import explain_link
from peermap.engine.store import Store

TODAY = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def borough(tmp_path_factory: pytest.TempPathFactory) -> tuple[Store, DemoBorough, MapResult]:
    store = Store.open(f"sqlite:///{tmp_path_factory.mktemp('demo12') / 'demo.db'}")
    with clock.frozen(TODAY):
        demo = build_demo(store, Actor("demo.loader", Role.PANEL))
        result = compute_map(store)
    yield store, demo, result
    store.dispose()


def _status(result: MapResult, pid: str):
    return result.statuses[result.snapshot.canonical.get(pid, pid)]


def test_exploited_child_recorded_as_harming_is_shown_as_possibly_exploited(borough) -> None:
    store, demo, result = borough
    (pid,) = demo.cases["exploited_harming"]
    (inc,) = demo.cases["exploited_incident"]
    st = _status(result, pid)
    assert st.shown and "harming" in st.roles[inc]
    text = " | ".join(r.text for r in st.reasons)
    assert f"recorded as harming in {inc}" in text and "county lines" in text and "possibly exploited" in text
    assert "alleged to have harmed others" not in text.replace("as alleged to have harmed others (", "")
    assert "possibly_exploited" in [r.code for r in st.reasons]
    with clock.frozen(TODAY):
        report = run_checks(result, store)
    check = report.check("exploited_shown_as_harming")
    assert check.flagged and pid in check.affected


def test_group_work_with_those_harming_alongside_an_exploited_child_is_held_back(borough) -> None:
    _store, demo, result = borough
    (pid,) = demo.cases["exploited_harming"]
    held = [
        s
        for s in suggest(result)
        if s.target_kind == "group" and s.held_back and "exploited_with_exploiters" in (s.held_back or "")
    ]
    assert held, "a group holding the exploited child and their co-accused must have its group work held back"
    assert any(pid in s.held_back for s in held)


def test_one_tip_relayed_by_four_agencies_is_one_origin_and_one_agency(borough) -> None:
    _store, demo, result = borough
    (pid,) = demo.cases["relayed_tip"]
    (loc,) = demo.cases["relayed_place"]
    rows = result.links.find(pid, loc)
    assert len(rows) == 1
    row = int(rows[0])
    assert (int(result.links.n_items[row]), int(result.links.n_origins[row]), int(result.links.n_agencies[row])) == (
        4,
        1,
        1,
    )
    st = _status(result, pid)
    assert st.status != "included" or loc not in [r for reason in st.reasons for r in reason.refs]
    trace = explain_link(result.snapshot, rule_pack_of(result), pid, loc)
    first, *copies = demo.cases["relayed_items"]
    origins = {i.evidence_id: i.origin for i in trace.parts[0].items}
    assert all("relayed: counted once with" in origins[e] for e in [first, *copies])


def test_presence_alone_is_greyed_and_counted_at_the_place_without_names(borough) -> None:
    store, demo, result = borough
    (loc,) = demo.cases["presence_place"]
    for pid in demo.cases["presence_only"]:
        st = _status(result, pid)
        assert st.status == "greyed" and st.reasons[0].code == "presence_only", (pid, st.reasons)
    with clock.frozen(TODAY):
        rec = policy_in_force(store)
    panel = with_changes(rec.body, presence_only="included")
    wider = build_map(result.snapshot, result.links, rec.__class__(**{**rec.__dict__, "body": panel}))
    for pid in demo.cases["presence_only"]:
        st = _status(wider, pid)
        assert st.status == "included" and "presence_only" in [r.code for r in st.reasons]
    # place-level suggestions count greyed young people at the place without naming them
    for s in suggest(result):
        if s.target_kind == "location" and s.target_id == loc:
            for pid in demo.cases["presence_only"]:
                assert pid not in json.dumps(s.to_json(), default=str)


def test_sibling_recorded_as_associate_is_a_sibling(borough) -> None:
    _store, demo, result = borough
    (pid,) = demo.cases["sibling_recorded_as_associate"]
    st = _status(result, pid)
    # the school's "association" between the two is their sibling link: never association (before issue 12
    # it greyed this child by association with their brother or sister)
    assert st.status == "left_out" and st.reasons[0].code in ("sibling_only", "no_concern_link")
    rows = result.links.find(pid, demo.cases["sibling_of_uninvolved"][demo.cases["uninvolved_sibling"].index(pid)])
    assert {result.links.relation_of(int(i)).value for i in rows} == {"association", "sibling"}


def test_present_at_a_hotel_with_adults_is_not_described_only_as_present(borough) -> None:
    _store, demo, result = borough
    (pid,) = demo.cases["hotel_present"]
    st = _status(result, pid)
    assert st.shown
    codes = [r.code for r in st.reasons]
    assert "present_where_adults" in codes


def test_left_out_young_person_named_in_notes_is_never_named_on_the_map(borough) -> None:
    _store, demo, result = borough
    (pid,) = demo.cases["left_out_named"]
    assert _status(result, pid).status == "left_out"
    person = result.snapshot.people[result.snapshot.canonical.get(pid, pid)]
    first, surname = person.name.split(" ", 1)
    doc = json.dumps(map_json(result))
    for spelling in variants(first, surname)[:4]:
        assert spelling not in doc
    assert len(demo.cases["name_variant_notes"]) == 5
    assert all(person.name.split(" ")[0] in r for r in demo.reasons.values())
