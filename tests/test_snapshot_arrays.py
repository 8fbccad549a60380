"""The snapshot read with plain SQL is the snapshot the ORM loader built, column for column; and it is cached
per data state, so repeated maps do not read the database again."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import pytest
from snapshot_reference import reference_snapshot

from peermap.engine import audit, clock
from peermap.engine.access import Actor, Role
from peermap.engine.demo import build_demo
from peermap.engine.identity import confirm
from peermap.engine.ingest import import_tables
from peermap.engine.snapshot import ARRAY_FIELDS, Snapshot, build_snapshot, load_snapshot
from peermap.engine.store import Store

TODAY = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
PANEL = Actor("chair.panel", Role.PANEL)


def _rows(values: Any) -> Any:
    if isinstance(values, dict):
        return {k: _rows(v) for k, v in values.items()}
    if isinstance(values, list):
        return [_rows(v) for v in values]
    return values.model_dump()


def assert_same_snapshot(got: Snapshot, want: Snapshot) -> None:
    assert got.as_at == want.as_at
    assert got.nodes.ids == want.nodes.ids and got.nodes.position == want.nodes.position
    assert got.nodes.n_people == want.nodes.n_people
    assert got.nodes.kinds.dtype == want.nodes.kinds.dtype and np.array_equal(got.nodes.kinds, want.nodes.kinds)
    for name in ("people", "locations", "incidents", "agencies", "agreements"):
        a, b = getattr(got, name), getattr(want, name)
        assert list(a) == list(b), name  # same keys in the same order
        assert _rows(a) == _rows(b), name
    assert _rows(got.strengths) == _rows(want.strengths)
    assert _rows(got.concerns) == _rows(want.concerns)
    assert got.records_of == want.records_of and got.canonical == want.canonical
    assert got.withdrawn_by == want.withdrawn_by
    for name in ARRAY_FIELDS:
        a, b = getattr(got.evidence, name), getattr(want.evidence, name)
        assert a.dtype == b.dtype, name
        assert np.array_equal(a, b), name
    assert got.evidence.agencies == want.evidence.agencies
    assert got.evidence.source_refs == want.evidence.source_refs


@pytest.fixture
def demo(any_store: Store) -> Iterator[tuple[Store, Any]]:
    with clock.frozen(TODAY):
        borough = build_demo(any_store, PANEL, seed=7)
    yield any_store, borough


@pytest.mark.slow
def test_plain_sql_snapshot_matches_the_orm_loader(demo: tuple[Store, Any]) -> None:
    store, borough = demo
    days = [date(2026, 11, 28), date(2026, 8, 31), date(2026, 1, 15), date(2025, 8, 15)]
    for as_at in days:
        with store.read() as s:
            new, old = build_snapshot(s, as_at), reference_snapshot(s, as_at)
        assert_same_snapshot(new, old)
        assert len(new.evidence) > 0 and len(new.people) > 0
    # Confirmed identity links re-key people, evidence, strengths and concerns to canonical ids.
    with clock.frozen(TODAY):
        for a, b in borough.cases["same_person_records"][:3]:
            confirm(store, PANEL, a, b, "same child: school and police records agree")
    with store.read() as s:
        new, old = build_snapshot(s, date(2026, 11, 28)), reference_snapshot(s, date(2026, 11, 28))
    assert_same_snapshot(new, old)
    assert any(len(v) > 1 for v in new.records_of.values())


@pytest.mark.slow
def test_snapshot_is_cached_per_data_state(demo: tuple[Store, Any]) -> None:
    store, _ = demo
    day = date(2026, 11, 28)
    first = load_snapshot(store, day)
    assert load_snapshot(store, day) is first
    other_day = load_snapshot(store, date(2026, 6, 1))
    assert other_day is not first and other_day.as_at == date(2026, 6, 1)
    # A view is audited but changes no data: still the cached snapshot.
    audit.log_event(store, PANEL, "view_person", {"person_id": "YP-0001", "via": "test"})
    assert load_snapshot(store, day) is first
    # New data: read again, and the new rows are in it.
    with clock.frozen(TODAY):
        import_tables(
            store,
            {
                "people": [{"person_id": "YP-NEW1", "name": "Nia Test", "date_of_birth": "2011-03-02"}],
            },
            PANEL,
            source="cache test",
        )
    fresh = load_snapshot(store, day)
    assert fresh is not first and "YP-NEW1" in fresh.people
    with store.read() as s:
        assert_same_snapshot(fresh, reference_snapshot(s, day))


@pytest.mark.slow
def test_cached_rows_refuse_changes(demo: tuple[Store, Any]) -> None:
    store, _ = demo
    snap = load_snapshot(store, date(2026, 11, 28))
    person = next(iter(snap.people.values()))
    with pytest.raises(AttributeError):
        person.name = "changed"
    assert load_snapshot(store, date(2026, 11, 28)).people[person.person_id].name != "changed"
