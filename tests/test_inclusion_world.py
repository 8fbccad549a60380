"""A world builder for inclusion tests: a Snapshot and a LinkTable made directly (no database, no scoring)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np

from peermap.engine.models import Incident, Location, YoungPerson
from peermap.engine.policy import InclusionPolicy, PolicyRecord
from peermap.engine.rules.links import LinkTable
from peermap.engine.snapshot import EvidenceTable, NodeIndex, Snapshot, day_number
from peermap.engine.vocab import RELATION_CODE

AS_AT = date(2026, 11, 1)


@dataclass
class World:
    """People, locations (id -> of_concern), incidents (id: kind), links (a, b, rel, conf, agencies, age)."""

    people: list[str]
    locations: dict[str, bool] = field(default_factory=dict)
    incidents: dict[str, str] = field(default_factory=dict)
    links: list[tuple[str, str, str, float, int, int]] = field(default_factory=list)
    as_at: date = AS_AT
    review_by: dict[str, date] = field(default_factory=dict)

    def link(self, a: str, b: str, relation: str, conf: float, agencies: int = 2, age_days: int = 30) -> World:
        self.links.append((a, b, relation, conf, agencies, age_days))
        return self

    def build(self) -> tuple[Snapshot, LinkTable]:
        people = sorted(self.people)
        nodes = NodeIndex.build(people, sorted(self.locations), sorted(self.incidents))
        pos = nodes.position
        rows = []
        for a, b, rel, conf, ag, age in self.links:
            pa, pb = pos[a], pos[b]
            if nodes.kinds[pb] == 0 and pb < pa:
                pa, pb = pb, pa
            rows.append((pa, pb, RELATION_CODE[rel], conf, ag, day_number(self.as_at) - age))
        n = len(rows)
        col = list(zip(*rows, strict=True)) if rows else [[] for _ in range(6)]
        conf = np.asarray(col[3], dtype=np.float64)
        unc = np.clip(1.0 - conf, 0.05, 0.95) * 0.5
        links = LinkTable(
            subject=np.asarray(col[0], dtype=np.int32),
            object=np.asarray(col[1], dtype=np.int32),
            relation=np.asarray(col[2], dtype=np.int8),
            belief=conf - unc * 0.5,
            disbelief=np.zeros(n),
            uncertainty=unc,
            base_rate=np.full(n, 0.5),
            confidence=conf,
            conflict=np.zeros(n),
            n_items=np.asarray(col[4], dtype=np.int32),
            n_unused=np.zeros(n, dtype=np.int32),
            n_agencies=np.asarray(col[4], dtype=np.int32),
            n_origins=np.asarray(col[4], dtype=np.int32),
            newest=np.asarray(col[5], dtype=np.int32),
            oldest=np.asarray(col[5], dtype=np.int32),
            nodes=nodes,
            rule_pack_version="test-pack",
        )
        snapshot = Snapshot(
            as_at=self.as_at,
            nodes=nodes,
            people={p: YoungPerson(person_id=p, name=f"Name of {p}", review_by=self.review_by.get(p)) for p in people},
            records_of={p: [p] for p in people},
            canonical={p: p for p in people},
            locations={
                k: Location(location_id=k, name=f"Place {k}", of_concern=v) for k, v in sorted(self.locations.items())
            },
            incidents={k: Incident(incident_id=k, date=self.as_at, kind=v) for k, v in sorted(self.incidents.items())},
            agencies={},
            agreements={},
            evidence=EvidenceTable.empty(),
            withdrawn_by={},
        )
        return snapshot, links


def record(policy: InclusionPolicy, version: int = 1) -> PolicyRecord:
    return PolicyRecord(
        version=version,
        created_at=datetime(2026, 1, 1),
        actor="system",
        role="system",
        reason="test",
        replaces=None,
        body=policy,
    )


def test_world_builds_consistent_tables() -> None:
    w = World(["P2", "P1"], {"L1": True}, {"I1": "peer_on_peer_abuse"})
    w.link("P2", "P1", "association", 0.6).link("P1", "I1", "harmed", 0.8).link("P1", "L1", "present_at", 0.5)
    snap, links = w.build()
    assert len(links) == 3
    assert snap.nodes.ids[:2] == ["P1", "P2"]
    assert int(links.subject[0]) < int(links.object[0])  # person-person stored once, smaller position first


# --------------------------------------------------------------------------------------------- stored worlds

AGENCIES = [
    {"agency_id": "POL", "name": "Police", "kind": "police"},
    {"agency_id": "SCH", "name": "Northgate School", "kind": "school"},
    {"agency_id": "YW", "name": "Youth Service", "kind": "youth_work"},
]
AGREEMENTS = [
    {
        "agreement_id": "ISA-1",
        "agencies": "POL;SCH;YW",
        "purpose": "extra-familial harm panel",
        "lawful_basis": "UK GDPR 6(1)(e); DPA 2018 Sch 1 para 18",
        "valid_from": "2020-01-01",
    }
]


def evidence(
    eid: str,
    s: str,
    o: str,
    rel: str,
    agency: str,
    grading: str,
    scheme: str = "admiralty",
    on: str = "2026-10-02",
    **extra: object,
) -> dict:
    return {
        "evidence_id": eid,
        "subject_id": s,
        "object_id": o,
        "relation": rel,
        "agency": agency,
        "grading": grading,
        "grading_scheme": scheme,
        "observed_on": on,
        "agreement_id": "ISA-1",
        **extra,
    }


def base_tables() -> dict[str, list[dict]]:
    """Eight young people around one incident: harmed (P1), alleged harming (P2 one agency, P4 two), an
    anonymous bystander (P3), a witness (P5), a sibling (P6), an associate (P7) and a weak associate (P8)."""
    ev = [
        evidence("E1", "P1", "INC-1", "harmed", "POL", "B2"),
        evidence("E2", "P1", "INC-1", "harmed", "SCH", "first_hand", "record"),
        evidence("E3", "P2", "INC-1", "harming", "POL", "B2"),
        evidence("E4", "P3", "INC-1", "present", "POL", "anonymous", "record"),
        evidence("E5", "P4", "INC-1", "harming", "POL", "B2"),
        evidence("E6", "P4", "INC-1", "harming", "YW", "disclosure", "record"),
        evidence("E7", "P5", "INC-1", "witness", "SCH", "first_hand", "record"),
        evidence("E8", "P1", "P6", "sibling", "SCH", "first_hand", "record"),
        evidence("E9", "P4", "P7", "association", "POL", "B2"),
        evidence("E10", "P4", "P7", "association", "YW", "first_hand", "record"),
        evidence("E11", "P4", "P8", "association", "POL", "C3"),
    ]
    return {
        "agencies": AGENCIES,
        "agreements": AGREEMENTS,
        "people": [{"person_id": f"P{i}", "name": f"Child {i}"} for i in range(1, 9)],
        "incidents": [{"incident_id": "INC-1", "date": "2026-10-01", "kind": "peer_on_peer_abuse"}],
        "evidence": ev,
    }
