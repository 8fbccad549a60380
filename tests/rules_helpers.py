"""Build EvidenceTables and NodeIndexes directly (no database) for the rules-engine tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from peermap.engine.grading import SCHEME_CODE, parse_grading
from peermap.engine.origins import relay_groups
from peermap.engine.snapshot import ARRAY_DTYPES, EvidenceTable, NodeIndex, day_number
from peermap.engine.vocab import AGENCY_KIND_CODE, COLLECTION_CODE, RELATION_CODE

AS_AT = date(2026, 6, 1)


@dataclass
class Item:
    """One evidence item as a test writes it."""

    a: str = "P1"
    b: str = "P2"
    relation: str = "association"
    grading: str = "B2"
    scheme: str = "admiralty"
    agency: str = "police"
    kind: str = "police"
    observed: date = date(2026, 5, 1)
    refutes: bool = False
    source_ref: str | None = None
    agreement_ok: bool = True
    retention_ok: bool = True
    withdrawn: bool = False
    evidence_id: str | None = None
    relayed_from: str | None = None
    collection: str = "unspecified"
    extra: dict = field(default_factory=dict)


def nodes(people: int = 4, locations: int = 2, incidents: int = 2) -> NodeIndex:
    return NodeIndex.build(
        [f"P{i}" for i in range(1, people + 1)],
        [f"L{i}" for i in range(1, locations + 1)],
        [f"I{i}" for i in range(1, incidents + 1)],
    )


def table(items: list[Item], idx: NodeIndex | None = None) -> EvidenceTable:
    """An EvidenceTable from Items (person-person pairs normalised, smaller position first)."""
    idx = idx or nodes()
    n = len(items)
    cols = {name: np.zeros(n, dtype=dt) for name, dt in ARRAY_DTYPES.items()}
    agencies = sorted({it.agency for it in items})
    refs = sorted({it.source_ref for it in items if it.source_ref})
    for i, it in enumerate(items):
        g = parse_grading(it.grading, it.scheme)
        pa, pb = idx.position[it.a], idx.position[it.b]
        if idx.kinds[pb] == 0 and pb < pa:
            pa, pb = pb, pa
        cols["evidence_id"][i] = it.evidence_id or f"E{i + 1:04d}"
        cols["subject"][i] = pa
        cols["object"][i] = pb
        cols["relation"][i] = RELATION_CODE[it.relation]
        cols["refutes"][i] = it.refutes
        cols["agency"][i] = agencies.index(it.agency)
        cols["agency_kind"][i] = AGENCY_KIND_CODE[it.kind]
        cols["scheme"][i] = SCHEME_CODE[g.scheme.value]
        cols["reliability"][i] = g.reliability
        cols["credibility"][i] = g.credibility
        cols["observed"][i] = day_number(it.observed)
        cols["recorded"][i] = day_number(it.observed)
        cols["source_ref"][i] = refs.index(it.source_ref) if it.source_ref else -1
        cols["agreement_ok"][i] = it.agreement_ok
        cols["retention_ok"][i] = it.retention_ok
        cols["withdrawn"][i] = it.withdrawn
        cols["collection"][i] = COLLECTION_CODE[it.collection]
    cols["relay_group"] = relay_groups(
        cols["evidence_id"], [it.source_ref for it in items], [it.relayed_from for it in items]
    )
    return EvidenceTable(**cols, agencies=agencies, source_refs=refs)


def link_row(links, a: str, b: str, relation: str = "association") -> int:
    from peermap.engine.vocab import Relation

    rows = links.find(a, b, Relation(relation))
    assert len(rows) == 1, f"expected one {relation} link {a}-{b}, found {len(rows)}"
    return int(rows[0])
