"""Build small MapResults by hand for the group and intervention tests (no scoring or inclusion needed)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import numpy as np

from peermap.engine.map_model import MapResult, PersonStatus, Reason, ShownLink, Status
from peermap.engine.models import Concern, Incident, Location, SharingAgreement, Strength, YoungPerson
from peermap.engine.policy import PolicyRecord
from peermap.engine.rules.links import LinkTable
from peermap.engine.snapshot import EvidenceTable, NodeIndex, Snapshot
from peermap.engine.vocab import RELATION_CODE

AS_AT = date(2026, 6, 1)
GREY = 0.3
SOLID = 0.6
AGREEMENT = SharingAgreement(
    agreement_id="AG1",
    agencies="yw;sc",
    purpose="safeguarding",
    lawful_basis="public task",
    valid_from=date(2020, 1, 1),
)
EXPIRED = SharingAgreement(
    agreement_id="AG-OLD",
    agencies="yw;sc",
    purpose="safeguarding",
    lawful_basis="public task",
    valid_from=date(2020, 1, 1),
    valid_to=date(2021, 1, 1),
)


@dataclass
class MapBuilder:
    people: dict[str, tuple[Status, str | None]] = field(default_factory=dict)
    locations: dict[str, Location] = field(default_factory=dict)
    incidents: dict[str, Incident] = field(default_factory=dict)
    links: list[tuple[str, str, str, float]] = field(default_factory=list)
    strengths: list[Strength] = field(default_factory=list)
    concerns: list[Concern] = field(default_factory=list)

    def person(self, pid: str, status: Status = "included", school: str | None = None) -> MapBuilder:
        self.people[pid] = (status, school)
        return self

    def location(self, lid: str, kind: str = "park", of_concern: bool = False, name: str | None = None) -> MapBuilder:
        self.locations[lid] = Location(location_id=lid, name=name or f"Place {lid}", kind=kind, of_concern=of_concern)
        return self

    def incident(self, iid: str, kind: str = "peer_on_peer_abuse", location: str | None = None) -> MapBuilder:
        self.incidents[iid] = Incident(incident_id=iid, date=date(2026, 3, 1), kind=kind, location_id=location)
        return self

    def link(self, a: str, b: str, relation: str, confidence: float = 0.8) -> MapBuilder:
        self.links.append((a, b, relation, confidence))
        return self

    def strength(self, pid: str, kind: str) -> MapBuilder:
        n = len(self.strengths) + 1
        self.strengths.append(
            Strength(
                strength_id=f"S{n}",
                person_id=pid,
                kind=kind,
                agency="yw",
                recorded_on=date(2026, 1, 1),
                agreement_id="AG1",
            )
        )
        return self

    def concern(self, pid: str, kind: str, grading: str | None = "B2", agreement: str = "AG1") -> MapBuilder:
        n = len(self.concerns) + 1
        self.concerns.append(
            Concern(
                concern_id=f"C{n}",
                person_id=pid,
                kind=kind,
                agency="sc",
                grading=grading,
                recorded_on=date(2026, 1, 1),
                agreement_id=agreement,
            )
        )
        return self

    def build(self, link_order: list[int] | None = None) -> MapResult:
        pids = sorted(self.people)
        nodes = NodeIndex.build(pids, sorted(self.locations), sorted(self.incidents))
        order = link_order if link_order is not None else list(range(len(self.links)))
        links = [self.links[i] for i in order]
        n = len(links)
        subj = np.array([nodes.position[a] for a, _, _, _ in links], dtype=np.int32)
        obj = np.array([nodes.position[b] for _, b, _, _ in links], dtype=np.int32)
        conf = np.array([c for *_, c in links], dtype=np.float64)
        zeros = np.zeros(n)
        table = LinkTable(
            subject=subj,
            object=obj,
            relation=np.array([RELATION_CODE[r] for _, _, r, _ in links], dtype=np.int8),
            belief=conf * 0.9,
            disbelief=zeros.copy(),
            uncertainty=np.full(n, 0.1),
            base_rate=np.full(n, 0.5),
            confidence=conf,
            conflict=zeros.copy(),
            n_items=np.ones(n, dtype=np.int32),
            n_unused=np.zeros(n, dtype=np.int32),
            n_agencies=np.ones(n, dtype=np.int32),
            n_origins=np.ones(n, dtype=np.int32),
            newest=np.zeros(n, dtype=np.int32),
            oldest=np.zeros(n, dtype=np.int32),
            nodes=nodes,
            rule_pack_version="test",
        )
        statuses: dict[str, PersonStatus] = {}
        for pid in pids:
            status, _ = self.people[pid]
            statuses[pid] = PersonStatus(
                pid, status, 0.7 if status == "included" else 0.4, [Reason("test", "built by hand")]
            )
        for a, b, rel, _c in links:
            if b in self.incidents and a in statuses:
                statuses[a].roles.setdefault(b, []).append(rel)
        shown = {p for p in pids if statuses[p].status != "left_out"}

        def visible(node: str) -> bool:
            return node in shown or node in self.locations or node in self.incidents

        shown_links = [
            ShownLink(a, b, rel, c, 0.1, "solid" if c >= SOLID else "dashed")
            for a, b, rel, c in links
            if visible(a) and visible(b) and c >= GREY
        ]
        people = {p: YoungPerson(person_id=p, name=f"Name {p}", school=self.people[p][1]) for p in pids}
        snap = Snapshot(
            as_at=AS_AT,
            nodes=nodes,
            people=people,
            records_of={p: [p] for p in pids},
            canonical={p: p for p in pids},
            locations=dict(sorted(self.locations.items())),
            incidents=dict(sorted(self.incidents.items())),
            agencies={},
            agreements={"AG1": AGREEMENT, "AG-OLD": EXPIRED},
            evidence=EvidenceTable.empty(),
            withdrawn_by={},
            strengths=list(self.strengths),
            concerns=list(self.concerns),
        )
        policy = PolicyRecord(
            version=1,
            created_at=datetime(2026, 1, 1, tzinfo=UTC),
            actor="test",
            role="panel",
            reason="test",
            replaces=None,
            body=None,
        )
        return MapResult(
            as_at=AS_AT,
            snapshot=snap,
            links=table,
            policy=policy,
            rule_pack_version="test",
            statuses=statuses,
            shown_links=shown_links,
        )


def two_groups() -> MapBuilder:
    """Two clusters of three (A1-A3 at park L1, B1-B3 at station L2) and a bridge person E1 tied to both."""
    b = MapBuilder()
    for p in ("A1", "A2", "A3", "B1", "B2", "B3"):
        b.person(p, school="Northfield Academy" if p.startswith("A") else "Southgate School")
    b.person("E1")
    b.location("L1", "park", of_concern=True, name="Rec ground").location("L2", "station", name="Central station")
    b.incident("I1", "criminal_exploitation", location="L1")
    for x, y in (("A1", "A2"), ("A2", "A3"), ("A1", "A3"), ("B1", "B2"), ("B2", "B3"), ("B1", "B3")):
        b.link(x, y, "association", 0.9)
    b.link("E1", "A1", "association", 0.8).link("E1", "B1", "association", 0.8)
    for p in ("A1", "A2", "A3"):
        b.link(p, "L1", "present_at", 0.8)
    for p in ("B1", "B2", "B3"):
        b.link(p, "L2", "present_at", 0.7)
    b.link("A1", "I1", "harmed", 0.85).link("A2", "I1", "witness", 0.6)
    b.strength("A1", "sports_club").strength("A2", "sports club").strength("B1", "trusted_adult")
    b.concern("B2", "going missing", "B2")
    return b
