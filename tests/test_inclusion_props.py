"""Property tests over random worlds: monotone thresholds, disjoint statuses, left-out people never output."""

from __future__ import annotations

import json

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from test_inclusion_world import World, record

from peermap.engine.inclusion import INCLUDED, LEFT_OUT, decide, prepare, status_codes
from peermap.engine.mapping import build_map, map_json
from peermap.engine.policy import InclusionPolicy

PP = ["association", "co_offending", "sibling", "school_peer", "online_contact"]
INC = ["harmed", "harming", "witness", "present"]


@st.composite
def worlds(draw: st.DrawFn) -> World:
    n_people = draw(st.integers(1, 9))
    people = [f"P{i}" for i in range(n_people)]
    locs = {f"L{i}": draw(st.booleans()) for i in range(draw(st.integers(0, 3)))}
    incs = {
        f"I{i}": draw(st.sampled_from(["peer_on_peer_abuse", "going_missing"])) for i in range(draw(st.integers(0, 3)))
    }
    w = World(people, locs, incs)
    seen: set[tuple[str, str, str]] = set()
    for _ in range(draw(st.integers(0, 25))):
        a = draw(st.sampled_from(people))
        kind = draw(st.sampled_from(["person", "location", "incident"]))
        if kind == "person" and n_people > 1:
            b = draw(st.sampled_from([p for p in people if p != a]))
            rel = draw(st.sampled_from(PP))
            key = (min(a, b), max(a, b), rel)
        elif kind == "location" and locs:
            b, rel = draw(st.sampled_from(sorted(locs))), "present_at"
            key = (a, b, rel)
        elif kind == "incident" and incs:
            b, rel = draw(st.sampled_from(sorted(incs))), draw(st.sampled_from(INC))
            key = (a, b, rel)
        else:
            continue
        if key in seen:
            continue
        seen.add(key)
        w.link(a, b, rel, draw(st.floats(0, 1)), draw(st.integers(1, 4)), draw(st.integers(0, 800)))
    return w


@st.composite
def policies(draw: st.DrawFn) -> InclusionPolicy:
    grey = draw(st.floats(0, 1))
    inc = draw(st.floats(grey, 1))
    return InclusionPolicy(
        include_threshold=inc,
        grey_threshold=grey,
        min_agencies=draw(st.integers(1, 4)),
        max_age_days=draw(st.integers(1, 900)),
        association_only=draw(st.sampled_from(["greyed", "included"])),
        co_offending_direct=draw(st.booleans()),
    )


@given(worlds(), policies(), st.floats(0, 1))
def test_raising_the_include_threshold_never_adds_included_people(w: World, p: InclusionPolicy, bump: float) -> None:
    snap, links = w.build()
    x = prepare(snap, links)
    higher = p.model_copy(update={"include_threshold": p.include_threshold + (1 - p.include_threshold) * bump})
    before = status_codes(x, p) == INCLUDED
    after = status_codes(x, higher) == INCLUDED
    assert not np.any(after & ~before)


@given(worlds(), policies(), st.floats(0, 1))
def test_raising_the_grey_threshold_never_adds_shown_people(w: World, p: InclusionPolicy, bump: float) -> None:
    snap, links = w.build()
    x = prepare(snap, links)
    higher = p.model_copy(update={"grey_threshold": p.grey_threshold + (p.include_threshold - p.grey_threshold) * bump})
    assert not np.any((status_codes(x, higher) != LEFT_OUT) & (status_codes(x, p) == LEFT_OUT))


@given(worlds(), policies())
def test_stricter_agencies_and_age_never_add_included_people(w: World, p: InclusionPolicy) -> None:
    snap, links = w.build()
    x = prepare(snap, links)
    stricter = p.model_copy(update={"min_agencies": p.min_agencies + 1, "max_age_days": max(1, p.max_age_days // 2)})
    assert not np.any((status_codes(x, stricter) == INCLUDED) & (status_codes(x, p) != INCLUDED))


@given(worlds(), policies())
def test_statuses_are_disjoint_total_and_agree_with_the_core(w: World, p: InclusionPolicy) -> None:
    snap, links = w.build()
    out = decide(snap, links, p)
    assert set(out) == set(snap.people)
    included = {k for k, v in out.items() if v.status == "included"}
    greyed = {k for k, v in out.items() if v.status == "greyed"}
    assert not included & greyed
    assert all(v.reasons and v.reasons[0].code for v in out.values())
    names = ("left_out", "greyed", "included")
    core = status_codes(prepare(snap, links), p)
    assert [names[c] for c in core] == [out[k].status for k in snap.nodes.ids[: snap.nodes.n_people]]
    for k, v in out.items():
        if v.status == "included":
            assert v.confidence >= p.include_threshold or v.reasons[0].code == "association_included"
        role_of = {"harmed_in_incident": "harmed", "harming_in_incident": "harming"}
        for r in v.reasons:  # a harmed/harming reason always matches the recorded role in that incident
            if r.code in role_of:
                assert role_of[r.code] in v.roles[r.refs[0]], k


@given(worlds(), policies())
def test_left_out_people_never_appear_in_map_json(w: World, p: InclusionPolicy) -> None:
    snap, links = w.build()
    result = build_map(snap, links, record(p))
    doc = map_json(result)
    hidden = set(result.left_out_ids)
    assert hidden.isdisjoint(x["id"] for x in doc["people"])
    for link in doc["links"]:
        assert link["source"] not in hidden and link["target"] not in hidden
    for sl in result.shown_links:
        assert sl.band == ("solid" if sl.confidence >= p.include_threshold else "dashed")
        assert sl.confidence >= p.grey_threshold
    text = json.dumps(doc)
    for pid in hidden:
        assert f"Name of {pid}" not in text and f'"{pid}"' not in text
    assert doc["left_out_count"] == len(hidden)
    assert len(doc["people"]) + len(hidden) == len(snap.people)
