"""Who appears on the map: included, greyed or left out, per canonical young person, with the reasons.

The decision core (`status_codes`) is numpy over the LinkTable: boolean scatters per person, no Python loop
over links, so a what-if preview on a city runs in milliseconds. `decide` adds the reason codes and roles
(still vectorised) and only then builds sentences, for shown people; left-out people get a code and a
fixed sentence that names nobody.

Semantics (docs/decisions/0002-inclusion-semantics.md):

* a **concern link** is a person–incident link in one of the policy's incident roles, or a present_at link
  to a location marked of concern (when the policy counts those);
* **included**: a concern link with confidence >= include_threshold, at least min_agencies agencies and newest
  used evidence observed within max_age_days of the as-at date (a *qualifying* link); optionally a qualifying
  co-offending link to a directly included person; optionally association only (flagged);
* **greyed**: a concern link with confidence >= grey_threshold that does not qualify, or a peer link in the
  policy's association relations with confidence >= grey_threshold to a *directly* included person
  (association is never transitive; sibling links never count);
* **left out**: everything else.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

import numpy as np

from .figures import beside, shown
from .map_model import PersonStatus, Reason, Status
from .policy import InclusionPolicy
from .rules.links import LinkTable
from .safeguards import normal_kind, shipped_safeguards
from .snapshot import Snapshot, day_number, from_day_number
from .vocab import NODE_KIND_CODE, RELATION_CODE, RELATIONS, ObjectKind, Relation

LEFT_OUT, GREYED, INCLUDED = 0, 1, 2
STATUS_NAMES: tuple[Status, Status, Status] = ("left_out", "greyed", "included")

_PERSON = NODE_KIND_CODE[ObjectKind.PERSON]
_LOCATION = NODE_KIND_CODE[ObjectKind.LOCATION]
_INCIDENT = NODE_KIND_CODE[ObjectKind.INCIDENT]
_PRESENT_AT = RELATION_CODE[Relation.PRESENT_AT.value]
_CO_OFFENDING = RELATION_CODE[Relation.CO_OFFENDING.value]
_SIBLING = RELATION_CODE[Relation.SIBLING.value]
_HARMED = RELATION_CODE[Relation.HARMED.value]
_HARMING = RELATION_CODE[Relation.HARMING.value]

# Reason codes (machine-readable, stable). The first reason of every person decides the status.
ROLE_CODE: dict[str, str] = {
    Relation.HARMED.value: "harmed_in_incident",
    Relation.HARMING.value: "harming_in_incident",
    Relation.WITNESS.value: "witness_to_incident",
    Relation.PRESENT.value: "present_at_incident",
    Relation.PRESENT_AT.value: "present_at_location_of_concern",
}

LEFT_OUT_TEXT = {
    "below_grey_threshold": "left out: every link to an incident or place of concern is below the grey threshold",
    "sibling_only": "left out: linked to an included young person only as a sibling, which never counts as association",
    "no_concern_link": "left out: no link to an incident or place of concern",
}


@dataclass
class InclusionInputs:
    """The LinkTable columns inclusion reads, plus per-link facts that no policy changes; built once, reused
    for every policy a panel previews."""

    n_people: int
    as_at_day: int
    subject: np.ndarray  # intp person position
    object: np.ndarray  # intp node position
    relation: np.ndarray  # int8
    confidence: np.ndarray  # float64
    n_agencies: np.ndarray  # int32
    newest: np.ndarray  # int32 day number, -1 none
    object_kind: np.ndarray  # int8 node kind of the object
    of_concern: np.ndarray  # bool: the object is a location marked of concern
    tag: np.ndarray  # uint32 bits: incident role (1 << relation), LOCATION_BIT, person-person (1 << 16+relation)
    age: np.ndarray  # int32 days from the newest used item to the as-at date (huge when none)
    sibling_pair: np.ndarray  # bool per link: a person-person link between two people also recorded as siblings
    concern_record: np.ndarray  # bool per person: at least one concern is recorded about them
    exploitation: np.ndarray  # bool per person: a concern of exploitation is recorded (policies/safeguards.yaml)


LOCATION_BIT = 1 << 12  # present_at a location of concern
_PP_SHIFT = 16
_NO_EVIDENCE_AGE = 1 << 30


def sibling_pairs(links: LinkTable) -> np.ndarray:
    """Per link: True for a person-person link between two people a sibling link also joins (its evidence not
    mostly refuting). Siblings recorded as associates are siblings: family is not peer-group evidence."""
    kind = links.nodes.kinds[links.object.astype(np.intp)] if len(links) else np.zeros(0, dtype=np.int8)
    pp = kind == _PERSON
    pair = links.subject.astype(np.int64) * max(len(links.nodes.ids), 1) + links.object
    sib = pp & (links.relation == _SIBLING) & (links.belief >= links.disbelief) & (links.n_items > 0)
    joined: np.ndarray = pp & np.isin(pair, pair[sib])
    return joined


def prepare_arrays(
    links: LinkTable,
    location_of_concern: np.ndarray,
    as_at: date,
    concern_record: np.ndarray | None = None,
    exploitation: np.ndarray | None = None,
) -> InclusionInputs:
    """Inputs from a LinkTable and a per-node 'location of concern' flag (length = number of nodes), with
    optional per-person flags (a concern recorded; a concern of exploitation recorded)."""
    obj = links.object.astype(np.intp, copy=False)
    subj = links.subject.astype(np.intp, copy=False)
    if subj.size and int(subj.max()) >= links.nodes.n_people:
        raise ValueError("LinkTable subjects must be people")
    kind = links.nodes.kinds[obj]
    of_concern = location_of_concern[obj]
    rel = links.relation
    bit = np.left_shift(np.uint32(1), rel.astype(np.uint32))
    tag = np.where(kind == _INCIDENT, bit, np.uint32(0))
    tag |= np.where((kind == _LOCATION) & (rel == _PRESENT_AT) & of_concern, np.uint32(LOCATION_BIT), np.uint32(0))
    tag |= np.where(kind == _PERSON, np.left_shift(bit, np.uint32(_PP_SHIFT)), np.uint32(0))
    as_at_day = day_number(as_at)
    newest = links.newest
    age = np.where(newest >= 0, as_at_day - newest, _NO_EVIDENCE_AGE).astype(np.int32)
    return InclusionInputs(
        n_people=links.nodes.n_people,
        as_at_day=as_at_day,
        subject=subj,
        object=obj,
        relation=rel,
        confidence=links.confidence.astype(np.float64, copy=False),
        n_agencies=links.n_agencies,
        newest=newest,
        object_kind=kind,
        of_concern=of_concern,
        tag=tag.astype(np.uint32, copy=False),
        age=age,
        sibling_pair=sibling_pairs(links),
        concern_record=concern_record if concern_record is not None else np.zeros(links.nodes.n_people, dtype=bool),
        exploitation=exploitation if exploitation is not None else np.zeros(links.nodes.n_people, dtype=bool),
    )


def location_flags(snapshot: Snapshot) -> np.ndarray:
    """Per node: True for locations marked of concern."""
    flags = np.zeros(len(snapshot.nodes.ids), dtype=bool)
    pos = [
        snapshot.nodes.position[i]
        for i, loc in snapshot.locations.items()
        if loc.of_concern and i in snapshot.nodes.position
    ]
    flags[np.asarray(pos, dtype=np.int64)] = True
    return flags


def concern_flags(snapshot: Snapshot) -> tuple[np.ndarray, np.ndarray]:
    """Per person position: any concern recorded; a concern of exploitation recorded."""
    n = snapshot.nodes.n_people
    record, exploited = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    words = shipped_safeguards()
    pos = snapshot.nodes.position
    for c in snapshot.concerns:
        i = pos.get(c.person_id)
        if i is None or i >= n:
            continue
        record[i] = True
        if words.is_exploitation(c.kind):
            exploited[i] = True
    return record, exploited


def prepare(snapshot: Snapshot, links: LinkTable) -> InclusionInputs:
    record, exploited = concern_flags(snapshot)
    return prepare_arrays(links, location_flags(snapshot), snapshot.as_at, record, exploited)


def _bits(names: tuple[str, ...], shift: int = 0) -> np.uint32:
    value = 0
    for n in names:
        value |= 1 << (RELATION_CODE[n] + shift)
    return np.uint32(value)


@dataclass
class _Masks:
    concern: np.ndarray  # per link
    grey_ok: np.ndarray
    conditions: np.ndarray  # agencies and age met
    qualifies: np.ndarray
    peer: np.ndarray  # association relation between two people
    direct: np.ndarray  # per person: directly included
    co_included: np.ndarray
    assoc: np.ndarray  # per person: peer link >= grey to a directly included person
    presence_only: np.ndarray  # per person: only present_at places of concern, no incident, no concern record
    possibly_exploited: np.ndarray  # per person: exploitation concern or harmed, and harming or co-offending
    status: np.ndarray  # int8 per person


def _masks(x: InclusionInputs, p: InclusionPolicy) -> _Masks:
    n = x.n_people
    conf = x.confidence
    concern_bits = _bits(p.incident_roles) | (np.uint32(LOCATION_BIT) if p.locations_of_concern else 0)
    concern = (x.tag & concern_bits) != 0
    grey_ok = conf >= p.grey_threshold
    strong = conf >= p.include_threshold
    conditions = (x.n_agencies >= p.min_agencies) & (x.age <= p.max_age_days)
    qualifies = concern & strong & conditions

    # Presence alone: a person whose only concern links are present_at places of concern (no incident link
    # in the policy's roles and no concern record) is greyed unless the panel includes them (flagged).
    incident_link = np.zeros(n, dtype=bool)
    incident_link[x.subject[concern & grey_ok & ((x.tag & np.uint32(LOCATION_BIT)) == 0)]] = True
    presence_only = ~incident_link & ~x.concern_record

    direct = np.zeros(n, dtype=bool)
    direct[x.subject[qualifies]] = True
    if p.presence_only == "greyed":
        direct &= ~presence_only
    shown_direct = np.zeros(n, dtype=bool)
    shown_direct[x.subject[concern & grey_ok]] = True

    # Siblings recorded as associates are siblings, never association.
    peer = ((x.tag & _bits(p.association_relations, _PP_SHIFT)) != 0) & ~x.sibling_pair
    pa = peer & grey_ok
    a, b = x.subject[pa], x.object[pa]
    assoc = np.zeros(n, dtype=bool)
    assoc[a[direct[b]]] = True
    assoc[b[direct[a]]] = True
    # Inclusion through association needs the policy's agencies and recency like every other route.
    pq = pa & conditions
    qa, qb = x.subject[pq], x.object[pq]
    assoc_qual = np.zeros(n, dtype=bool)
    assoc_qual[qa[direct[qb]]] = True
    assoc_qual[qb[direct[qa]]] = True

    # Possibly exploited: an exploitation concern or a harmed link, with a harming or co-offending link.
    victim = x.exploitation.copy()
    victim[x.subject[grey_ok & (x.object_kind == _INCIDENT) & (x.relation == _HARMED)]] = True
    harm_role = np.zeros(n, dtype=bool)
    harm_role[x.subject[grey_ok & (x.object_kind == _INCIDENT) & (x.relation == _HARMING)]] = True
    co = grey_ok & (x.object_kind == _PERSON) & (x.relation == _CO_OFFENDING)
    harm_role[x.subject[co]] = True
    harm_role[x.object[co]] = True
    possibly_exploited = victim & harm_role

    co_included = np.zeros(n, dtype=bool)
    if p.co_offending_direct:
        co = ((x.tag & _bits((Relation.CO_OFFENDING.value,), _PP_SHIFT)) != 0) & strong & conditions
        ca, cb = x.subject[co], x.object[co]
        co_included[ca[direct[cb]]] = True
        co_included[cb[direct[ca]]] = True
        co_included &= ~direct

    included = direct | co_included
    assoc &= ~included
    if p.association_only == "included":
        included = included | (assoc & assoc_qual)
    status = (shown_direct | assoc).astype(np.int8)  # GREYED where shown at all ...
    status[included] = INCLUDED  # ... then INCLUDED wins
    return _Masks(
        concern=concern,
        grey_ok=grey_ok,
        conditions=conditions,
        qualifies=qualifies,
        peer=peer,
        direct=direct,
        co_included=co_included,
        assoc=assoc,
        presence_only=presence_only & shown_direct,
        possibly_exploited=possibly_exploited,
        status=status,
    )


def status_codes(x: InclusionInputs, policy: InclusionPolicy) -> np.ndarray:
    """Per person position: 0 left out, 1 greyed, 2 included (the what-if core; numpy only)."""
    return _masks(x, policy).status


def _best_per_person(person: np.ndarray, conf: np.ndarray, link: np.ndarray, n: int) -> np.ndarray:
    """Per person, the index into `link` of the highest-confidence entry (ties: lowest link); -1 when none."""
    best = np.full(n, -1, dtype=np.int64)
    if person.size == 0:
        return best
    order = np.lexsort((link, -conf, person))
    first = np.ones(order.size, dtype=bool)
    first[1:] = person[order][1:] != person[order][:-1]
    best[person[order][first]] = order[first]
    return best


@dataclass
class InclusionDecision:
    """Vectorised per-person decision: status, first-reason code and the deciding link (-1 none)."""

    status: np.ndarray  # int8
    code: np.ndarray  # object (str)
    link: np.ndarray  # int64 LinkTable row that decided, -1 none
    other: np.ndarray  # int64 other person position for association/co-offending decisions, -1 none
    confidence: np.ndarray  # float64
    masks: _Masks


def decide_arrays(x: InclusionInputs, p: InclusionPolicy) -> InclusionDecision:
    m = _masks(x, p)
    n = x.n_people
    idx = np.arange(x.subject.size, dtype=np.int64)
    conf = x.confidence
    code = np.full(n, "no_concern_link", dtype=object)
    link = np.full(n, -1, dtype=np.int64)
    other = np.full(n, -1, dtype=np.int64)

    def best_of(mask: np.ndarray) -> np.ndarray:
        sel = idx[mask]
        pos = _best_per_person(x.subject[sel], conf[sel], sel, n)
        return np.where(pos >= 0, sel[np.maximum(pos, 0)] if sel.size else -1, -1)

    # peer links to directly included people, seen from each end
    def best_peer(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        sel = idx[mask]
        a, b = x.subject[sel], x.object[sel]
        fwd, bwd = m.direct[b], m.direct[a]
        person = np.concatenate([a[fwd], b[bwd]])
        oth = np.concatenate([b[fwd], a[bwd]])
        lk = np.concatenate([sel[fwd], sel[bwd]])
        pos = _best_per_person(person, conf[lk], lk, n)
        has = pos >= 0
        safe = np.maximum(pos, 0)
        return (
            np.where(has, lk[safe] if lk.size else -1, -1),
            np.where(has, oth[safe] if oth.size else -1, -1),
        )

    any_concern = best_of(m.concern)
    best_shown = best_of(m.concern & m.grey_ok)
    best_qual = best_of(m.qualifies)
    assoc_link, assoc_other = best_peer(m.peer & m.grey_ok)
    is_pp = x.object_kind == _PERSON
    # sibling links, and peer links between people also recorded as siblings (they count as the sibling link)
    sib_link, _sib_other = best_peer(is_pp & ((x.relation == _SIBLING) | x.sibling_pair) & m.grey_ok)

    st = m.status
    # left out
    lo = st == LEFT_OUT
    sel = lo & (any_concern >= 0)
    code[sel], link[sel] = "below_grey_threshold", any_concern[sel]
    sel = lo & (any_concern < 0) & (sib_link >= 0)
    code[sel], link[sel] = "sibling_only", sib_link[sel]
    # greyed
    gr = st == GREYED
    via_direct = gr & (best_shown >= 0)
    bl = np.maximum(best_shown, 0)
    strong = conf[bl] >= p.include_threshold if conf.size else np.zeros(n, dtype=bool)
    few = x.n_agencies[bl] < p.min_agencies if conf.size else np.zeros(n, dtype=bool)
    code[via_direct] = "grey_band"
    code[via_direct & strong & few] = "too_few_agencies"
    code[via_direct & strong & ~few] = "evidence_too_old"
    link[via_direct] = best_shown[via_direct]
    if p.presence_only == "greyed":
        pres = via_direct & m.presence_only & (best_qual >= 0)
        code[pres], link[pres] = "presence_only", best_qual[pres]
    via_assoc = gr & ~via_direct
    code[via_assoc], link[via_assoc], other[via_assoc] = (
        "association_only",
        assoc_link[via_assoc],
        assoc_other[via_assoc],
    )
    # included
    inc = st == INCLUDED
    direct = inc & m.direct
    link[direct] = best_qual[direct]
    rel_names = np.array([ROLE_CODE.get(r.value, "") for r in RELATIONS], dtype=object)
    if direct.any():
        code[direct] = rel_names[x.relation[best_qual[direct]]]
    co = inc & m.co_included
    if co.any():
        sel_co = idx[is_pp & (x.relation == _CO_OFFENDING) & (conf >= p.include_threshold) & m.conditions]
        a, b = x.subject[sel_co], x.object[sel_co]
        fwd, bwd = m.direct[b], m.direct[a]
        person = np.concatenate([a[fwd], b[bwd]])
        oth = np.concatenate([b[fwd], a[bwd]])
        lk = np.concatenate([sel_co[fwd], sel_co[bwd]])
        pos = _best_per_person(person, conf[lk], lk, n)
        code[co], link[co], other[co] = "co_offending_with_included", lk[pos[co]], oth[pos[co]]
    by_assoc = inc & ~m.direct & ~m.co_included
    code[by_assoc], link[by_assoc], other[by_assoc] = (
        "association_included",
        assoc_link[by_assoc],
        assoc_other[by_assoc],
    )
    confidence = np.where(link >= 0, conf[np.maximum(link, 0)] if conf.size else 0.0, 0.0)
    return InclusionDecision(status=st, code=code, link=link, other=other, confidence=confidence, masks=m)


# --------------------------------------------------------------------------------------------- sentences


def _fmt_kind(kind: str | None) -> str:
    text = (kind or "unspecified").replace("_", " ")
    return text.replace("peer on peer", "peer-on-peer")


def _agencies(n: int) -> str:
    return f"{n} independent agencies" if n != 1 else "1 agency"


class _Texts:
    """Sentences for shown people. Link columns are read as Python lists (numpy scalar access is slow)."""

    def __init__(self, snapshot: Snapshot, x: InclusionInputs, p: InclusionPolicy) -> None:
        self.s, self.p = snapshot, p
        self.ids = snapshot.nodes.ids
        self.obj: list[int] = x.object.tolist()
        self.rel: list[int] = x.relation.tolist()
        self.conf: list[float] = x.confidence.tolist()
        self.nag: list[int] = x.n_agencies.tolist()
        self.newest: list[int] = x.newest.tolist()
        self.subj: list[int] = x.subject.tolist()
        self.exploit_note: dict[int, str] = {}  # person position -> "a concern of ... is held" (possibly exploited)
        self.words = shipped_safeguards()

    def target(self, i: int) -> str:
        return self.ids[self.obj[i]]

    def phrase(self, i: int) -> str:
        rel = RELATIONS[self.rel[i]]
        oid = self.target(i)
        if rel is Relation.PRESENT_AT:
            loc = self.s.locations.get(oid)
            return f"present at a location of concern ({oid}, {loc.name if loc else 'unnamed'})"
        inc = self.s.incidents.get(oid)
        kind = _fmt_kind(inc.kind if inc else None)
        if rel is Relation.HARMED:
            return f"harmed in an incident of concern ({oid}, {kind})"
        if rel is Relation.HARMING:
            note = self.exploit_note.get(self.subj[i])
            if note:  # a child who may be exploited is never described as having harmed others alone
                return f"recorded as harming in an incident of concern ({oid}, {kind}) while {note}: possibly exploited"
            return f"alleged to have harmed others in an incident of concern ({oid}, {kind})"
        if rel is Relation.WITNESS:
            return f"witnessed an incident of concern ({oid}, {kind})"
        if rel is Relation.PRESENT:
            if inc is not None and self.words.is_adult_context(inc.kind):
                return (
                    f"present at an incident of concern ({oid}, {kind}) where children were with adults: "
                    "possibly harmed there"
                )
            return f"present at an incident of concern ({oid}, {kind})"
        return f"{rel.value} link to {oid}"

    def conf_text(self, i: int, threshold: float | None = None) -> str:
        """The link's confidence, rounded so it never contradicts the threshold it was tested against."""
        return shown(self.conf[i], self.p.include_threshold if threshold is None else threshold)

    def evidence(self, i: int) -> str:
        return f"confidence {self.conf_text(i)} from {_agencies(self.nag[i])}"

    def role_reason(self, i: int, prefix: str) -> Reason:
        code = ROLE_CODE[RELATIONS[self.rel[i]].value]
        return Reason(code, f"{prefix}: {self.phrase(i)}, {self.evidence(i)}", (self.target(i),))

    def first(self, code: str, i: int, other: int) -> Reason:
        p = self.p
        if code in ROLE_CODE.values():
            return self.role_reason(i, "included")
        if code == "grey_band":
            value, threshold = beside(self.conf[i], p.include_threshold)
            return Reason(
                code,
                f"greyed: {self.phrase(i)}, confidence {value} from {_agencies(self.nag[i])}, below the inclusion "
                f"threshold of {threshold}",
                (self.target(i),),
            )
        if code == "too_few_agencies":
            return Reason(
                code,
                f"greyed: {self.phrase(i)}, confidence {self.conf_text(i)} but from only "
                f"{_agencies(self.nag[i])}; inclusion needs {p.min_agencies} independent agencies",
                (self.target(i),),
            )
        if code == "presence_only":
            return Reason(
                code,
                f"greyed: only {self.phrase(i)}, {self.evidence(i)}, with no incident and no concern recorded; "
                "presence alone does not put a young person on the map (the panel may choose to include it)",
                (self.target(i),),
            )
        if code == "evidence_too_old":
            newest = self.newest[i]
            when = from_day_number(newest).isoformat() if newest >= 0 else "an unknown date"
            return Reason(
                code,
                f"greyed: {self.phrase(i)}, confidence {self.conf_text(i)} but the newest "
                f"evidence was observed on {when}, more than {p.max_age_days} days before "
                f"{self.s.as_at.isoformat()}",
                (self.target(i),),
            )
        oid = self.ids[other]
        rel = RELATIONS[self.rel[i]].value.replace("_", " ")
        if code == "association_only":
            return Reason(
                code,
                f"greyed: linked only by association ({rel}, confidence {self.conf_text(i, p.grey_threshold)}) to "
                f"{oid}, who is included; no direct link to an incident or place of concern",
                (oid,),
            )
        if code == "association_included":
            return Reason(
                code,
                f"included by association only ({rel}, confidence {self.conf_text(i, p.grey_threshold)}) with "
                f"{oid}, who is included; flagged: no direct link to an incident or place of "
                f"concern",
                (oid,),
            )
        person = self.subj[i] if self.obj[i] == other else self.obj[i]
        note = self.exploit_note.get(person)
        tail = f", while {note}: possibly exploited" if note else ""
        return Reason(
            code, f"included: co-offending link with {oid}, who is included, {self.evidence(i)}{tail}", (oid,)
        )


@contextmanager
def _gc_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


LEFT_OUT_REASONS = {code: Reason(code, text) for code, text in LEFT_OUT_TEXT.items()}
_ASSOCIATED = Reason("associated_with_included", "also linked by association to an included young person")
_SINGLE_AGENCY = Reason("single_agency", "flag: the deciding link rests on one agency's evidence")
_PRESENCE_ONLY = Reason(
    "presence_only",
    "flag: included on presence at a place of concern alone (no incident and no concern recorded)",
)


def _exploitation_notes(snapshot: Snapshot, x: InclusionInputs, people: np.ndarray) -> dict[int, str]:
    """Per possibly exploited person position: what makes them a possible victim, as a clause."""
    words = shipped_safeguards()
    ids = snapshot.nodes.ids
    wanted = {ids[int(p)]: int(p) for p in people}
    kinds: dict[int, list[str]] = {}
    for c in snapshot.concerns:
        pos = wanted.get(c.person_id)
        if pos is not None and words.is_exploitation(c.kind):
            kinds.setdefault(pos, []).append(_fmt_kind(normal_kind(c.kind)))
    harmed_rows = np.flatnonzero(np.isin(x.subject, people) & (x.object_kind == _INCIDENT) & (x.relation == _HARMED))
    harmed: dict[int, list[str]] = {}
    for r in harmed_rows.tolist():
        harmed.setdefault(int(x.subject[r]), []).append(ids[int(x.object[r])])
    out: dict[int, str] = {}
    for pos in wanted.values():
        if pos in kinds:
            k = sorted(set(kinds[pos]))
            named = k[0] if len(k) == 1 else f"{', '.join(k[:-1])} and {k[-1]}"
            out[pos] = f"a concern of {named} is held"
        elif pos in harmed:
            out[pos] = f"also recorded as harmed ({', '.join(sorted(set(harmed[pos])))})"
    return out


def decide(
    snapshot: Snapshot, links: LinkTable, policy: InclusionPolicy, inputs: InclusionInputs | None = None
) -> dict[str, PersonStatus]:
    """Status, confidence, reasons and incident roles for every canonical person in the snapshot."""
    x = inputs or prepare(snapshot, links)
    d = decide_arrays(x, policy)
    m = d.masks
    ids = snapshot.nodes.ids
    texts = _Texts(snapshot, x, policy)
    n = x.n_people
    texts.exploit_note = _exploitation_notes(snapshot, x, np.flatnonzero(m.possibly_exploited & (d.status != LEFT_OUT)))
    presence_l: list[bool] = m.presence_only.tolist()

    # links of shown people, grouped by person: concern links (for reasons) and incident links (for roles)
    shown_person = d.status != LEFT_OUT
    idx = np.arange(x.subject.size, dtype=np.int64)
    rel_sel = idx[shown_person[x.subject] & m.grey_ok & ((x.object_kind == _INCIDENT) | m.concern)]
    rel_sel = rel_sel[np.lexsort((rel_sel, -x.confidence[rel_sel], x.subject[rel_sel]))]
    starts: list[int] = np.searchsorted(x.subject[rel_sel], np.arange(n + 1), side="left").tolist()
    sel_link: list[int] = rel_sel.tolist()
    sel_incident: list[bool] = (x.object_kind[rel_sel] == _INCIDENT).tolist()
    sel_qualifies: list[bool] = m.qualifies[rel_sel].tolist()
    status_l: list[int] = d.status.tolist()
    code_l: list[str] = d.code.tolist()
    link_l: list[int] = d.link.tolist()
    other_l: list[int] = d.other.tolist()
    conf_l: list[float] = d.confidence.tolist()
    assoc_l: list[bool] = m.assoc.tolist()
    review_limit = snapshot.as_at
    flag_review = policy.flag_overdue_review

    out: dict[str, PersonStatus] = {}
    with _gc_paused():  # building ~10^5 small objects: cyclic GC passes would dominate the time
        for pos in range(n):
            pid = ids[pos]
            st = status_l[pos]
            code = code_l[pos]
            if st == LEFT_OUT:
                out[pid] = PersonStatus(pid, "left_out", conf_l[pos], [LEFT_OUT_REASONS[code]])
                continue
            deciding = link_l[pos]
            reasons = [texts.first(code, deciding, other_l[pos])]
            roles: dict[str, list[str]] = {}
            for j in range(starts[pos], starts[pos + 1]):
                i = sel_link[j]
                if sel_incident[j]:
                    roles.setdefault(texts.target(i), []).append(RELATIONS[texts.rel[i]].value)
                if st == INCLUDED and sel_qualifies[j] and i != deciding:
                    reasons.append(texts.role_reason(i, "also"))
            rel_of: set[str] = set()
            for k, v in roles.items():
                rel_of.update(v)
                roles[k] = [r.value for r in RELATIONS if r.value in v]
            if assoc_l[pos] and code not in ("association_only", "association_included"):
                reasons.append(_ASSOCIATED)
            if st == INCLUDED and deciding >= 0 and texts.nag[deciding] == 1:
                reasons.append(_SINGLE_AGENCY)
            if st == INCLUDED and presence_l[pos] and code == ROLE_CODE[Relation.PRESENT_AT.value]:
                reasons.append(_PRESENCE_ONLY)
            note = texts.exploit_note.get(pos)
            if note:
                harming_in = sorted(k for k, v in roles.items() if Relation.HARMING.value in v)
                what = f"harming in {', '.join(harming_in)}" if harming_in else "co-offending"
                reasons.append(
                    Reason(
                        "possibly_exploited",
                        f"possibly exploited: recorded as {what} while {note}; shown as a child at risk of "
                        "exploitation first, never as having harmed others alone",
                        tuple(harming_in),
                    )
                )
            for inc_id, rs in roles.items():
                inc = snapshot.incidents.get(inc_id)
                if rs == [Relation.PRESENT.value] and inc is not None and texts.words.is_adult_context(inc.kind):
                    reasons.append(
                        Reason(
                            "present_where_adults",
                            f"recorded only as present at {inc_id} ({_fmt_kind(inc.kind)}), where children were "
                            "with adults: treat as possibly harmed or exploited there, not as a bystander",
                            (inc_id,),
                        )
                    )
            if Relation.HARMED.value in rel_of and Relation.HARMING.value in rel_of:
                h = sorted(k for k, v in roles.items() if Relation.HARMED.value in v)
                a = sorted(k for k, v in roles.items() if Relation.HARMING.value in v)
                reasons.append(
                    Reason(
                        "harmed_and_harming",
                        f"recorded as harmed ({', '.join(h)}) and as alleged to have harmed others "
                        f"({', '.join(a)}): the roles are separate and must not be merged",
                        tuple(sorted({*h, *a})),
                    )
                )
            if flag_review:
                review_by = snapshot.people[pid].review_by
                if review_by is not None and review_by < review_limit:
                    reasons.append(
                        Reason("review_overdue", f"review was due by {review_by.isoformat()} and is overdue")
                    )
            out[pid] = PersonStatus(pid, STATUS_NAMES[st], conf_l[pos], reasons, roles)
    return out


def shown_link_rows(x: InclusionInputs, status: np.ndarray, policy: InclusionPolicy) -> np.ndarray:
    """LinkTable rows drawn on the map: confidence >= grey, subject shown, and a person object shown too."""
    shown = status != LEFT_OUT
    keep = (x.confidence >= policy.grey_threshold) & shown[x.subject]
    is_pp = x.object_kind == _PERSON
    obj_shown = np.ones(x.object.size, dtype=bool)
    obj_shown[is_pp] = shown[x.object[is_pp]]
    return np.flatnonzero(keep & obj_shown)
