"""The map picture: an i2-style SVG of a layout (reports.layout).

Solid lines at or above the inclusion threshold, dashed in the grey band; greyed young people faded; places are
squares, incidents diamonds; a young person harmed in an incident has a ring, so being harmed is never drawn
the same way as harming. Record text is escaped; left-out young people are never nodes.
"""

from __future__ import annotations

from markupsafe import escape

from peermap.engine import MapResult, ObjectKind, Relation

from .layout import LEGEND_H, MARGIN, Layout, NodePos, compute_layout
from .render import neutralise_formula

__all__ = ["Layout", "compute_layout", "map_svg", "render_svg"]

PERSON, LOCATION = ObjectKind.PERSON.value, ObjectKind.LOCATION.value

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


def _short_incident(label: str) -> str:
    """The incident's kind without its date (the date is in the tooltip and the key)."""
    return label.rsplit(" on ", 1)[0]


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
