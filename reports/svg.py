"""The map picture: a deterministic, group-clustered layout and an i2-style SVG.

Layout: each peer group is a cluster laid out on its own (networkx spring layout, fixed seed, sorted nodes)
and outlined by a circle; places and incidents sit in the cluster they link to most; young people in no
group are packed in a grid. Clusters are shelf-packed left to right, largest first, so the picture reads
the same at 15 or 150 people and never depends on input order.

Drawing: solid lines at or above the inclusion threshold, dashed in the grey band; greyed young people
faded; places are squares, incidents diamonds; a young person harmed in an incident has a ring, so being
harmed is never drawn the same way as harming. Left-out young people are never nodes.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
from markupsafe import escape

from peermap.engine import MapResult, ObjectKind, Relation, map_graph

from .common import groups_of
from .render import neutralise_formula

PERSON, LOCATION = ObjectKind.PERSON.value, ObjectKind.LOCATION.value

WIDTH = 1200.0
MARGIN = 24.0
LEGEND_H = 92.0
GAP = 28.0
NODE_SPACING = 40.0
SEED = 7
MIN_GAP = 46.0

# Line colour per relation family (colour-blind-safe Okabe-Ito palette).
RELATION_COLOUR = {
    Relation.ASSOCIATION.value: "#555555",
    Relation.CO_OFFENDING.value: "#555555",
    Relation.SCHOOL_PEER.value: "#555555",
    Relation.ONLINE_CONTACT.value: "#555555",
    Relation.SIBLING.value: "#999999",
    Relation.PRESENT_AT.value: "#0072B2",
    Relation.HARMED.value: "#CC79A7",
    Relation.HARMING.value: "#D55E00",
    Relation.WITNESS.value: "#E69F00",
    Relation.PRESENT.value: "#E69F00",
}
INCLUDED_FILL = "#1f3b73"
GREYED_FILL = "#8a94a6"
PLACE_FILL = "#56B4E9"
PLACE_CONCERN_STROKE = "#D55E00"
INCIDENT_FILL = "#F0E442"
HARMED_RING = "#CC79A7"
GROUP_STROKE = "#009E73"


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


def _label(result: MapResult, node: str, kind: str) -> str:
    snap = result.snapshot
    if kind == PERSON:
        return snap.person_name(node)
    if kind == LOCATION:
        return snap.locations[node].name
    inc = snap.incidents[node]
    return f"{inc.kind.replace('_', ' ')} {inc.date.isoformat()}"


def _short_incident(label: str) -> str:
    """The incident's kind without its date (the date is in the tooltip and the key)."""
    return label.rsplit(" ", 1)[0]


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
                _label(result, n, d["kind"]),
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


def _short(text: str, n: int = 22) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _node_svg(n: NodePos) -> str:
    label = neutralise_formula(n.label)
    title = f"<title>{escape(label)} ({escape(n.id)})</title>"
    if n.kind == PERSON:
        fill = INCLUDED_FILL if n.status == "included" else GREYED_FILL
        opacity = "1" if n.status == "included" else "0.45"
        ring = (
            f'<circle cx="{n.x}" cy="{n.y}" r="10.5" fill="none" stroke="{HARMED_RING}" stroke-width="2.5"/>'
            if n.harmed
            else ""
        )
        shape = f'<circle cx="{n.x}" cy="{n.y}" r="7" fill="{fill}"/>'
        cls = f"node person {escape(n.status or '')}"
        return (
            f'<g class="{cls}" opacity="{opacity}">{title}{ring}{shape}'
            f'<text x="{n.x}" y="{n.y + 19}" text-anchor="middle">{escape(_short(label))}</text></g>'
        )
    if n.kind == LOCATION:
        stroke = PLACE_CONCERN_STROKE if n.of_concern else "#0072B2"
        shape = (
            f'<rect x="{n.x - 8}" y="{n.y - 8}" width="16" height="16" fill="{PLACE_FILL}" '
            f'stroke="{stroke}" stroke-width="{2.5 if n.of_concern else 1}"/>'
        )
        return (
            f'<g class="node place">{title}{shape}'
            f'<text x="{n.x}" y="{n.y + 21}" text-anchor="middle">{escape(_short(label))}</text></g>'
        )
    pts = f"{n.x},{n.y - 10} {n.x + 10},{n.y} {n.x},{n.y + 10} {n.x - 10},{n.y}"
    return (
        f'<g class="node incident">{title}<polygon points="{pts}" fill="{INCIDENT_FILL}" stroke="#8a6d00"/>'
        f'<text x="{n.x}" y="{n.y + 22}" text-anchor="middle">'
        f"{escape(_short(_short_incident(label)))}</text></g>"
    )


def _legend(width: float) -> str:
    y = MARGIN
    parts = [
        f'<g class="legend" font-size="11"><rect x="{MARGIN}" y="{y - 6}" width="{width - 2 * MARGIN}" '
        f'height="{LEGEND_H - 14}" fill="#fafafa" stroke="#cccccc"/>'
    ]
    items = [
        (f'<circle cx="12" cy="0" r="7" fill="{INCLUDED_FILL}"/>', "young person, included"),
        (
            f'<circle cx="12" cy="0" r="7" fill="{GREYED_FILL}" opacity="0.45"/>',
            "young person, greyed (faded)",
        ),
        (
            f'<circle cx="12" cy="0" r="7" fill="{INCLUDED_FILL}"/>'
            '<circle cx="12" cy="0" r="10.5" fill="none" '
            f'stroke="{HARMED_RING}" stroke-width="2.5"/>',
            "harmed in an incident (ring)",
        ),
        (
            f'<rect x="4" y="-8" width="16" height="16" fill="{PLACE_FILL}" stroke="{PLACE_CONCERN_STROKE}" '
            'stroke-width="2.5"/>',
            "place of concern (square)",
        ),
        (
            f'<polygon points="12,-10 22,0 12,10 2,0" fill="{INCIDENT_FILL}" stroke="#8a6d00"/>',
            "incident (diamond)",
        ),
        (
            '<line x1="0" y1="0" x2="24" y2="0" stroke="#555" stroke-width="2"/>',
            "link at or above inclusion threshold",
        ),
        (
            '<line x1="0" y1="0" x2="24" y2="0" stroke="#555" stroke-width="2" stroke-dasharray="5 4"/>',
            "link in the grey band (dashed)",
        ),
        (
            f'<line x1="0" y1="0" x2="24" y2="0" stroke="{RELATION_COLOUR["harmed"]}" stroke-width="2"/>',
            "harmed",
        ),
        (
            f'<line x1="0" y1="0" x2="24" y2="0" stroke="{RELATION_COLOUR["harming"]}" stroke-width="2"/>',
            "alleged to have harmed",
        ),
        (
            f'<line x1="0" y1="0" x2="24" y2="0" stroke="{RELATION_COLOUR["witness"]}" stroke-width="2"/>',
            "witness / present",
        ),
        (
            f'<line x1="0" y1="0" x2="24" y2="0" stroke="{RELATION_COLOUR["present_at"]}" stroke-width="2"/>',
            "seen at a place",
        ),
        (
            f'<circle cx="12" cy="0" r="9" fill="none" stroke="{GROUP_STROKE}" stroke-dasharray="3 2"/>',
            "peer group",
        ),
    ]
    col_w = (width - 2 * MARGIN - 16) / 4
    for i, (shape, text) in enumerate(items):
        r, c = divmod(i, 4)
        x = MARGIN + 10 + c * col_w
        yy = y + 12 + r * 24
        parts.append(f'<g transform="translate({x:.1f},{yy:.1f})">{shape}<text x="32" y="4">{escape(text)}</text></g>')
    parts.append("</g>")
    return "".join(parts)


def render_svg(layout: Layout, title: str = "Map of peer groups, places and incidents") -> str:
    """The SVG markup (record text escaped); safe to inline in HTML."""
    pos = {n.id: n for n in layout.nodes}
    out = [
        '<svg xmlns="http://www.w3.org/2000/svg" class="peermap-map" '
        f'viewBox="0 0 {layout.width} {layout.height}" '
        f'width="100%" role="img" aria-label="{escape(title)}" font-family="Helvetica, Arial, sans-serif">',
        f"<title>{escape(title)}</title>",
        "<style>.node text{font-size:9px;fill:#222}.group-label{font-size:11px;fill:#00654a;font-weight:bold}</style>",
        f'<rect width="{layout.width}" height="{layout.height}" fill="#ffffff"/>',
        _legend(layout.width),
    ]
    for grp in layout.groups:
        out.append(
            f'<g class="group"><circle cx="{grp.cx}" cy="{grp.cy}" r="{grp.r}" fill="#009E73" '
            f'fill-opacity="0.04" stroke="{GROUP_STROKE}" stroke-dasharray="6 4"/>'
            f'<text class="group-label" x="{grp.cx}" y="{grp.cy - grp.r + 13}" text-anchor="middle">'
            f"{escape(grp.id)}</text></g>"
        )
    out.append('<g class="links">')
    for e in layout.edges:
        a, b = pos[e.source], pos[e.target]
        conf = max(e.relations.values())
        dash = ' stroke-dasharray="5 4"' if e.band == "dashed" else ""
        faded = ' opacity="0.5"' if "greyed" in (a.status, b.status) else ""
        tip = ", ".join(f"{r.replace('_', ' ')} {c:.2f}" for r, c in e.relations.items())
        out.append(
            f'<line class="link {e.band}" x1="{a.x}" y1="{a.y}" x2="{b.x}" y2="{b.y}" '
            f'stroke="{RELATION_COLOUR.get(e.relation, "#555555")}" stroke-width="{1 + 2 * conf:.2f}"{dash}'
            f"{faded}><title>{escape(tip)}</title></line>"
        )
    out.append('</g><g class="nodes">')
    out.extend(_node_svg(n) for n in layout.nodes)
    out.append("</g></svg>")
    return "".join(out)


def map_svg(result: MapResult) -> str:
    return render_svg(compute_layout(result))
