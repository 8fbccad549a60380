"""The identity-review queue as a role may see it: records of young people not on the map are withheld.

Identity matching runs below the map (canonical ids feed the snapshot), so the queue itself cannot know who is
left out; this module, above mapping, computes the map for the same day and hands the records of left-out
young people to `identity.review_list`, which withholds them from practitioners (issue 12 item 6).
"""

from __future__ import annotations

from datetime import date

from .access import Actor
from .identity.review import review_list
from .map_model import MapResult
from .mapping import compute_map
from .store import Store


def records_not_on_map(result: MapResult) -> frozenset[str]:
    """Record ids (every agency's) of young people the map leaves out."""
    statuses = result.statuses
    return frozenset(
        record
        for record, canonical in result.snapshot.canonical.items()
        if (st := statuses.get(canonical)) is None or st.status == "left_out"
    )


def identity_review(
    store: Store, actor: Actor, as_at: date | None = None, *, purpose: str | None = None
) -> list[dict[str, object]]:
    """The proposals `actor` may see as at `as_at`, withheld where a record is about someone not on the map."""
    result = compute_map(store, as_at)
    return review_list(store, actor, as_at, not_on_map=records_not_on_map(result), purpose=purpose)
