"""Groups from array association weights are exactly the groups of the networkx reference, weights included."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime

import igraph as ig
import numpy as np
import pytest
from groups_reference import reference_communities
from hypothesis import given
from hypothesis import strategies as st
from test_groups import _random_map

from peermap.engine import clock
from peermap.engine.access import Actor, Role
from peermap.engine.association import association_weights, ordered_sums
from peermap.engine.demo import build_demo
from peermap.engine.graph import association_graph, map_graph
from peermap.engine.groups import _induced, communities, find_groups
from peermap.engine.mapping import compute_map
from peermap.engine.store import Store

TODAY = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def _same_weights(result) -> None:
    """Every pair and its three weights, bit for bit, against engine.graph.association_graph."""
    ref = association_graph(map_graph(result))
    got = association_weights(result)
    assert got.people == sorted(ref.nodes)
    want = sorted((a, b, d["weight"], d["peer"], d["copresence"]) for a, b, d in ref.edges(data=True))
    want = [(min(a, b), max(a, b), w, p, c) for a, b, w, p, c in want]
    have = [
        (got.people[u], got.people[v], w, p, c)
        for u, v, w, p, c in zip(
            got.u.tolist(), got.v.tolist(), got.weight.tolist(), got.peer.tolist(), got.copresence.tolist(), strict=True
        )
    ]
    assert sorted(have) == sorted(want)


@pytest.fixture(scope="module", params=[7, 2024])
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    store = Store.open(f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}")
    with clock.frozen(TODAY):
        build_demo(store, Actor("demo.loader", Role.PANEL), seed=request.param)
    yield store
    store.dispose()


@pytest.mark.slow
@pytest.mark.parametrize("as_at", [date(2026, 11, 28), date(2026, 6, 30), date(2025, 12, 31)])
def test_demo_borough_groups_identical_to_the_reference(demo: Store, as_at: date) -> None:
    with clock.frozen(TODAY):
        result = compute_map(demo, as_at)
    _same_weights(result)
    comms, edge = communities(association_weights(result))
    ref_comms, ref_edge = reference_communities(result)
    assert comms == ref_comms and edge == ref_edge
    assert len(comms) >= 5  # the borough has groups: the comparison is not of two empty lists
    assert [sorted(g.members) for g in result.groups] == ref_comms  # compute_map's groups are these
    for seed in (1, 3):
        assert communities(association_weights(result), seed) == reference_communities(result, seed)


@given(st.integers(0, 100_000))
def test_random_maps_identical_to_the_reference(map_seed: int) -> None:
    result = _random_map(random.Random(map_seed)).build()
    _same_weights(result)
    assert communities(association_weights(result)) == reference_communities(result)
    assert [g.to_json() for g in find_groups(result)] == [g.to_json() for g in find_groups(result)]


@given(st.lists(st.lists(st.floats(-1e6, 1e6), max_size=40), max_size=30))
def test_ordered_sums_add_one_by_one_like_python(segments: list[list[float]]) -> None:
    values = np.array([x for seg in segments for x in seg], dtype=np.float64)
    lengths = np.array([len(seg) for seg in segments], dtype=np.int64)
    starts = np.cumsum(lengths) - lengths
    got = ordered_sums(values, starts, lengths).tolist()
    want = []
    for seg in segments:
        acc = 0.0
        for x in seg:
            acc += x
        want.append(acc)
    assert got == want


def _induced_by_tuples(h: ig.Graph, vertices: list[int]) -> ig.Graph:
    """The induced subgraph as groups.py built it before (Python tuples, sorted)."""
    sub = h.induced_subgraph(vertices)
    weights = sub.es["weight"] if sub.ecount() else []
    edges = sorted((min(u, v), max(u, v), w) for (u, v), w in zip(sub.get_edgelist(), weights, strict=True))
    g = ig.Graph(n=len(vertices), edges=[(u, v) for u, v, _ in edges])
    g.es["weight"] = [w for _, _, w in edges]
    return g


@given(st.integers(0, 10_000), st.integers(2, 40))
def test_induced_subgraph_is_laid_out_as_before(seed: int, n: int) -> None:
    rnd = random.Random(seed)
    pairs = sorted({tuple(sorted(rnd.sample(range(n), 2))) for _ in range(rnd.randint(0, 3 * n))})
    h = ig.Graph(n=n, edges=pairs)
    h.es["weight"] = [round(rnd.uniform(0.01, 2.0), rnd.choice([1, 3, 12])) for _ in pairs]
    vertices = sorted(rnd.sample(range(n), rnd.randint(1, n)))
    got, want = _induced(h, vertices), _induced_by_tuples(h, vertices)
    assert got.vcount() == want.vcount()
    assert got.get_edgelist() == want.get_edgelist()
    assert (got.es["weight"] if got.ecount() else []) == (want.es["weight"] if want.ecount() else [])
