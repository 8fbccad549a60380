"""The snapshot loader as it was before it read straight into arrays (ORM objects, per-row Python), kept as
the reference the new loader must match column for column (tests/test_snapshot_arrays.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from peermap.engine import clock
from peermap.engine.grading import SCHEME_CODE, parse_grading
from peermap.engine.identity_links import canonical_ids
from peermap.engine.models import (
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
from peermap.engine.origins import relay_groups
from peermap.engine.restricted import reveal
from peermap.engine.snapshot import EvidenceTable, NodeIndex, Snapshot, day_number
from peermap.engine.vocab import AGENCY_KIND_CODE, COLLECTION_CODE, RELATION_CODE, CollectionMethod


def reference_snapshot(s: Session, as_at: date) -> Snapshot:
    cutoff = clock.end_of_day(as_at)
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
        Evidence.relayed_from,
        Evidence.collection_method,
    ]
    rows = [r for r in s.execute(sa_select(*ev_cols).where(col(Evidence.recorded_on) <= as_at)) if known(r[14])]
    evidence = _evidence_table(rows, nodes, canonical, agencies, agreements, as_at)
    withdrawn_by = {r[12]: r[0] for r in rows if r[12]}
    if withdrawn_by:
        evidence.withdrawn = np.isin(evidence.evidence_id.astype(str), np.array(sorted(withdrawn_by), dtype=str))

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
    # Re-key to canonical people on detached rows: nothing read here can ever be flushed back.
    s.expunge_all()
    reveal(s, "strength", strengths, "strength_id")  # restricted notes this login may read (decision 0016)
    reveal(s, "concern", concerns, "concern_id")
    for row in strengths:
        row.person_id = canonical.get(row.person_id, row.person_id)
    for con in concerns:
        con.person_id = canonical.get(con.person_id, con.person_id)
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


def _factorize(values: Any) -> tuple[list[str], np.ndarray]:
    """Distinct values (sorted; None as "") and each row's index into them, without a Python loop per row."""
    arr = np.asarray(values, dtype=object)
    missing = np.asarray(arr == None, dtype=bool)  # noqa: E711 - elementwise comparison on an object array
    arr = np.where(missing, "", arr).astype(str)
    uniques, inverse = np.unique(arr, return_inverse=True)
    return uniques.tolist(), inverse.reshape(-1)


def _days(values: Any) -> np.ndarray:
    return np.asarray(values, dtype="datetime64[D]").astype(np.int64).astype(np.int32)


def _evidence_table(
    rows: list,
    nodes: NodeIndex,
    canonical: dict[str, str],
    agencies: dict[str, Agency],
    agreements: dict[str, SharingAgreement],
    as_at: date,
) -> EvidenceTable:
    """Columnar evidence: each column is factorised once and mapped through its few distinct values."""
    if not rows:
        return EvidenceTable.empty()
    cols = [np.asarray(c, dtype=object) for c in zip(*rows, strict=True)]
    # Relay chains are found over every row known (a relayed item may sit on another link), then subset.
    relay_all = relay_groups(cols[0], cols[11], cols[15])
    subj_u, subj_inv = _factorize(cols[1])
    obj_u, obj_inv = _factorize(cols[2])
    subj_pos = np.array([nodes.position.get(canonical.get(x, "\0"), -1) for x in subj_u], dtype=np.int64)[subj_inv]
    obj_pos = np.array([nodes.position.get(canonical.get(x, x), -1) for x in obj_u], dtype=np.int64)[obj_inv]
    is_claim = ~cols[13].astype(bool)  # retraction rows only withdraw another row
    # Both ends must be known at the as-at date; two records of one young person linked to each other is no link.
    keep = is_claim & (subj_pos >= 0) & (obj_pos >= 0) & (subj_pos != obj_pos)
    ids = cols[0][keep].astype(str)
    order = np.argsort(ids, kind="stable")
    pick = np.flatnonzero(keep)[order]
    cols = [c[pick] for c in cols]
    relay = relay_all[pick]
    a, b = subj_pos[pick], obj_pos[pick]
    swap = (nodes.kinds[b] == 0) & (b < a)  # person-person links are symmetric: smaller position first
    a, b = np.where(swap, b, a), np.where(swap, a, b)

    rel_u, rel_inv = _factorize(cols[3])
    agency_list, agency_inv = _factorize(cols[5])
    scheme_u, scheme_inv = _factorize(cols[6])
    grade_u, grade_inv = _factorize(cols[7])
    pair_key = scheme_inv.astype(np.int64) * len(grade_u) + grade_inv
    pairs, pair_inv = np.unique(pair_key, return_inverse=True)
    gradings = [parse_grading(grade_u[k % len(grade_u)], scheme_u[k // len(grade_u)] or None) for k in pairs.tolist()]
    ref_u, ref_inv = _factorize(cols[11])
    ref_list = [r for r in ref_u if r]
    # ref_u is sorted, so "" (no source_ref) can only come first.
    ref_code = np.arange(len(ref_u), dtype=np.int32) - (1 if ref_u and ref_u[0] == "" else 0)
    observed, recorded = _days(cols[8]), _days(cols[9])
    coll_u, coll_inv = _factorize(cols[16])
    coll_code = np.array(
        [COLLECTION_CODE.get(c or CollectionMethod.UNSPECIFIED.value, 0) for c in coll_u], dtype=np.int8
    )

    # Sharing agreements: per (agreement, agency) pair, whether the agency is a party; per agreement, its dates.
    agr_u, agr_inv = _factorize(cols[10])
    far = np.iinfo(np.int32).max
    found = [agreements.get(x) for x in agr_u]
    valid_from = np.array([day_number(g.valid_from) if g else far for g in found], dtype=np.int64)[agr_inv]
    valid_to = np.array([day_number(g.valid_to) if g and g.valid_to else far for g in found], dtype=np.int64)[agr_inv]
    keep_days = np.array([g.retention_days if g and g.retention_days is not None else -1 for g in found])[agr_inv]
    party_key = agr_inv.astype(np.int64) * len(agency_list) + agency_inv
    party_pairs, party_inv = np.unique(party_key, return_inverse=True)
    party = np.array(
        [
            found[k // len(agency_list)] is not None
            and agency_list[k % len(agency_list)] in _parties(found[k // len(agency_list)])
            for k in party_pairs.tolist()
        ],
        dtype=bool,
    )[party_inv]
    kind_of = [agencies[x].kind if x in agencies else "unknown" for x in agency_list]
    agency_kind = np.array([AGENCY_KIND_CODE.get(k, AGENCY_KIND_CODE["unknown"]) for k in kind_of], dtype=np.int8)
    n = len(ids)
    return EvidenceTable(
        evidence_id=ids[order].astype(object),
        subject=a.astype(np.int32),
        object=b.astype(np.int32),
        relation=np.array([RELATION_CODE[r] for r in rel_u], dtype=np.int8)[rel_inv],
        refutes=cols[4] == "refutes",
        agency=agency_inv.astype(np.int32),
        agency_kind=agency_kind[agency_inv] if n else np.zeros(0, dtype=np.int8),
        scheme=np.array([SCHEME_CODE[g.scheme.value] for g in gradings], dtype=np.int8)[pair_inv],
        reliability=np.array([g.reliability for g in gradings], dtype=np.int8)[pair_inv],
        credibility=np.array([g.credibility for g in gradings], dtype=np.int8)[pair_inv],
        observed=observed,
        recorded=recorded,
        source_ref=ref_code[ref_inv],
        agreement_ok=party & (valid_from <= recorded) & (recorded <= valid_to),
        retention_ok=(keep_days < 0) | (recorded + keep_days >= day_number(as_at)),
        withdrawn=np.zeros(n, dtype=bool),
        relay_group=relay.astype(np.int32),
        collection=coll_code[coll_inv] if n else np.zeros(0, dtype=np.int8),
        agencies=agency_list,
        source_refs=ref_list,
    )


def _parties(agreement: SharingAgreement) -> set[str]:
    return {x.strip() for x in agreement.agencies.split(";")}
