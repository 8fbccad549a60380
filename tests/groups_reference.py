"""Group finding as it was before the association weights became arrays: the networkx association graph,
detect_groups on it, and edge members from networkx's weighted degrees. The reference the array path must
reproduce exactly (tests/test_groups_arrays.py)."""

from __future__ import annotations

from collections import defaultdict

from peermap.engine.graph import association_graph, map_graph
from peermap.engine.groups import EDGE_SHARE, MIN_GROUP_SIZE, RESOLUTION, detect_groups
from peermap.engine.map_model import MapResult


def reference_communities(
    result: MapResult, seed: int = 0, *, min_size: int = MIN_GROUP_SIZE, resolution: float = RESOLUTION
) -> tuple[list[list[str]], list[set[str]]]:
    assoc = association_graph(map_graph(result))
    comms = [sorted(c) for c in detect_groups(assoc, seed, resolution=resolution) if len(c) >= min_size]
    comms.sort(key=lambda c: c[0])
    gid = {p: i for i, c in enumerate(comms) for p in c}
    edge: list[set[str]] = [set() for _ in comms]
    for i, members in enumerate(comms):
        for p in members:
            total = assoc.degree(p, weight="weight")
            if total <= 0:
                continue
            into: dict[int, float] = defaultdict(float)
            for q in assoc.neighbors(p):
                j = gid.get(q)
                if j is not None and j != i:
                    into[j] += assoc.edges[p, q]["weight"]
            for j, w in sorted(into.items()):
                if w / total >= EDGE_SHARE - 1e-12:
                    edge[i].add(p)
                    edge[j].add(p)
    return comms, edge
