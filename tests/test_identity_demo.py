"""The demo borough's planted identity cases: duplicates are proposed, look-alike children are not linked."""

from __future__ import annotations

import pytest

from peermap.engine.access import Actor
from peermap.engine.identity import propose_matches, score_pair
from peermap.engine.store import Store

demo = pytest.importorskip("peermap.engine.demo")


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
    # look-alikes (twins, cousins, namesakes) may be listed for review, but below every planted duplicate
    others = [p for key, p in proposals.items() if key not in same]
    lowest_same = min(proposals[pair].score for pair in same)
    assert all(p.score < lowest_same for p in others), [(p.id, p.score) for p in others]
    assert not any(p.auto_link for p in others)
