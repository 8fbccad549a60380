"""How a node is labelled, the one way: people by name, places by name, incidents by kind and date.

Whether a person may be named is not decided here: everything that shows people goes through engine.redaction.
"""

from __future__ import annotations

from typing import NamedTuple

from .snapshot import Snapshot
from .vocab import ObjectKind


class NodeLabel(NamedTuple):
    kind: str  # person | location | incident
    label: str


def node_label(snapshot: Snapshot, node_id: str) -> NodeLabel:
    """The one way a node is labelled: people by name, places by name, incidents by kind and date.

    This says nothing about whether a person may be named: callers that show people go through `Redactor`.
    """
    if node_id in snapshot.locations:
        return NodeLabel(ObjectKind.LOCATION.value, snapshot.locations[node_id].name)
    if node_id in snapshot.incidents:
        inc = snapshot.incidents[node_id]
        return NodeLabel(ObjectKind.INCIDENT.value, f"{inc.kind.replace('_', ' ')} on {inc.date.isoformat()}")
    can = snapshot.canonical.get(node_id, node_id)
    if can in snapshot.people:
        return NodeLabel(ObjectKind.PERSON.value, snapshot.people[can].name)
    return NodeLabel(ObjectKind.PERSON.value, node_id)
