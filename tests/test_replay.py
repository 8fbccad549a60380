"""As-at replay: a map computed on a day is reproduced exactly by any later replay as at that day."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from test_inclusion_world import base_tables, evidence

from peermap.engine import clock
from peermap.engine.access import Actor
from peermap.engine.ingest import import_tables
from peermap.engine.mapping import compute_map, map_json
from peermap.engine.policy import InclusionPolicy, set_policy
from peermap.engine.store import Store

DAY1 = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)


def later_tables() -> dict[str, list[dict]]:
    """After day 3: new corroboration, a back-dated item imported late, a retraction, a new child."""
    return {
        "people": [{"person_id": "P9", "name": "Child 9"}],
        "evidence": [
            evidence("E20", "P2", "INC-1", "harming", "YW", "first_hand", "record", on="2026-10-09"),
            evidence("E21", "P9", "INC-1", "harmed", "POL", "A1", on="2026-10-02"),  # recorded early, imported late
            evidence("E22", "P9", "INC-1", "harmed", "SCH", "first_hand", "record", on="2026-10-02"),
            evidence("E23", "P1", "INC-1", "harmed", "POL", "B2", on="2026-10-09", supersedes="E1", retraction=True),
        ],
    }


@pytest.mark.slow
def test_replay_as_at_a_past_day_is_identical(any_store: Store, practitioner: Actor, panel: Actor) -> None:
    import_tables(any_store, base_tables(), practitioner, source="day1", imported_at=DAY1)
    with clock.frozen(datetime(2026, 10, 7, 16, 0, tzinfo=UTC)):
        on_the_day = map_json(compute_map(any_store))
        assert on_the_day["as_at"] == "2026-10-07"
    assert {p["id"] for p in on_the_day["people"]} == {"P1", "P2", "P4", "P5", "P7"}

    # the next days: a panel change, later imports (including a back-dated item and a retraction)
    with clock.frozen(datetime(2026, 10, 8, 10, 0, tzinfo=UTC)):
        set_policy(any_store, panel, InclusionPolicy(include_threshold=0.6, grey_threshold=0.4), "pilot review")
    import_tables(
        any_store,
        later_tables(),
        practitioner,
        source="day10",
        imported_at=datetime(2026, 10, 10, 11, 0, tzinfo=UTC),
    )

    with clock.frozen(datetime(2026, 11, 20, 9, 0, tzinfo=UTC)):
        replay = map_json(compute_map(any_store, date(2026, 10, 7)))
        today = map_json(compute_map(any_store))
    assert replay == on_the_day
    assert today != on_the_day
    assert today["policy"]["version"] == 2 and "P9" in {p["id"] for p in today["people"]}


@pytest.mark.slow
def test_replay_between_policy_versions_uses_the_version_in_force_that_day(
    any_store: Store, practitioner: Actor, panel: Actor
) -> None:
    import_tables(any_store, base_tables(), practitioner, source="day1", imported_at=DAY1)
    with clock.frozen(datetime(2026, 10, 8, 10, 0, tzinfo=UTC)):
        set_policy(any_store, panel, InclusionPolicy(include_threshold=0.8), "stricter")
    with clock.frozen(datetime(2026, 10, 20, 10, 0, tzinfo=UTC)):
        set_policy(any_store, panel, InclusionPolicy(include_threshold=0.65), "looser")
    with clock.frozen(datetime(2026, 11, 1, tzinfo=UTC)):
        versions = [compute_map(any_store, date(2026, 10, d)).policy.version for d in (1, 7, 8, 19, 20, 31)]
    assert versions == [1, 1, 2, 2, 3, 3]


@pytest.mark.slow
def test_map_before_any_import_is_empty(any_store: Store) -> None:
    with clock.frozen(datetime(2026, 10, 1, tzinfo=UTC)):
        doc = map_json(compute_map(any_store))
    assert doc["people"] == [] and doc["links"] == [] and doc["left_out_count"] == 0
    assert doc["policy"]["version"] == 1 and doc["policy"]["set_by"] == "system"
