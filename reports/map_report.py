"""The map report's data: shown nodes with positions, links with bands, groups; left-out people absent."""

from __future__ import annotations

from typing import Any

from peermap.engine import Actor, MapResult

from .common import counts, left_out_block, stamp
from .layout import Layout, compute_layout


def map_context(
    result: MapResult, actor: Actor, *, recipient: str | None = None, layout: Layout | None = None
) -> dict[str, Any]:
    """The map as data, laid out exactly as the picture draws it."""
    lay = layout or compute_layout(result)
    return {
        "stamp": stamp("map", result, actor, recipient),
        "counts": counts(result),
        "thresholds": lay.thresholds,
        "nodes": [n.to_json() for n in lay.nodes],
        "links": [e.to_json() for e in lay.edges],
        "groups": [g.to_json() for g in lay.groups],
        "left_out": left_out_block(result, actor),
    }
