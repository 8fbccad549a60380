"""The map as a networkx graph, and the person-person association graph used to find peer groups.

Only what the map shows goes in: included and greyed young people, the places and incidents they are
linked to, and the shown links between them (edge weight = the link's confidence). Left-out young people
never become nodes.

Everything is built from sorted inputs, so the graphs (node order, edge order, floating-point sums) are the
same whatever order the map's links arrive in.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from itertools import combinations

import networkx as nx

from .map_model import MapResult
from .vocab import PEER_RELATIONS, Relation

PEER = frozenset(r.value for r in PEER_RELATIONS)  # association, co_offending, school_peer, online_contact
INCIDENT_ROLES = frozenset(
    {Relation.HARMED.value, Relation.HARMING.value, Relation.WITNESS.value, Relation.PRESENT.value}
)
PRESENCE = INCIDENT_ROLES | {Relation.PRESENT_AT.value}

PERSON, LOCATION, INCIDENT = "person", "location", "incident"


def noisy_or(values: Iterable[float]) -> float:
    """1 - prod(1 - c): several kinds of peer link between two people, combined, stays within [0, 1]."""
    keep = 1.0
    for c in sorted(values):
        keep *= 1.0 - min(max(c, 0.0), 1.0)
    return 1.0 - keep


def map_graph(result: MapResult) -> nx.Graph:
    """The shown map: nodes carry `kind` (person/location/incident) and, for people, `status`.

    Each edge carries `relations` ({relation: confidence}), `weight` (the strongest of them) and `band`
    (solid when any of its links is solid). Person nodes are the shown people only.
    """
    snap = result.snapshot
    shown = {s.person_id: s.status for s in result.shown_people()}
    g = nx.Graph()
    for pid in sorted(shown):
        g.add_node(pid, kind=PERSON, status=shown[pid])

    def kind_of(node: str) -> str | None:
        if node in shown:
            return PERSON
        if node in snap.locations:
            return LOCATION
        if node in snap.incidents:
            return INCIDENT
        return None

    links = sorted(result.shown_links, key=lambda x: (x.source, x.target, x.relation))
    context_nodes: set[str] = set()
    usable = []
    for link in links:
        ka, kb = kind_of(link.source), kind_of(link.target)
        if ka is None or kb is None or PERSON not in (ka, kb):
            continue  # a link to someone not shown (or to an unknown node) is never drawn
        usable.append(link)
        for node, kind in ((link.source, ka), (link.target, kb)):
            if kind != PERSON:
                context_nodes.add(node)
    for node in sorted(context_nodes):
        if node in snap.locations:
            loc = snap.locations[node]
            g.add_node(node, kind=LOCATION, of_concern=bool(loc.of_concern), place_kind=loc.kind or "")
        else:
            inc = snap.incidents[node]
            g.add_node(node, kind=INCIDENT, incident_kind=inc.kind, location=inc.location_id or "")
    edges: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    solid: dict[tuple[str, str], bool] = defaultdict(bool)
    for link in usable:
        a, b = sorted((link.source, link.target))
        rels = edges[(a, b)]
        rels[link.relation] = max(rels.get(link.relation, 0.0), float(link.confidence))
        solid[(a, b)] |= link.band == "solid"
    for a, b in sorted(edges):
        rels = dict(sorted(edges[(a, b)].items()))
        g.add_edge(a, b, relations=rels, weight=max(rels.values()), band="solid" if solid[(a, b)] else "dashed")
    return g


def copresence_weights(
    contexts: Mapping[str, Mapping[str, float]], *, normalise: bool = True
) -> dict[tuple[str, str], float]:
    """Bipartite projection: people at the same incident or place, as association evidence.

    `contexts` maps a context (incident, location, meeting) to {person: confidence that they were there}.
    Each pair at a context gets c_a * c_b; with `normalise` (the default) that is divided by (k - 1), k the
    number of people at the context (Newman's collaboration weighting), so one crowded place does not weld
    everyone who passed through it into one group. Pairs are summed over contexts. Keys are (a, b), a < b.
    """
    out: dict[tuple[str, str], float] = defaultdict(float)
    for ctx in sorted(contexts):
        present = sorted((p, float(c)) for p, c in contexts[ctx].items() if c > 0)
        k = len(present)
        if k < 2:
            continue
        scale = 1.0 / (k - 1) if normalise else 1.0
        for (a, ca), (b, cb) in combinations(present, 2):
            out[(a, b)] += ca * cb * scale
    return dict(out)


def presence_by_context(g: nx.Graph) -> dict[str, dict[str, float]]:
    """{context: {person: confidence}} from the map graph: present_at for places, any role for incidents."""
    contexts: dict[str, dict[str, float]] = {}
    for node in sorted(n for n, d in g.nodes(data=True) if d["kind"] != PERSON):
        people: dict[str, float] = {}
        for other in sorted(g.neighbors(node)):
            if g.nodes[other]["kind"] != PERSON:
                continue
            confs = [c for r, c in g.edges[node, other]["relations"].items() if r in PRESENCE]
            if confs:
                people[other] = max(confs)
        contexts[node] = people
    return contexts


def association_graph(g: nx.Graph, *, normalise_copresence: bool = True) -> nx.Graph:
    """Shown people, joined by peer links (noisy-OR of their confidences) plus co-presence (see above).

    Sibling links are family, not peer-group evidence, and are left out. Each edge has `weight` (the sum),
    `peer` and `copresence` (its two parts) so a group can be explained.
    """
    people = sorted(n for n, d in g.nodes(data=True) if d["kind"] == PERSON)
    a = nx.Graph()
    for p in people:
        a.add_node(p, status=g.nodes[p]["status"])
    peer: dict[tuple[str, str], float] = {}
    for u, v in sorted(tuple(sorted(e)) for e in g.edges()):
        if g.nodes[u]["kind"] != PERSON or g.nodes[v]["kind"] != PERSON:
            continue
        confs = [c for r, c in g.edges[u, v]["relations"].items() if r in PEER]
        if confs:
            peer[(u, v)] = noisy_or(confs)
    co = copresence_weights(presence_by_context(g), normalise=normalise_copresence)
    for key in sorted(set(peer) | set(co)):
        w_peer, w_co = peer.get(key, 0.0), co.get(key, 0.0)
        if w_peer + w_co > 0:
            a.add_edge(*key, weight=w_peer + w_co, peer=w_peer, copresence=w_co)
    return a
