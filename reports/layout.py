"""The map's layout: deterministic, group-clustered positions for every shown node.

Each peer group is a cluster laid out on its own (networkx spring layout, fixed seed, sorted nodes) and outlined
by a circle; places and incidents sit in the cluster they link to most; young people in no group are packed in
a grid. Clusters are shelf-packed left to right, largest first, so the picture reads the same at 15 or 150
people and never depends on input order. Left-out young people are never nodes.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np

from peermap.engine import MapResult, ObjectKind, Relation, map_graph, node_label

from .common import groups_of

PERSON = ObjectKind.PERSON.value

WIDTH = 1200.0
MARGIN = 24.0
LEGEND_H = 92.0
GAP = 28.0
NODE_SPACING = 40.0
SEED = 7
MIN_GAP = 46.0


@dataclass
class NodePos:
    id: str
    kind: str  # person | location | incident
    label: str
    x: float
    y: float
    status: str | None = None  # included | greyed, for people
    group: str | None = None
    of_concern: bool = False
    harmed: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "label": self.label,
            "x": self.x,
            "y": self.y,
            "status": self.status,
            "group": self.group,
            "of_concern": self.of_concern,
            "harmed": self.harmed,
        }


@dataclass
class EdgePos:
    source: str
    target: str
    relations: dict[str, float]
    band: str  # solid | dashed

    @property
    def relation(self) -> str:
        """The strongest relation on this edge (its colour)."""
        return max(sorted(self.relations), key=lambda r: self.relations[r])

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "target": self.target,
            "relations": self.relations,
            "band": self.band,
            "confidence": round(max(self.relations.values()), 4),
        }


@dataclass
class GroupPos:
    id: str
    cx: float
    cy: float
    r: float
    members: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "cx": self.cx, "cy": self.cy, "r": self.r, "members": self.members}


@dataclass
class Layout:
    width: float
    height: float
    nodes: list[NodePos]
    edges: list[EdgePos]
    groups: list[GroupPos]
    thresholds: dict[str, float]


def _label(result: MapResult, node: str) -> str:
    """The node's label as every output words it (peermap.engine.node_label); only shown people are nodes."""
    return node_label(result.snapshot, node).label


def _cluster_positions(g: nx.Graph, nodes: list[str]) -> tuple[dict[str, tuple[float, float]], float]:
    """Positions around (0, 0) for one cluster, and its radius.

    A seeded spring layout (networkx, sorted nodes and edges, so the same cluster always lands the same way),
    then nodes closer than MIN_GAP are pushed apart, so labels stay legible.
    """
    if len(nodes) == 1:
        return {nodes[0]: (0.0, 0.0)}, NODE_SPACING / 2
    sub = nx.Graph()
    sub.add_nodes_from(nodes)
    sub.add_edges_from(sorted(tuple(sorted((a, b))) for a, b in g.subgraph(nodes).edges()))
    radius = NODE_SPACING * (len(nodes) ** 0.5) * 1.0 + NODE_SPACING / 2
    raw = nx.spring_layout(sub, seed=SEED, iterations=50, k=1.8 / (len(nodes) ** 0.5))
    pts = np.array([raw[n] for n in nodes], dtype=float)
    pts -= (pts.max(axis=0) + pts.min(axis=0)) / 2
    span = max(float(np.sqrt((pts**2).sum(axis=1)).max()), 1e-9)
    pts *= (radius - NODE_SPACING / 2) / span
    pts = _spread(pts)
    pts -= (pts.max(axis=0) + pts.min(axis=0)) / 2
    radius = float(np.sqrt((pts**2).sum(axis=1)).max()) + NODE_SPACING / 2
    return {n: (float(x), float(y)) for n, (x, y) in zip(nodes, pts, strict=True)}, radius


def _spread(pts: np.ndarray, rounds: int = 80) -> np.ndarray:
    """Push apart nodes closer than MIN_GAP (vectorised, deterministic); the cluster grows to fit."""
    for _ in range(rounds):
        d = pts[:, None, :] - pts[None, :, :]
        dist = np.sqrt((d**2).sum(axis=2))
        np.fill_diagonal(dist, 1e9)
        close = dist < MIN_GAP
        if not close.any():
            break
        push = np.where(close, (MIN_GAP - dist) / np.maximum(dist, 1e-6) * 0.6, 0.0)
        step = (d * push[:, :, None]).sum(axis=1)
        same = (dist < 1e-6) & close  # exactly on top of each other: nudge by index
        if same.any():
            step += np.stack([np.arange(len(pts)), -np.arange(len(pts))], axis=1) * 0.5 * same.any(axis=1)[:, None]
        pts = pts + step
    return pts


def _grid_positions(nodes: list[str]) -> tuple[dict[str, tuple[float, float]], float, float]:
    """A grid for young people in no group: (positions from the top-left, width, height)."""
    cols = max(1, min(len(nodes), int((WIDTH - 2 * MARGIN) // (NODE_SPACING * 2.4))))
    pos = {}
    for i, n in enumerate(nodes):
        r, c = divmod(i, cols)
        pos[n] = (c * NODE_SPACING * 2.4 + NODE_SPACING, r * NODE_SPACING * 1.4 + NODE_SPACING / 2)
    rows = (len(nodes) + cols - 1) // cols
    return pos, cols * NODE_SPACING * 2.4, rows * NODE_SPACING * 1.4


def compute_layout(result: MapResult) -> Layout:
    """Deterministic positions for every shown node (see the module docstring)."""
    g = map_graph(result)
    groups = sorted(groups_of(result), key=lambda x: x.id)
    assigned: dict[str, str] = {}
    for grp in groups:
        for m in sorted(grp.members):
            if m in g and m not in assigned:
                assigned[m] = grp.id
    for node in sorted(n for n, d in g.nodes(data=True) if d["kind"] != PERSON):
        votes = Counter(assigned[nb] for nb in g.neighbors(node) if nb in assigned)
        if votes:
            assigned[node] = min(votes, key=lambda k: (-votes[k], k))
    clusters: dict[str, list[str]] = defaultdict(list)
    for node in sorted(g.nodes):
        if node in assigned:
            clusters[assigned[node]].append(node)
    # Ungrouped nodes: connected pieces of three or more become clusters of their own; the rest go in a grid.
    rest = sorted(n for n in g.nodes if n not in assigned)
    loose: list[str] = []
    for i, comp in enumerate(
        sorted((sorted(c) for c in nx.connected_components(g.subgraph(rest))), key=lambda c: (-len(c), c[0]))
    ):
        if len(comp) >= 3:
            clusters[f"~{i:04d}"] = comp
        else:
            loose.extend(comp)
    placed = {cid: _cluster_positions(g, nodes) for cid, nodes in clusters.items()}
    order = sorted(placed, key=lambda cid: (-placed[cid][1], cid))
    positions: dict[str, tuple[float, float]] = {}
    group_pos: list[GroupPos] = []
    x, y, row_h = MARGIN, MARGIN + LEGEND_H, 0.0
    for cid in order:
        pos, radius = placed[cid]
        d = 2 * radius + GAP
        if x + d > WIDTH - MARGIN and x > MARGIN:
            x, y, row_h = MARGIN, y + row_h, 0.0
        cx, cy = x + radius + GAP / 2, y + radius + GAP / 2
        for n, (px, py) in pos.items():
            positions[n] = (round(cx + px, 1), round(cy + py, 1))
        if not cid.startswith("~"):
            members = sorted(n for n in pos if g.nodes[n]["kind"] == PERSON)
            group_pos.append(GroupPos(cid, round(cx, 1), round(cy, 1), round(radius + 10, 1), members))
        x += d
        row_h = max(row_h, d)
    y += row_h
    if loose:
        grid, _, gh = _grid_positions(loose)
        for n, (px, py) in grid.items():
            positions[n] = (round(MARGIN + px, 1), round(y + GAP + py, 1))
        y += GAP + gh
    height = y + MARGIN
    harmed = {
        s.person_id for s in result.shown_people() if any(Relation.HARMED.value in roles for roles in s.roles.values())
    }
    nodes = []
    for n in sorted(g.nodes):
        d = g.nodes[n]
        nx_, ny_ = positions[n]
        nodes.append(
            NodePos(
                n,
                d["kind"],
                _label(result, n),
                nx_,
                ny_,
                status=d.get("status"),
                group=assigned.get(n),
                of_concern=bool(d.get("of_concern", False)),
                harmed=n in harmed,
            )
        )
    edges = [
        EdgePos(a, b, dict(sorted(d["relations"].items())), d["band"])
        for a, b, d in sorted(g.edges(data=True), key=lambda e: tuple(sorted((e[0], e[1]))))
    ]
    for e in edges:
        e.source, e.target = sorted((e.source, e.target))
    body = result.policy.body
    thresholds = {
        "include": float(getattr(body, "include_threshold", 0.0)),
        "grey": float(getattr(body, "grey_threshold", 0.0)),
    }
    return Layout(WIDTH, round(max(height, MARGIN * 2 + LEGEND_H + 40), 1), nodes, edges, group_pos, thresholds)
