"""Peer groups (community detection), and the profiles of groups, places and schools.

Method (docs/interventions.md explains it for practitioners):

* the association graph (engine.graph) joins shown young people by peer links (association, co-offending,
  school peer, online contact; never sibling), weighted by confidence, plus co-presence at the same
  incidents and places (bipartite projection, c_a * c_b / (k - 1), summed);
* communities: Louvain modularity (igraph's `community_multilevel`, a C implementation about 13x faster than
  networkx's on a 5,000-person map) with a fixed seed, on a copy of the graph whose nodes are relabelled
  0..n-1 in sorted order and whose edges are added in sorted order, so the result does not depend on input
  order or on Python's string hashing;
* a community larger than SPLIT_ABOVE (12) is examined again on its own (refine_large): Louvain on its
  subgraph, kept split when that structure is clear (modularity >= 0.3) — modularity's resolution limit
  otherwise merges small peer groups into large blocks as the map grows;
* a community of fewer than MIN_GROUP_SIZE (2) young people is not a group;
* a member with at least EDGE_SHARE (1/3) of their association weight going into another group is on the
  edge of both: listed in `edge_members` of their own group and of the other group (not forced into one);
* group ids G-01, G-02, ... are ordered by each group's smallest member id; `Group.key` is derived from the
  sorted ids of the group's core (included members not on the edge of another group), so it is stable while
  the same young people make up the group, whatever the numbering and wherever its edge members fall.

Only shown (included or greyed) young people ever appear in a group or a profile.
"""

from __future__ import annotations

import hashlib
import random
import re
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import igraph as ig
import networkx as nx
import numpy as np

from .association import AssociationWeights, association_weights, ordered_sums
from .grading import GradingError, Scheme, parse_grading
from .graph import INCIDENT, LOCATION, PERSON, PRESENCE, map_graph
from .map_model import Group, MapResult
from .snapshot import Snapshot, agreement_covers
from .vocab import Relation

MIN_GROUP_SIZE = 2
EDGE_SHARE = 1 / 3
RESOLUTION = 1.0  # standard modularity; bench/groups_agreement.py reports the sensitivity
# Modularity's resolution limit merges small groups in a large map (Fortunato & Barthelemy 2007). A group
# larger than a peer group usually is gets community detection again on its own subgraph, and is split when
# that finds clear structure (modularity >= 0.3, the usual mark of significant community structure).
SPLIT_ABOVE = 12
SPLIT_MIN_MODULARITY = 0.3

# Strength kinds (normalised) that mean a caring adult or an engaged service is around the young person.
# Clubs count: a coach or club leader is one of the "non-traditional" guardians (docs/domain.md §2).
GUARDIANSHIP_WORDS = (
    "trusted_adult",
    "adult",
    "mentor",
    "youth_work",
    "youth_worker",
    "club",
    "coach",
    "engaged",
    "carer",
    "parent",
    "family",
    "faith",
    "teacher",
    "key_worker",
    "social_worker",
    "employment",
    "employer",
)

# How much a Concern row's grading supports the concern: reliability x credibility (0.5 when not graded or
# "cannot be judged"). Incident concerns use the scored link confidences instead.
_RELIABILITY_WEIGHT: dict[Scheme, tuple[float, ...]] = {
    Scheme.ADMIRALTY: (0.95, 0.8, 0.65, 0.45, 0.3, 0.5),
    Scheme.FIVE_BY_FIVE: (0.95, 0.8, 0.6, 0.35, 0.5),
    Scheme.THREE_FIVE_TWO: (0.85, 0.5, 0.3),
    Scheme.RECORD: (0.8, 0.75, 0.55, 0.35),
}
_CREDIBILITY_WEIGHT: dict[Scheme, tuple[float, ...]] = {
    Scheme.ADMIRALTY: (0.95, 0.8, 0.6, 0.4, 0.2, 0.5),
    Scheme.FIVE_BY_FIVE: (0.95, 0.8, 0.65, 0.5, 0.15),
    Scheme.THREE_FIVE_TWO: (0.95, 0.75, 0.6, 0.5, 0.15),
    Scheme.RECORD: (1.0,),
}


def kind_key(text: str | None) -> str:
    """A concern or strength kind as a vocabulary key: 'Peer-on-peer abuse' -> 'peer_on_peer_abuse'."""
    return re.sub(r"[^a-z0-9]+", "_", (text or "").lower()).strip("_") or "unspecified"


def grading_confidence(code: str | None, scheme: str | None = None) -> float:
    """Confidence in a concern from its grading (0.5 when ungraded or unparseable)."""
    if not code:
        return 0.5
    try:
        g = parse_grading(code, scheme)
    except GradingError:
        return 0.5
    return round(_RELIABILITY_WEIGHT[g.scheme][g.reliability] * _CREDIBILITY_WEIGHT[g.scheme][g.credibility], 4)


def is_guardianship(kind: str) -> bool:
    k = kind_key(kind)
    return any(w in k for w in GUARDIANSHIP_WORDS)


_IGRAPH_RNG = threading.Lock()  # igraph's random number generator is process-wide


def _sorted_igraph(graph: nx.Graph, weight: str) -> tuple[list[Any], ig.Graph]:
    """`graph` in igraph on nodes 0..n-1 in sorted order, edges sorted, weights <= 0 and loops dropped.

    The weights are the edge attribute "weight".
    """
    nodes = sorted(graph.nodes, key=str)
    index = {n: i for i, n in enumerate(nodes)}
    edges = sorted(
        (min(index[u], index[v]), max(index[u], index[v]), float(d.get(weight, 1.0)))
        for u, v, d in graph.edges(data=True)
        if u != v
    )
    return nodes, _igraph(len(nodes), [e for e in edges if e[2] > 0])


def _igraph(n: int, edges: list[tuple[int, int, float]]) -> ig.Graph:
    h = ig.Graph(n=n, edges=[(u, v) for u, v, _ in edges])
    h.es["weight"] = [w for _, _, w in edges]
    return h


def _induced(h: ig.Graph, vertices: list[int]) -> ig.Graph:
    """The subgraph on sorted `vertices`, relabelled 0..k-1 in that order, edges re-sorted (as _sorted_igraph)."""
    sub = h.induced_subgraph(vertices)
    if not sub.ecount():
        return _igraph(len(vertices), [])
    ends = np.array(sub.get_edgelist(), dtype=np.int64)
    w = np.array(sub.es["weight"], dtype=np.float64)
    lo, hi = ends.min(axis=1), ends.max(axis=1)
    order = np.lexsort((w, hi, lo))  # the order sorted() gave the (lo, hi, w) tuples
    return _igraph_arrays(len(vertices), lo[order], hi[order], w[order])


def _louvain(h: ig.Graph, seed: int, resolution: float = 1.0) -> list[list[int]]:
    """Louvain (igraph multilevel) under a seeded generator: parts as sorted vertex lists, by first vertex."""
    if h.ecount() == 0:
        return [[i] for i in range(h.vcount())]
    with _IGRAPH_RNG:
        ig.set_random_number_generator(random.Random(seed))
        try:
            membership = h.community_multilevel(weights="weight", resolution=resolution).membership
        finally:
            ig.set_random_number_generator(random)
    parts: dict[int, list[int]] = defaultdict(list)
    for i, c in enumerate(membership):
        parts[c].append(i)
    return sorted(parts.values(), key=lambda p: p[0])


def _modularity(h: ig.Graph, parts: list[list[int]]) -> float:
    if h.ecount() == 0:
        return 0.0
    membership = [0] * h.vcount()
    for k, part in enumerate(parts):
        for i in part:
            membership[i] = k
    return float(h.modularity(membership, weights="weight"))


def detect_communities(
    graph: nx.Graph, seed: int = 0, *, weight: str = "weight", resolution: float = 1.0
) -> list[set[Any]]:
    """Louvain communities of any weighted graph, deterministic and independent of insertion order.

    Nodes are sorted (by str) and relabelled 0..n-1, edges added in sorted order, weights <= 0 and self-loops
    dropped; the communities come back as sets of the original nodes, ordered by their smallest node.
    """
    nodes, h = _sorted_igraph(graph, weight)
    return [{nodes[i] for i in part} for part in _louvain(h, seed, resolution)]


def refine_large(
    graph: nx.Graph,
    communities: list[set[Any]],
    seed: int = 0,
    *,
    above: int = SPLIT_ABOVE,
    min_modularity: float = SPLIT_MIN_MODULARITY,
    weight: str = "weight",
) -> list[set[Any]]:
    """Split communities larger than `above` whose own subgraph has clear community structure.

    Each such community is partitioned again (Louvain on its induced subgraph); the split is kept when the
    parts' modularity within the subgraph is at least `min_modularity`, and the parts are examined in turn.
    Deterministic; the result is ordered by smallest node like detect_communities.
    """
    nodes, h = _sorted_igraph(graph, weight)
    index = {n: i for i, n in enumerate(nodes)}
    parts = _refine(h, [sorted(index[n] for n in c) for c in communities], seed, above, min_modularity)
    return [{nodes[i] for i in c} for c in parts]


def _refine(h: ig.Graph, communities: list[list[int]], seed: int, above: int, min_modularity: float) -> list[list[int]]:
    """refine_large on an igraph graph and sorted vertex lists; the parts come back ordered by first vertex."""
    done: list[list[int]] = []
    todo = sorted(communities, key=lambda c: c[0], reverse=True)
    while todo:
        c = todo.pop()
        if len(c) <= above:
            done.append(c)
            continue
        sub = _induced(h, c)
        if sub.ecount() == 0:
            done.append(c)
            continue
        parts = _louvain(sub, seed)
        if len(parts) < 2 or _modularity(sub, parts) < min_modularity:
            done.append(c)
            continue
        todo.extend(sorted(([c[i] for i in part] for part in parts), key=lambda p: p[0], reverse=True))
    return sorted(done, key=lambda c: c[0])


def detect_groups(
    graph: nx.Graph, seed: int = 0, *, resolution: float = RESOLUTION, weight: str = "weight"
) -> list[set[Any]]:
    """peermap's group finding on any weighted graph: Louvain, then refine_large."""
    return refine_large(
        graph, detect_communities(graph, seed, weight=weight, resolution=resolution), seed, weight=weight
    )


def modularity(graph: nx.Graph, communities: list[set[Any]], weight: str = "weight") -> float:
    """Newman modularity of a partition of `graph` (0 for a graph without weighted edges)."""
    nodes, h = _sorted_igraph(graph, weight)
    label = {n: i for i, c in enumerate(communities) for n in c}
    parts: dict[int, list[int]] = defaultdict(list)
    for i, n in enumerate(nodes):
        parts[label[n]].append(i)
    return _modularity(h, list(parts.values()))


def group_key(included: list[str], edge: list[str] | tuple[str, ...] = ()) -> str:
    """A stable key for a group as a target, from its core: the included members not on the edge of another
    group (all included members when every one is on an edge). Not the ordinal id, which renumbers; and a
    young person on the edge of two groups moving between them does not change it."""
    core = sorted(set(included) - set(edge)) or sorted(included)
    digest = hashlib.sha256("\n".join(core).encode("utf-8")).hexdigest()
    return "g" + digest[:10]


@dataclass
class PlaceProfile:
    """A place on the map: what ties shown young people, groups and incidents to it."""

    location_id: str
    name: str
    kind: str
    area: str
    flagged: bool  # recorded as a location of concern
    of_concern: bool  # flagged, or an incident involving a shown young person happened here
    groups: list[str]
    incidents: list[str]
    concerns: dict[str, float]  # incident kind -> strongest link confidence (and place_of_concern when flagged)
    people: list[str]  # included young people tied to the place
    greyed_count: int
    harmed_here: list[str]  # included young people harmed in an incident here
    harmed_here_greyed: int  # greyed young people harmed here (counted, never named)
    strengths: dict[str, int]  # among the shown young people tied to the place
    guardianship: list[str]

    def to_json(self) -> dict[str, Any]:
        return {
            "location_id": self.location_id,
            "name": self.name,
            "kind": self.kind,
            "area": self.area,
            "flagged": self.flagged,
            "of_concern": self.of_concern,
            "groups": self.groups,
            "incidents": self.incidents,
            "concerns": self.concerns,
            "people": self.people,
            "greyed_count": self.greyed_count,
            "harmed_here": self.harmed_here,
            "harmed_here_greyed": self.harmed_here_greyed,
            "strengths": self.strengths,
            "guardianship": self.guardianship,
        }


@dataclass
class SchoolProfile:
    """A school shared by several members of a peer group."""

    school: str
    groups: list[str]
    people: list[str]  # included young people recorded at the school
    greyed_count: int
    concerns: dict[str, float]
    concern_members: dict[str, int]
    strengths: dict[str, int]
    guardianship: list[str]

    def to_json(self) -> dict[str, Any]:
        return {
            "school": self.school,
            "groups": self.groups,
            "people": self.people,
            "greyed_count": self.greyed_count,
            "concerns": self.concerns,
            "concern_members": self.concern_members,
            "strengths": self.strengths,
            "guardianship": self.guardianship,
        }


@dataclass
class _PersonFacts:
    status: str
    concerns: dict[str, float] = field(default_factory=dict)  # kind -> confidence
    strengths: set[str] = field(default_factory=set)
    places: set[str] = field(default_factory=set)  # location ids: present_at, or an incident there
    incidents: set[str] = field(default_factory=set)
    roles: dict[str, set[str]] = field(default_factory=dict)  # incident -> roles
    school: str | None = None


def _usable(snap: Snapshot, agreement_id: str, agency: str, recorded_on: date) -> bool:
    """Like evidence: a strength or concern counts only if a sharing agreement naming the agency was valid on
    its recorded date and its retention period has not run out at the map's as-at date."""
    agreement = snap.agreements.get(agreement_id)
    if not agreement_covers(agreement, agency, recorded_on):
        return False
    keep = agreement.retention_days if agreement is not None else None
    return keep is None or recorded_on + timedelta(days=keep) >= snap.as_at


class MapFacts:
    """Per-person facts from the map graph and the snapshot, shared by the group/place/school profiles."""

    @classmethod
    def of(cls, result: MapResult) -> MapFacts:
        """The facts of a computed map, built once: they depend only on what compute_map produced."""
        facts = result.derived.get("map_facts")
        if not isinstance(facts, cls):
            facts = result.derived["map_facts"] = cls(result)
        return facts

    def __init__(self, result: MapResult) -> None:
        self.result = result
        self.graph = map_graph(result)
        snap = result.snapshot
        self.people: dict[str, _PersonFacts] = {}
        for pid in sorted(n for n, d in self.graph.nodes(data=True) if d["kind"] == PERSON):
            rec = snap.people.get(pid)
            self.people[pid] = _PersonFacts(
                status=self.graph.nodes[pid]["status"],
                school=(rec.school.strip() or None) if rec and rec.school else None,
            )
        for pid, facts in self.people.items():
            for other in sorted(self.graph.neighbors(pid)):
                data = self.graph.nodes[other]
                rels = self.graph.edges[pid, other]["relations"]
                if data["kind"] == LOCATION and Relation.PRESENT_AT.value in rels:
                    facts.places.add(other)
                elif data["kind"] == INCIDENT:
                    roles = {r for r in rels if r in PRESENCE}
                    if not roles:
                        continue
                    facts.incidents.add(other)
                    facts.roles[other] = roles
                    inc = snap.incidents[other]
                    if inc.location_id and inc.location_id in snap.locations:
                        facts.places.add(inc.location_id)
                    k = kind_key(inc.kind)
                    conf = max(rels[r] for r in roles)
                    facts.concerns[k] = max(facts.concerns.get(k, 0.0), conf)
        for c in snap.concerns:
            f = self.people.get(c.person_id)
            if f is not None and _usable(snap, c.agreement_id, c.agency, c.recorded_on):
                k = kind_key(c.kind)
                f.concerns[k] = max(f.concerns.get(k, 0.0), grading_confidence(c.grading, c.grading_scheme))
        for s in snap.strengths:
            f = self.people.get(s.person_id)
            if f is not None and _usable(snap, s.agreement_id, s.agency, s.recorded_on):
                f.strengths.add(kind_key(s.kind))

    def included(self, ids: list[str]) -> list[str]:
        return sorted(p for p in ids if self.people[p].status == "included")

    def concerns_of(self, ids: list[str]) -> tuple[dict[str, float], dict[str, int]]:
        conf: dict[str, float] = {}
        count: dict[str, int] = defaultdict(int)
        for p in ids:
            for k, c in self.people[p].concerns.items():
                conf[k] = max(conf.get(k, 0.0), c)
                count[k] += 1
        return ({k: round(conf[k], 4) for k in sorted(conf)}, {k: count[k] for k in sorted(count)})

    def strengths_of(self, ids: list[str]) -> tuple[dict[str, int], list[str]]:
        count: dict[str, int] = defaultdict(int)
        for p in ids:
            for k in self.people[p].strengths:
                count[k] += 1
        strengths = {k: count[k] for k in sorted(count)}
        return strengths, [k for k in strengths if is_guardianship(k)]


def find_groups(
    result: MapResult, seed: int = 0, *, min_size: int = MIN_GROUP_SIZE, resolution: float = RESOLUTION
) -> list[Group]:
    """Peer groups among the shown young people, with their profiles (see the module docstring)."""
    return _groups(MapFacts.of(result), seed, min_size, resolution)


def communities(
    weights: AssociationWeights, seed: int = 0, *, min_size: int = MIN_GROUP_SIZE, resolution: float = RESOLUTION
) -> tuple[list[list[str]], list[set[str]]]:
    """The groups (sorted member ids, ordered by first member) and each group's edge members.

    detect_groups on the association weights, handed to igraph as arrays: vertices are the shown people in id
    order and edges come sorted, exactly as _sorted_igraph lays out the networkx association graph.
    """
    h = _igraph_arrays(weights.n, weights.u, weights.v, weights.weight)
    found = _refine(h, _louvain(h, seed, resolution), seed, SPLIT_ABOVE, SPLIT_MIN_MODULARITY)
    kept = [c for c in found if len(c) >= min_size]
    people = weights.people
    comms = [[people[i] for i in c] for c in kept]
    return comms, _edge_members(weights, kept)


def _igraph_arrays(n: int, u: np.ndarray, v: np.ndarray, w: np.ndarray) -> ig.Graph:
    h = ig.Graph(n=n, edges=np.column_stack([u, v]).tolist())
    h.es["weight"] = w.tolist()
    return h


def _edge_members(weights: AssociationWeights, comms: list[list[int]]) -> list[set[str]]:
    """Members with at least EDGE_SHARE of their association weight going into another group, for both groups.

    Weights are summed neighbour by neighbour in id order, as networkx's weighted degree does on the reference
    graph, so the shares (and so the edge members) are the same.
    """
    edge: list[set[str]] = [set() for _ in comms]
    if not comms:
        return edge
    m = weights.matrix()
    gid = np.full(weights.n, -1, dtype=np.int64)
    for i, c in enumerate(comms):
        gid[c] = i
    row_len = np.diff(m.indptr)
    total = ordered_sums(m.data, m.indptr[:-1], row_len)
    row = np.repeat(np.arange(weights.n), row_len)
    j = gid[m.indices]
    into = (gid[row] >= 0) & (j >= 0) & (j != gid[row]) & (total[row] > 0)
    p, j, w = row[into], j[into], m.data[into]
    order = np.lexsort((j, p))  # stable: each (member, other group)'s weights stay in neighbour order
    p, j, w = p[order], j[order], w[order]
    key = p * np.int64(len(comms)) + j
    starts = np.flatnonzero(np.concatenate([[True], key[1:] != key[:-1]])) if key.size else key
    lengths = np.diff(np.append(starts, key.size))
    sums = ordered_sums(w, starts, lengths)
    p0, j0 = p[starts], j[starts]
    hit = sums / total[p0] >= EDGE_SHARE - 1e-12
    people = weights.people
    for member, other in zip(p0[hit].tolist(), j0[hit].tolist(), strict=True):
        edge[int(gid[member])].add(people[member])
        edge[other].add(people[member])
    return edge


def _groups(facts: MapFacts, seed: int, min_size: int, resolution: float = RESOLUTION) -> list[Group]:
    weights = facts.result.derived.get("association_weights")
    if not isinstance(weights, AssociationWeights):
        weights = facts.result.derived["association_weights"] = association_weights(facts.result)
    comms, edge = communities(weights, seed, min_size=min_size, resolution=resolution)
    snap = facts.result.snapshot
    groups: list[Group] = []
    for i, members in enumerate(comms):
        included = facts.included(members)
        greyed = sorted(p for p in members if p not in included)
        concerns, concern_members = facts.concerns_of(members)
        strengths, guardianship = facts.strengths_of(members)
        tied: dict[str, int] = defaultdict(int)
        incidents: set[str] = set()
        schools: dict[str, int] = defaultdict(int)
        for p in members:
            for loc in facts.people[p].places:
                tied[loc] += 1
            incidents |= facts.people[p].incidents
            if facts.people[p].school:
                schools[facts.people[p].school or ""] += 1
        shared = sorted(loc for loc, n in tied.items() if n >= 2 or snap.locations[loc].of_concern)
        places_of_concern = sorted(
            loc
            for loc in tied
            if snap.locations[loc].of_concern or any(snap.incidents[x].location_id == loc for x in incidents)
        )
        groups.append(
            Group(
                id=f"G-{i + 1:02d}",
                members=included + greyed,
                greyed_members=greyed,
                edge_members=sorted(edge[i]),
                locations=shared,
                incidents=sorted(incidents),
                concerns=concerns,
                strengths=strengths,
                guardianship=guardianship,
                key=group_key(included, sorted(edge[i])),
                concern_members=concern_members,
                places_of_concern=places_of_concern,
                schools={k: schools[k] for k in sorted(schools)},
            )
        )
    return groups


def place_profiles(
    result: MapResult, groups: list[Group] | None = None, *, facts: MapFacts | None = None
) -> list[PlaceProfile]:
    """Every place tied to a shown young person (present there, or an incident there), sorted by id."""
    facts = facts or MapFacts.of(result)
    groups = groups if groups is not None else (result.groups or _groups(facts, 0, MIN_GROUP_SIZE))
    snap = result.snapshot
    tied: dict[str, list[str]] = defaultdict(list)
    for pid, f in facts.people.items():
        for place_id in f.places:
            tied[place_id].append(pid)
    out: list[PlaceProfile] = []
    for loc_id in sorted(tied):
        loc = snap.locations[loc_id]
        people = sorted(tied[loc_id])
        incidents = sorted(
            {x for p in people for x in facts.people[p].incidents if snap.incidents[x].location_id == loc_id}
        )
        concerns: dict[str, float] = {}
        harmed: set[str] = set()
        for x in incidents:
            k = kind_key(snap.incidents[x].kind)
            for p in people:
                if x in facts.people[p].roles:
                    rels = facts.graph.edges[p, x]["relations"]
                    conf = max(rels[r] for r in facts.people[p].roles[x])
                    concerns[k] = max(concerns.get(k, 0.0), conf)
                    if Relation.HARMED.value in facts.people[p].roles[x]:
                        harmed.add(p)
        if loc.of_concern:
            presence = [
                facts.graph.edges[p, loc_id]["relations"].get(Relation.PRESENT_AT.value, 0.0)
                for p in people
                if facts.graph.has_edge(p, loc_id)
            ]
            concerns["place_of_concern"] = max(presence) if presence else 0.5
        strengths, guardianship = facts.strengths_of(people)
        included = facts.included(people)
        group_ids = sorted(g.id for g in groups if loc_id in g.locations or loc_id in g.places_of_concern)
        out.append(
            PlaceProfile(
                location_id=loc_id,
                name=loc.name,
                kind=kind_key(loc.kind) if loc.kind else "",
                area=loc.area or "",
                flagged=bool(loc.of_concern),
                of_concern=bool(loc.of_concern) or bool(incidents),
                groups=group_ids,
                incidents=incidents,
                concerns={k: round(concerns[k], 4) for k in sorted(concerns)},
                people=included,
                greyed_count=len(people) - len(included),
                harmed_here=sorted(harmed & set(included)),
                harmed_here_greyed=len(harmed - set(included)),
                strengths=strengths,
                guardianship=guardianship,
            )
        )
    return out


def school_profiles(
    result: MapResult,
    groups: list[Group] | None = None,
    *,
    min_members: int = 2,
    facts: MapFacts | None = None,
) -> list[SchoolProfile]:
    """Schools shared by at least `min_members` shown members of one group (with at least one included)."""
    facts = facts or MapFacts.of(result)
    groups = groups if groups is not None else (result.groups or _groups(facts, 0, MIN_GROUP_SIZE))
    by_school: dict[str, set[str]] = defaultdict(set)
    group_ids: dict[str, set[str]] = defaultdict(set)
    for g in groups:
        at: dict[str, list[str]] = defaultdict(list)
        for p in g.members:
            if p in facts.people and facts.people[p].school:
                at[facts.people[p].school or ""].append(p)
        for school, ps in at.items():
            if len(ps) >= min_members and facts.included(ps):
                by_school[school].update(ps)
                group_ids[school].add(g.id)
    out: list[SchoolProfile] = []
    for school in sorted(by_school):
        people = sorted(by_school[school])
        included = facts.included(people)
        concerns, concern_members = facts.concerns_of(people)
        strengths, guardianship = facts.strengths_of(people)
        out.append(
            SchoolProfile(
                school=school,
                groups=sorted(group_ids[school]),
                people=included,
                greyed_count=len(people) - len(included),
                concerns=concerns,
                concern_members=concern_members,
                strengths=strengths,
                guardianship=guardianship,
            )
        )
    return out
