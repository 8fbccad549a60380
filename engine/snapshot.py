"""What the partnership knew at a date: the stored rows as at D, with evidence as numpy columns.

Every later stage (scoring, inclusion, groups, reports) is a pure function of a Snapshot plus the
policy in force, which is what makes an "as at" replay come out identical.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from operator import itemgetter
from typing import Any, TypeVar, cast
from weakref import WeakKeyDictionary

import numpy as np
import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col, select

from . import clock
from .grading import SCHEME_CODE, parse_grading
from .identity_links import canonical_ids
from .models import (
    Agency,
    AuditEvent,
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
from .origins import relay_groups
from .restricted import reveal_rows
from .store import Store
from .vocab import AGENCY_KIND_CODE, COLLECTION_CODE, NODE_KIND_CODE, RELATION_CODE, CollectionMethod, ObjectKind

EPOCH = date(1970, 1, 1)
M = TypeVar("M", bound=SQLModel)
F = TypeVar("F", Strength, Concern)


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
    scheme: np.ndarray  # int8, engine.grading.SCHEME_CODE
    reliability: np.ndarray  # int8 index in the scheme's reliability scale
    credibility: np.ndarray  # int8 index in the scheme's credibility scale
    observed: np.ndarray  # int32 day number
    recorded: np.ndarray  # int32 day number
    source_ref: np.ndarray  # int32 position in `source_refs`, -1 when none
    agreement_ok: np.ndarray  # bool: a sharing agreement naming the agency was valid on the recorded date
    retention_ok: np.ndarray  # bool: not past the agreement's retention period at the as-at date
    withdrawn: np.ndarray  # bool: corrected or retracted by a later row known at the as-at date
    relay_group: np.ndarray  # int32: 0, or the 1-based group of items joined by relayed_from (engine.origins)
    collection: np.ndarray  # int8, engine.vocab.COLLECTION_CODE: how the information was collected
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
    "relay_group": np.int32,
    "collection": np.int8,
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
    """Read what was known at the end of `as_at` (default today): rows recorded by then, from imports made by then.

    Snapshots are cached per store, keyed by the database's data state (see `data_state`) and `as_at`: a
    repeated map, a what-if preview or a TUI refresh of an unchanged database does not read it again. The
    cached Snapshot is shared, so nothing may change it (its rows refuse attribute assignment).
    """
    as_at = as_at or clock.today()
    with store.read() as s:
        key = (data_state(s), as_at)
        cache = _CACHE.setdefault(store, {})
        hit = cache.get(key)
        if hit is not None:
            return hit
        snapshot = build_snapshot(s, as_at)
    while len(cache) >= CACHE_SIZE:
        cache.pop(next(iter(cache)))
    cache[key] = snapshot
    return snapshot


CACHE_SIZE = 2  # a city's snapshot is large: today's map and one as-at replay
_CACHE: WeakKeyDictionary[Store, dict[tuple[tuple[Any, ...], date], Snapshot]] = WeakKeyDictionary()

_STATE_MODELS: tuple[type[SQLModel], ...] = (
    ImportBatch,
    YoungPerson,
    Location,
    Incident,
    Agency,
    SharingAgreement,
    Evidence,
    Strength,
    Concern,
    IdentityDecision,
)


def data_state(s: Session) -> tuple[Any, ...]:
    """What the snapshot depends on, cheaply: the newest audit event that wrote data, and the row counts.

    Every change to stored data is recorded by an audit event naming the rows it wrote (`data_ref`); views,
    previews and reports record events without one, so they do not make the cache miss. The row counts also
    catch rows written without an event (test fixtures, a restore); rows edited in place are what
    `audit verify` is for.
    """
    conn = s.connection()
    head = conn.execute(
        sa.select(AuditEvent.__table__.c.seq, AuditEvent.__table__.c.hash)  # type: ignore[attr-defined]
        .where(AuditEvent.__table__.c.data_ref.is_not(None))  # type: ignore[attr-defined]
        .order_by(AuditEvent.__table__.c.seq.desc())  # type: ignore[attr-defined]
        .limit(1)
    ).first()
    tables = [m.__table__.name for m in _STATE_MODELS]  # type: ignore[attr-defined]
    counts = conn.execute(sa.text("SELECT " + ", ".join(f"(SELECT count(*) FROM {t})" for t in tables))).one()
    return (tuple(head) if head is not None else None, tuple(counts))


def _rows(s: Session, model: type[SQLModel], *where: Any, order: Any = None) -> list[dict[str, Any]]:
    """A table's rows as dicts of typed values (plain SQL through SQLAlchemy Core, no ORM identity map)."""
    table = model.__table__  # type: ignore[attr-defined]
    query = sa.select(table).where(*where)
    if order is not None:
        query = query.order_by(order)
    return [dict(r) for r in s.connection().execute(query).mappings()]


def _detached(model: type[M], rows: list[dict[str, Any]]) -> list[M]:
    """Read-only model instances for rows already validated on import (no ORM state: cheap, and any attempt to
    assign an attribute raises, which keeps a cached snapshot from being changed by a caller)."""
    return [cast(M, model.model_construct(**r)) for r in rows]


def build_snapshot(s: Session, as_at: date) -> Snapshot:
    cutoff = clock.end_of_day(as_at)
    batches = ImportBatch.__table__  # type: ignore[attr-defined]
    known_batches = sa.select(batches.c.id).where(batches.c.imported_at <= cutoff)

    def known(model: type[SQLModel]) -> Any:
        """The row's import batch was imported by the end of `as_at` (rows without one are always known)."""
        import_id = model.__table__.c.import_id  # type: ignore[attr-defined]
        return sa.or_(import_id.is_(None), import_id.in_(known_batches))

    # Sorted here, not by the database: PostgreSQL orders text by its collation, Python by code point.
    person_rows = sorted(_rows(s, YoungPerson, known(YoungPerson)), key=itemgetter("person_id"))
    decisions = [
        d for d in s.exec(select(IdentityDecision).order_by(col(IdentityDecision.id))) if d.decided_at <= cutoff
    ]
    canonical = canonical_ids([p["person_id"] for p in person_rows], decisions)
    by_id = {p["person_id"]: p for p in person_rows}
    records_of: dict[str, list[str]] = {}
    for rec, can in canonical.items():
        records_of.setdefault(can, []).append(rec)
    for v in records_of.values():
        v.sort()
    people_rows = [by_id[can] for can in sorted(records_of)]
    people = {p.person_id: p for p in _detached(YoungPerson, people_rows)}

    def by_key(model: type[M], key: str | None, *where: Any) -> dict[str, M]:
        """Known rows by id, in id order (key None: by `agreement_id`, in the database's order, as before)."""
        rows = _rows(s, model, known(model), *where)
        if key is not None:
            rows.sort(key=itemgetter(key))
        id_field = key or "agreement_id"
        return {r[id_field]: obj for r, obj in zip(rows, _detached(model, rows), strict=True)}

    locations = by_key(Location, "location_id")
    incidents = by_key(Incident, "incident_id", Incident.__table__.c.date <= as_at)  # type: ignore[attr-defined]
    agencies = by_key(Agency, "agency_id")
    agreements = by_key(SharingAgreement, None)
    nodes = NodeIndex.build(list(people), list(locations), list(incidents))

    ev = Evidence.__table__  # type: ignore[attr-defined]
    ev_cols = [
        ev.c.evidence_id,
        ev.c.subject_id,
        ev.c.object_id,
        ev.c.relation,
        ev.c.polarity,
        ev.c.agency,
        ev.c.grading_scheme,
        ev.c.grading,
        ev.c.observed_on,
        ev.c.recorded_on,
        ev.c.agreement_id,
        ev.c.source_ref,
        ev.c.supersedes,
        ev.c.retraction,
        ev.c.import_id,  # unused (known rows are chosen in SQL): kept so the columns keep their positions
        ev.c.relayed_from,
        ev.c.collection_method,
    ]
    rows = list(s.connection().execute(sa.select(*ev_cols).where(ev.c.recorded_on <= as_at, known(Evidence))))
    evidence = _evidence_table(rows, nodes, canonical, agencies, agreements, as_at)
    withdrawn_by = {r[12]: r[0] for r in rows if r[12]}
    if withdrawn_by:
        evidence.withdrawn = np.isin(evidence.evidence_id.astype(str), np.array(sorted(withdrawn_by), dtype=str))

    def facts(model: type[F], key: str, kind: str) -> list[F]:
        table = model.__table__  # type: ignore[attr-defined]
        rows = _rows(s, model, known(model), table.c.recorded_on <= as_at, order=table.c[key])
        for r in rows:  # keyed to canonical people before the (read-only) rows are made
            r["person_id"] = canonical.get(r["person_id"], r["person_id"])
        reveal_rows(s, kind, rows, key)  # restricted notes this login may read; whom to ask otherwise
        return _detached(model, rows)

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
        strengths=facts(Strength, "strength_id", "strength"),
        concerns=facts(Concern, "concern_id", "concern"),
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
    rows: Sequence[Sequence[object]],
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
