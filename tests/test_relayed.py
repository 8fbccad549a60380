"""Issue 12 item 2: relayed information is one source; anonymous or untested sources never carry a link alone."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rules_helpers import AS_AT, Item, nodes, table

from peermap.engine.origins import relay_groups
from peermap.engine.rules import load_rule_pack, score_links
from peermap.engine.rules.trace import explain_evidence

PACK = load_rule_pack()
NODES = nodes()
AGENCY_KINDS = ["police", "social_care", "school", "youth_work", "health", "voluntary"]
GRADINGS = [
    ("admiralty", "A1"),
    ("admiralty", "B2"),
    ("admiralty", "C3"),
    ("admiralty", "E5"),
    ("5x5x5", "B2"),
    ("5x5x5", "E2"),
    ("3x5x2", "R1P"),
    ("3x5x2", "U2P"),
    ("record", "first_hand"),
    ("record", "disclosure"),
    ("record", "second_hand"),
    ("record", "anonymous"),
]
UNTESTED = [("record", "anonymous"), ("5x5x5", "E1"), ("5x5x5", "E2"), ("3x5x2", "U1P"), ("3x5x2", "U2P")]


def conf(items: list[Item]) -> float:
    links = score_links(table(items, NODES), NODES, PACK, AS_AT)
    assert len(links) == 1
    return float(links.confidence[0])


def copy(n: int, grading: tuple[str, str], kind: str, age: int, **kw: object) -> Item:
    return Item(
        a="P1",
        b="L1",
        relation="present_at",
        scheme=grading[0],
        grading=grading[1],
        agency=f"agency{n}",
        kind=kind,
        observed=AS_AT - timedelta(days=age),
        evidence_id=f"E{n:03d}",
        **kw,  # type: ignore[arg-type]
    )


copies = st.lists(
    st.tuples(st.sampled_from(GRADINGS), st.sampled_from(AGENCY_KINDS), st.integers(0, 400)), min_size=1, max_size=6
)


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(copies, st.sampled_from(["shared_ref", "relay_chain", "relay_star", "relay_to_ref"]))
def test_n_copies_of_one_tip_never_score_above_one_copy(spec: list, how: str) -> None:
    """However the copies are tied together, N agencies' copies score at most the strongest single copy."""
    items = []
    for n, (grading, kind, age) in enumerate(spec):
        if how == "shared_ref":
            items.append(copy(n, grading, kind, age, source_ref="TIP-1"))
        elif how == "relay_chain":  # E001 relayed from E000, E002 from E001, ...
            items.append(copy(n, grading, kind, age, relayed_from=f"E{n - 1:03d}" if n else None))
        elif how == "relay_star":
            items.append(copy(n, grading, kind, age, relayed_from="E000" if n else None))
        else:  # every copy says where it came from by the reference of a report nobody shared
            items.append(copy(n, grading, kind, age, relayed_from="CAD-4411"))
    together = score_links(table(items, NODES), NODES, PACK, AS_AT)
    assert together.n_origins[0] <= 1 and together.n_agencies[0] <= 1
    alone = [conf([replace(it, relayed_from=None)]) for it in items]
    assert together.confidence[0] <= max(alone) + 1e-12


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(UNTESTED), st.sampled_from(AGENCY_KINDS), st.integers(0, 700)),
        min_size=1,
        max_size=12,
    )
)
def test_untested_sources_never_carry_a_link_alone(spec: list) -> None:
    """Independent origins, any number of agencies: a link of untested sources stays below the grey threshold."""
    items = [copy(n, g, kind, age, source_ref=f"R{n}") for n, (g, kind, age) in enumerate(spec)]
    links = score_links(table(items, NODES), NODES, PACK, AS_AT)
    cap = PACK.settings.untested_link_cap
    assert links.belief[0] <= cap + 1e-12
    assert links.confidence[0] < 0.5  # the shipped grey threshold


def test_untested_sources_still_corroborate_tested_evidence() -> None:
    tested = copy(0, ("record", "first_hand"), "school", 3, source_ref="S-0")
    tip = copy(1, ("record", "anonymous"), "police", 3, source_ref="S-1")
    assert conf([tested, tip]) > conf([tested])


def test_four_agencies_relaying_one_police_report_are_one_agency_worked() -> None:
    """Worked figures: police B2 (r=4, trust .85 -> b=.5667, u=.4333, conf .6533) relayed by 3 others."""
    police = copy(0, ("admiralty", "B2"), "police", 0, source_ref="CRIS-77")
    school = copy(1, ("record", "second_hand"), "school", 0, relayed_from="CRIS-77")
    yw = copy(2, ("record", "second_hand"), "youth_work", 0, relayed_from="E001")  # relays the school's note
    sc = copy(3, ("record", "first_hand"), "social_care", 0, relayed_from="E000")
    links = score_links(table([police, school, yw, sc], NODES), NODES, PACK, AS_AT)
    assert (links.n_items[0], links.n_origins[0], links.n_agencies[0]) == (4, 1, 1)
    alone = conf([police])
    assert round(alone, 4) == 0.6533
    # one origin: the four records are averaged, never added (second-hand notes pull it down, not up)
    assert links.confidence[0] < alone
    trace = explain_evidence(table([police, school, yw, sc], NODES), NODES, PACK, AS_AT)[0]
    origins = {i.evidence_id: i.origin for i in trace.items}
    assert "relayed: counted once with E001, E002, E003" in origins["E000"]
    assert "relayed: counted once with E000, E002, E003" in origins["E001"]
    assert trace.n_origins == 1


def test_relay_groups_follow_chains_and_references() -> None:
    ids = ["E1", "E2", "E3", "E4", "E5", "E6"]
    refs = ["CRIS-1", None, None, "CRIS-1", None, None]
    relayed = [None, "E3", "CRIS-1", None, "TIP-9", "TIP-9"]
    groups = relay_groups(ids, refs, relayed)
    assert groups[0] == groups[1] == groups[2] == groups[3] > 0  # E2 -> E3 -> CRIS-1 <- E1, E4
    assert groups[4] == groups[5] > 0 and groups[4] != groups[0]  # both relay an unshared reference
    assert list(relay_groups(ids, refs, [None] * 6)) == [0] * 6


@pytest.mark.slow
def test_relay_groups_are_array_code_on_a_large_table() -> None:
    n = 200_000
    ids = np.array([f"E{i}" for i in range(n)], dtype=object)
    relayed = np.where(np.arange(n) % 2 == 1, np.roll(ids, 1), None)  # each odd item relays the one before
    groups = relay_groups(ids, [None] * n, relayed)
    assert groups.max() == n // 2 and (groups[::2] == groups[1::2]).all()


def test_social_media_and_open_source_items_are_not_used_by_default() -> None:
    base = copy(0, ("admiralty", "B2"), "police", 0, source_ref="S1")
    for method in ("social_media", "open_source"):
        links = score_links(table([replace(base, collection=method)], NODES), NODES, PACK, AS_AT)
        assert links.n_items[0] == 0 and links.n_unused[0] == 1
    used = score_links(table([replace(base, collection="intelligence")], NODES), NODES, PACK, AS_AT)
    assert used.n_items[0] == 1
