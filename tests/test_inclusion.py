"""Inclusion semantics on hand-built worlds: statuses, reasons, roles, shown links, the JSON contract."""

from __future__ import annotations

import json

import numpy as np
import pytest
from test_inclusion_world import World, record

from peermap.engine.errors import PolicyError
from peermap.engine.inclusion import decide, prepare, status_codes
from peermap.engine.mapping import build_map, map_json
from peermap.engine.policy import (
    InclusionPolicy,
    default_policy_notes,
    load_default_policy,
    validate_policy,
    with_changes,
)

POLICY = InclusionPolicy(include_threshold=0.7, grey_threshold=0.5, min_agencies=2, max_age_days=365)


def _decide(w: World, policy: InclusionPolicy = POLICY):
    snap, links = w.build()
    return decide(snap, links, policy)


def codes(st) -> list[str]:
    return [r.code for r in st.reasons]


def test_harmed_and_harming_are_distinct_reasons_and_roles() -> None:
    w = World(["V", "H"], incidents={"INC-012": "peer_on_peer_abuse"})
    w.link("V", "INC-012", "harmed", 0.81).link("H", "INC-012", "harming", 0.78)
    out = _decide(w)
    assert out["V"].status == out["H"].status == "included"
    assert codes(out["V"])[0] == "harmed_in_incident"
    assert codes(out["H"])[0] == "harming_in_incident"
    assert out["V"].roles == {"INC-012": ["harmed"]}
    assert out["H"].roles == {"INC-012": ["harming"]}
    text = out["V"].reasons[0].text
    assert text == (
        "included: harmed in an incident of concern (INC-012, peer-on-peer abuse), "
        "confidence 0.81 from 2 independent agencies"
    )
    assert "concern" not in text.split("(")[0].replace("incident of concern", "")
    assert out["V"].reasons[0].refs == ("INC-012",)
    assert "alleged to have harmed" in out["H"].reasons[0].text


def test_same_child_harmed_and_harming_keeps_roles_apart() -> None:
    w = World(["A"], incidents={"I1": "serious_youth_violence", "I2": "serious_youth_violence"})
    w.link("A", "I1", "harmed", 0.9).link("A", "I2", "harming", 0.75)
    st = _decide(w)["A"]
    assert st.roles == {"I1": ["harmed"], "I2": ["harming"]}
    assert codes(st)[:2] == ["harmed_in_incident", "harming_in_incident"]
    assert "harmed_and_harming" in codes(st)


def test_grey_band_too_few_agencies_and_too_old_are_greyed_with_their_reason() -> None:
    w = World(["G", "S", "O"], incidents={"I1": "criminal_exploitation"})
    w.link("G", "I1", "present", 0.6).link("S", "I1", "witness", 0.9, agencies=1)
    w.link("O", "I1", "harming", 0.9, age_days=400)
    out = _decide(w)
    assert {k: v.status for k, v in out.items()} == {"G": "greyed", "S": "greyed", "O": "greyed"}
    assert codes(out["G"])[0] == "grey_band" and "below the inclusion threshold of 0.70" in out["G"].reasons[0].text
    assert codes(out["S"])[0] == "too_few_agencies" and "only 1 agency" in out["S"].reasons[0].text
    assert codes(out["O"])[0] == "evidence_too_old" and "more than 365 days" in out["O"].reasons[0].text
    assert out["O"].roles == {"I1": ["harming"]}


def test_below_grey_is_left_out_with_code_but_no_names_or_ids_in_text() -> None:
    w = World(["L"], incidents={"I1": "going_missing"}).link("L", "I1", "present", 0.3)
    st = _decide(w)["L"]
    assert st.status == "left_out" and codes(st) == ["below_grey_threshold"]
    assert "I1" not in st.reasons[0].text and st.reasons[0].refs == () and st.roles == {}


def test_association_only_greyed_by_default_and_included_flagged_when_policy_says() -> None:
    w = World(["A", "B"], incidents={"I1": "criminal_exploitation"})
    w.link("A", "I1", "harming", 0.8).link("A", "B", "association", 0.6)
    out = _decide(w)
    assert out["B"].status == "greyed" and codes(out["B"]) == ["association_only"]
    assert out["B"].reasons[0].refs == ("A",)
    out = _decide(w, with_changes(POLICY, association_only="included"))
    assert out["B"].status == "included" and codes(out["B"])[0] == "association_included"
    assert "flagged" in out["B"].reasons[0].text


def test_association_below_grey_and_non_transitive_and_siblings_never_count() -> None:
    w = World(["A", "B", "C", "S", "Q", "W"], incidents={"I1": "criminal_exploitation"})
    w.link("A", "I1", "harming", 0.8)
    w.link("A", "B", "association", 0.9)  # B greyed by association
    w.link("B", "C", "association", 0.9)  # C: association with a greyed person: never transitive
    w.link("A", "S", "sibling", 0.99)  # S: sibling only
    w.link("A", "Q", "school_peer", 0.9)  # Q: school peer is not association by default
    w.link("A", "W", "association", 0.4)  # W: below the grey threshold
    out = _decide(w)
    assert out["B"].status == "greyed"
    assert out["C"].status == "left_out" and codes(out["C"]) == ["no_concern_link"]
    assert out["S"].status == "left_out" and codes(out["S"]) == ["sibling_only"]
    assert out["Q"].status == "left_out"
    assert out["W"].status == "left_out"
    out = _decide(w, with_changes(POLICY, association_only="included"))
    assert out["C"].status == "left_out" and out["S"].status == "left_out"


def test_locations_count_only_when_of_concern() -> None:
    w = World(["A", "B"], locations={"L-park": True, "L-library": False})
    w.link("A", "L-park", "present_at", 0.8).link("B", "L-library", "present_at", 0.95)
    # Issue 12: presence alone greys by default; a panel may include it (flagged presence_only).
    assert _decide(w)["A"].status == "greyed" and codes(_decide(w)["A"])[0] == "presence_only"
    out = _decide(w, with_changes(POLICY, presence_only="included"))
    assert out["A"].status == "included" and codes(out["A"])[0] == "present_at_location_of_concern"
    assert "presence_only" in codes(out["A"])
    assert "Place L-park" in out["A"].reasons[0].text
    assert out["B"].status == "left_out"
    out = _decide(w, with_changes(POLICY, locations_of_concern=False, presence_only="included"))
    assert out["A"].status == "left_out"


def test_incident_roles_option_and_co_offending_direct() -> None:
    w = World(["A", "B", "C"], incidents={"I1": "serious_youth_violence"})
    w.link("A", "I1", "harming", 0.8).link("A", "B", "co_offending", 0.85).link("C", "I1", "witness", 0.9)
    out = _decide(w)
    assert out["B"].status == "greyed" and out["C"].status == "included"
    out = _decide(w, with_changes(POLICY, co_offending_direct=True, incident_roles=["harmed", "harming"]))
    assert out["B"].status == "included" and codes(out["B"])[0] == "co_offending_with_included"
    assert out["C"].status == "left_out"


def test_review_overdue_and_single_agency_flags() -> None:
    from datetime import date

    w = World(["A"], incidents={"I1": "criminal_exploitation"}, review_by={"A": date(2026, 6, 1)})
    w.link("A", "I1", "harmed", 0.8, agencies=1)
    st = _decide(w, with_changes(POLICY, min_agencies=1))["A"]
    assert st.status == "included"
    assert "single_agency" in codes(st) and "review_overdue" in codes(st)


def _map_world() -> World:
    w = World(
        ["A", "B", "C", "D", "E"],
        {"L1": True, "L2": False},
        {"I1": "peer_on_peer_abuse", "I2": "going_missing"},
    )
    w.link("A", "I1", "harmed", 0.9).link("B", "I1", "harming", 0.6).link("A", "B", "association", 0.55)
    w.link("C", "I1", "present", 0.2).link("A", "C", "association", 0.45).link("C", "I2", "harmed", 0.3)
    w.link("D", "L2", "present_at", 0.9).link("A", "D", "sibling", 0.9).link("E", "L1", "present_at", 0.75)
    w.link("A", "L2", "present_at", 0.8)
    return w


def test_shown_links_only_between_shown_nodes_with_bands() -> None:
    snap, links = _map_world().build()
    result = build_map(snap, links, record(POLICY))
    assert [s.person_id for s in result.shown_people()] == ["A", "B", "E"]  # E: presence only, greyed (issue 12)
    assert result.statuses["E"].status == "greyed" and result.statuses["E"].reasons[0].code == "presence_only"
    assert set(result.left_out_ids) == {"C", "D"}
    drawn = {(s.source, s.target, s.relation): s.band for s in result.shown_links}
    assert drawn == {
        ("A", "I1", "harmed"): "solid",
        ("B", "I1", "harming"): "dashed",
        ("A", "B", "association"): "dashed",
        ("E", "L1", "present_at"): "solid",
        ("A", "L2", "present_at"): "solid",
    }
    assert "I2" not in {s.target for s in result.shown_links}  # linked only to a left-out child


def test_map_json_contract_never_mentions_left_out_people() -> None:
    snap, links = _map_world().build()
    doc = map_json(build_map(snap, links, record(POLICY)))
    assert set(doc) == {"as_at", "policy", "people", "left_out_count", "links", "groups"}
    assert set(doc["policy"]) == {
        "version",
        "include_threshold",
        "grey_threshold",
        "min_agencies",
        "max_age_days",
        "association_only",
        "rule_pack_version",
        "set_by",
        "set_at",
        "reason",
    }
    assert doc["left_out_count"] == 2
    text = json.dumps(doc)
    for hidden in ('"C"', '"D"', "Name of C", "Name of D", "I2"):
        assert hidden not in text
    assert [p["status"] for p in doc["people"]] == ["included", "greyed", "greyed"]  # E presence only (issue 12)
    person = doc["people"][0]
    assert set(person) == {"id", "name", "status", "reasons", "roles"}  # no number next to a child
    assert person["reasons"][0]["code"] == "harmed_in_incident"


def test_status_codes_match_decide_and_vectorised_core_is_numpy() -> None:
    snap, links = _map_world().build()
    x = prepare(snap, links)
    codes_ = status_codes(x, POLICY)
    assert isinstance(codes_, np.ndarray) and codes_.dtype == np.int8
    names = ["left_out", "greyed", "included"]
    out = decide(snap, links, POLICY, x)
    assert [names[c] for c in codes_] == [out[p].status for p in snap.nodes.ids[: snap.nodes.n_people]]


def test_empty_world() -> None:
    snap, links = World([]).build()
    result = build_map(snap, links, record(POLICY))
    assert result.statuses == {} and result.shown_links == []
    assert map_json(result)["left_out_count"] == 0


# --------------------------------------------------------------------------------------------- policy model


def test_default_policy_loads_and_every_field_has_a_why() -> None:
    p = load_default_policy()
    assert 0 <= p.grey_threshold <= p.include_threshold <= 1
    notes = default_policy_notes()
    assert set(notes) == set(InclusionPolicy.model_fields)
    assert all(len(v) > 40 for v in notes.values())


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"include_threshold": 1.5}, "include_threshold"),
        ({"grey_threshold": -0.1}, "grey_threshold"),
        ({"grey_threshold": 0.9, "include_threshold": 0.8}, "grey_threshold"),
        ({"min_agencies": 0}, "min_agencies"),
        ({"max_age_days": 0}, "max_age_days"),
        ({"association_only": "sometimes"}, "association_only"),
        ({"association_relations": ["association", "sibling"]}, "association_relations"),
        ({"incident_roles": ["harmed", "bystander"]}, "incident_roles"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_invalid_policies_name_the_field(change: dict, field: str) -> None:
    with pytest.raises(PolicyError, match=field):
        validate_policy({**POLICY.model_dump(), **change})


def test_with_changes_validates_and_keeps_vocab_order() -> None:
    p = with_changes(POLICY, incident_roles="present,harmed")
    assert p.incident_roles == ("harmed", "present")
    with pytest.raises(PolicyError, match="grey_threshold"):
        with_changes(POLICY, grey_threshold=0.8)
