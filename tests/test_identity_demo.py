"""The demo borough's planted identity cases: duplicates are proposed, look-alike children are not linked."""

from __future__ import annotations

import pytest

from engine.access import Actor
from engine.identity import propose_matches, score_pair
from engine.store import Store

demo = pytest.importorskip("engine.demo")


@pytest.mark.slow
def test_demo_duplicates_are_proposed_and_look_alikes_never_auto_linked(store: Store, panel: Actor) -> None:
    borough = demo.build_demo(store, panel)
    proposals = {(p.record_a, p.record_b): p for p in propose_matches(store)}
    same = [tuple(sorted(pair)) for pair in borough.cases["same_person_records"]]
    assert same
    found = [pair for pair in same if pair in proposals]
    assert found == same, f"not proposed: {sorted(set(same) - set(found))}"
    for a, b in borough.cases["similar_different_people"]:
        scored = score_pair(store, a, b)
        assert not scored.auto_link, scored.explanation
    unplanted = [p.id for key, p in proposals.items() if key not in same]
    assert len(unplanted) <= 2, unplanted  # the review list is not flooded with look-alikes
