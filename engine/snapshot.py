"""What the partnership knew at a date: the stored rows as at D, with evidence as numpy columns.

Every later stage (scoring, inclusion, groups, reports) is a pure function of a Snapshot plus the
policy in force, which is what makes an "as at" replay come out identical.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import numpy as np
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from . import clock
from .identity_links import canonical_ids
from .models import (
    Agency,
    Concern,
    Evidence,
    IdentityDecision,
    ImportBatch,
    Incident,
    Location,
    SharingAgreement,
    Strength,
    YoungPerson,
)
from .store import Store
from .vocab import AGENCY_KIND_CODE, NODE_KIND_CODE, RELATION_CODE, ObjectKind

EPOCH = date(1970, 1, 1)


def day_number(d: date) -> int:
    """Days since 1970-01-01 (the integer date the arrays carry)."""
    return (d - EPOCH).days


def from_day_number(n: int) -> date:
    return EPOCH + timedelta(days=int(n))


@dataclass
class NodeIndex:
    """People (canonical ids) first, then locations, then incidents; arrays refer to nodes by position."""

    ids: list[str]
    kinds: np.ndarray  # int8: 0 person, 1 location, 2 incident
    position: dict[str, int]
    n_people: int

    @classmethod
    def build(cls, people: list[str], locations: list[str], incidents: list[str]) -> NodeIndex:
        ids = [*people, *locations, *incidents]
        kinds = np.concatenate(
            [
                np.full(len(people), NODE_KIND_CODE[ObjectKind.PERSON], dtype=np.int8),
                np.full(len(locations), NODE_KIND_CODE[ObjectKind.LOCATION], dtype=np.int8),
                np.full(len(incidents), NODE_KIND_CODE[ObjectKind.INCIDENT], dtype=np.int8),
            ]
        )
        return cls(ids=ids, kinds=kinds, position={n: i for i, n in enumerate(ids)}, n_people=len(people))


@dataclass
class EvidenceTable:
    """Evidence items as parallel numpy arrays (one entry per claim; retraction rows are not claims)."""

    evidence_id: np.ndarray  # object (str)
    subject: np.ndarray  # int32 node position (canonical person)
    object: np.ndarray  # int32 node position
    relation: np.ndarray  # int8, engine.vocab.RELATION_CODE
    refutes: np.ndarray  # bool
    agency: np.ndarray  # int32 position in `agencies`
    agency_kind: np.ndarray  # int8, engine.vocab.AGENCY_KIND_CODE
    scheme: np.ndarray  # int8, engine.rules.grading.SCHEME_CODE
    reliability: np.ndarray  # int8 index in the scheme's reliability scale
    credibility: np.ndarray  # int8 index in the scheme's credibility scale
    observed: np.ndarray  # int32 day number
    recorded: np.ndarray  # int32 day number
    source_ref: np.ndarray  # int32 position in `source_refs`, -1 when none
    agreement_ok: np.ndarray  # bool: a sharing agreement naming the agency was valid on the recorded date
    retention_ok: np.ndarray  # bool: not past the agreement's retention period at the as-at date
    withdrawn: np.ndarray  # bool: corrected or retracted by a later row known at the as-at date
    agencies: list[str]
    source_refs: list[str]

    def __len__(self) -> int:
        return int(self.evidence_id.shape[0])

    def take(self, mask_or_index: np.ndarray) -> EvidenceTable:
        """The rows selected by a boolean mask or an index array (lookup lists are shared)."""
        kw = {name: getattr(self, name)[mask_or_index] for name in ARRAY_FIELDS}
        return EvidenceTable(**kw, agencies=self.agencies, source_refs=self.source_refs)

    @classmethod
    def empty(cls) -> EvidenceTable:
        kw = {name: np.zeros(0, dtype=dt) for name, dt in ARRAY_DTYPES.items()}
        return cls(**kw, agencies=[], source_refs=[])


ARRAY_DTYPES: dict[str, object] = {
    "evidence_id": object,
    "subject": np.int32,
    "object": np.int32,
    "relation": np.int8,
    "refutes": bool,
    "agency": np.int32,
    "agency_kind": np.int8,
    "scheme": np.int8,
    "reliability": np.int8,
    "credibility": np.int8,
    "observed": np.int32,
    "recorded": np.int32,
    "source_ref": np.int32,
    "agreement_ok": bool,
    "retention_ok": bool,
    "withdrawn": bool,
}
ARRAY_FIELDS = tuple(ARRAY_DTYPES)


@dataclass
class Snapshot:
    """Everything known as at `as_at`, people resolved to canonical ids through confirmed identity links."""

    as_at: date
    nodes: NodeIndex
    people: dict[str, YoungPerson]  # canonical id -> the representative record
    records_of: dict[str, list[str]]  # canonical id -> its agency record ids (sorted)
    canonical: dict[str, str]  # agency record id -> canonical id
    locations: dict[str, Location]
    incidents: dict[str, Incident]
    agencies: dict[str, Agency]
    agreements: dict[str, SharingAgreement]
    evidence: EvidenceTable
    withdrawn_by: dict[str, str]  # evidence id -> the id of the row that corrected or retracted it
    strengths: list[Strength] = field(default_factory=list)
    concerns: list[Concern] = field(default_factory=list)

    def person_name(self, person_id: str) -> str:
        return self.people[person_id].name


def _known_cutoff(as_at: date) -> datetime:
    return datetime.combine(as_at, time.max, tzinfo=UTC)


def agreement_covers(agreement: SharingAgreement | None, agency: str, on: date) -> bool:
    """True when the agreement names the agency and is valid on the date."""
    if agreement is None:
        return False
    if agency not in {a.strip() for a in agreement.agencies.split(";")}:
        return False
    if on < agreement.valid_from:
        return False
    return agreement.valid_to is None or on <= agreement.valid_to


def load_snapshot(store: Store, as_at: date | None = None) -> Snapshot:
    """Read what was known at the end of `as_at` (default today): rows recorded by then, from imports made by then."""
    as_at = as_at or clock.today()
    with store.read() as s:
        return build_snapshot(s, as_at)


def build_snapshot(s: Session, as_at: date) -> Snapshot:
    cutoff = _known_cutoff(as_at)
    known_imports = {i for i in s.exec(select(ImportBatch.id).where(col(ImportBatch.imported_at) <= cutoff))}

    def known(row_import: int | None) -> bool:
        return row_import is None or row_import in known_imports

    records = sorted((p for p in s.exec(select(YoungPerson)) if known(p.import_id)), key=lambda p: p.person_id)
    decisions = [
        d for d in s.exec(select(IdentityDecision).order_by(col(IdentityDecision.id))) if d.decided_at <= cutoff
    ]
    canonical = canonical_ids([p.person_id for p in records], decisions)
    by_id = {p.person_id: p for p in records}
    records_of: dict[str, list[str]] = {}
    for rec, can in canonical.items():
        records_of.setdefault(can, []).append(rec)
    for v in records_of.values():
        v.sort()
    people = {can: by_id[can] for can in sorted(records_of)}

    locations = {
        x.location_id: x for x in sorted(s.exec(select(Location)), key=lambda x: x.location_id) if known(x.import_id)
    }
    incidents = {
        x.incident_id: x
        for x in sorted(s.exec(select(Incident)), key=lambda x: x.incident_id)
        if known(x.import_id) and x.date <= as_at
    }
    agencies = {x.agency_id: x for x in sorted(s.exec(select(Agency)), key=lambda x: x.agency_id) if known(x.import_id)}
    agreements = {x.agreement_id: x for x in s.exec(select(SharingAgreement)) if known(x.import_id)}
    nodes = NodeIndex.build(list(people), list(locations), list(incidents))

    ev_cols: list[Any] = [
        Evidence.evidence_id,
        Evidence.subject_id,
        Evidence.object_id,
        Evidence.relation,
        Evidence.polarity,
        Evidence.agency,
        Evidence.grading_scheme,
        Evidence.grading,
        Evidence.observed_on,
        Evidence.recorded_on,
        Evidence.agreement_id,
        Evidence.source_ref,
        Evidence.supersedes,
        Evidence.retraction,
        Evidence.import_id,
    ]
    rows = [r for r in s.execute(sa_select(*ev_cols).where(col(Evidence.recorded_on) <= as_at)) if known(r[14])]
    evidence = _evidence_table(rows, nodes, canonical, agencies, agreements, as_at)
    withdrawn_by = {r[12]: r[0] for r in rows if r[12]}
    if withdrawn_by:
        evidence.withdrawn = np.isin(evidence.evidence_id, np.array(list(withdrawn_by), dtype=object))

    strengths = [
        x
        for x in s.exec(select(Strength).order_by(col(Strength.strength_id)))
        if known(x.import_id) and x.recorded_on <= as_at
    ]
    concerns = [
        x
        for x in s.exec(select(Concern).order_by(col(Concern.concern_id)))
        if known(x.import_id) and x.recorded_on <= as_at
    ]
    # Detached copies re-keyed to canonical people: the session's own rows are never changed.
    strengths = [
        Strength(**{**x.model_dump(), "person_id": canonical.get(x.person_id, x.person_id)}) for x in strengths
    ]
    concerns = [Concern(**{**x.model_dump(), "person_id": canonical.get(x.person_id, x.person_id)}) for x in concerns]
    return Snapshot(
        as_at=as_at,
        nodes=nodes,
        people=people,
        records_of=records_of,
        canonical=canonical,
        locations=locations,
        incidents=incidents,
        agencies=agencies,
        agreements=agreements,
        evidence=evidence,
        withdrawn_by=withdrawn_by,
        strengths=strengths,
        concerns=concerns,
    )


def _evidence_table(
    rows: list,
    nodes: NodeIndex,
    canonical: dict[str, str],
    agencies: dict[str, Agency],
    agreements: dict[str, SharingAgreement],
    as_at: date,
) -> EvidenceTable:
    # engine.rules imports this module (NodeIndex, EvidenceTable): import the grading scales here, not at the top.
    from .rules.grading import SCHEME_CODE, parse_grading

    claims = [r for r in rows if not r[13]]
    claims = [
        r for r in claims if canonical.get(r[1]) in nodes.position and (canonical.get(r[2], r[2]) in nodes.position)
    ]
    claims.sort(key=lambda r: r[0])
    n = len(claims)
    agency_list = sorted({r[5] for r in claims})
    agency_pos = {a: i for i, a in enumerate(agency_list)}
    ref_list = sorted({r[11] for r in claims if r[11]})
    ref_pos = {a: i for i, a in enumerate(ref_list)}
    cols = {name: np.zeros(n, dtype=dt) for name, dt in ARRAY_DTYPES.items()}
    as_at_n = day_number(as_at)
    for i, r in enumerate(claims):
        (eid, subj, obj, rel, pol, agency, scheme, grading, observed, recorded, agr, ref, _sup, _ret, _imp) = r
        g = parse_grading(grading, scheme)
        a = nodes.position[canonical[subj]]
        b = nodes.position[canonical.get(obj, obj)]
        if nodes.kinds[b] == 0 and b < a:  # person-person links are symmetric: smaller position first
            a, b = b, a
        agreement = agreements.get(agr)
        cols["evidence_id"][i] = eid
        cols["subject"][i] = a
        cols["object"][i] = b
        cols["relation"][i] = RELATION_CODE[rel]
        cols["refutes"][i] = pol == "refutes"
        cols["agency"][i] = agency_pos[agency]
        kind = agencies[agency].kind if agency in agencies else "unknown"
        cols["agency_kind"][i] = AGENCY_KIND_CODE.get(kind, AGENCY_KIND_CODE["unknown"])
        cols["scheme"][i] = SCHEME_CODE[g.scheme.value]
        cols["reliability"][i] = g.reliability
        cols["credibility"][i] = g.credibility
        cols["observed"][i] = day_number(observed)
        cols["recorded"][i] = day_number(recorded)
        cols["source_ref"][i] = ref_pos[ref] if ref else -1
        cols["agreement_ok"][i] = agreement_covers(agreement, agency, recorded)
        keep_days = agreement.retention_days if agreement else None
        cols["retention_ok"][i] = keep_days is None or day_number(recorded) + keep_days >= as_at_n
    return EvidenceTable(**cols, agencies=agency_list, source_refs=ref_list)
