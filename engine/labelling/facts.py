"""Facts per shown young person, computed once with numpy over the snapshot's evidence table.

Per-person checks read these; left-out people are never examined one by one (only counted).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from ..ages import age_on
from ..grading import SCHEME_CODE, Scheme
from ..map_model import MapResult
from ..models import YoungPerson
from ..rules.scoring import origin_labels
from ..snapshot import Snapshot, from_day_number
from ..vocab import NODE_KIND_CODE, RELATION_CODE, ObjectKind, Relation

UNDER_AGE = 13
AGE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("under 13", 0, 12),
    ("13-15", 13, 15),
    ("16-17", 16, 17),
    ("18-24", 18, 24),
    ("25 and over", 25, 200),
)
NOT_RECORDED = "not recorded"

# Lowest reliability / credibility index that counts as low grade or untested, per grading scheme.
_LOW_REL = np.zeros(len(SCHEME_CODE), dtype=np.int8)
_LOW_CRED = np.zeros(len(SCHEME_CODE), dtype=np.int8)
for _scheme, _rel, _cred in (
    (Scheme.ADMIRALTY, 3, 3),
    (Scheme.FIVE_BY_FIVE, 3, 3),
    (Scheme.THREE_FIVE_TWO, 1, 3),
    (Scheme.RECORD, 2, 99),
):
    _LOW_REL[SCHEME_CODE[_scheme.value]] = _rel
    _LOW_CRED[SCHEME_CODE[_scheme.value]] = _cred


def low_grade_mask(snapshot: Snapshot) -> np.ndarray:
    """True for items from an unreliable or untested source, or whose information is doubtful or worse."""
    ev = snapshot.evidence
    low: np.ndarray = (ev.reliability >= _LOW_REL[ev.scheme]) | (ev.credibility >= _LOW_CRED[ev.scheme])
    return low


def origins_and_first_agency(snapshot: Snapshot, window_days: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """Per item: its origin (one id per link and origin, as scoring groups them) and the agency that recorded
    that origin first. A tip relayed by several agencies is one origin and one independent agency."""
    ev = snapshot.evidence
    n = len(ev)
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int32)
    n_nodes = max(len(snapshot.nodes.ids), 1)
    link = (ev.subject.astype(np.int64) * n_nodes + ev.object) * 16 + ev.relation
    label = origin_labels(ev, window_days)
    order = np.lexsort((ev.agency, ev.recorded, label, link))
    new = np.ones(n, dtype=bool)
    new[1:] = (link[order][1:] != link[order][:-1]) | (label[order][1:] != label[order][:-1])
    group_sorted = np.cumsum(new) - 1
    origin = np.empty(n, dtype=np.int64)
    origin[order] = group_sorted
    first = ev.agency[order][np.flatnonzero(new)]  # the earliest recorder of each origin
    return origin, first[origin].astype(np.int32)


def used_mask(snapshot: Snapshot) -> np.ndarray:
    """Evidence the scoring may use: inside an agreement, within retention, not withdrawn."""
    ev = snapshot.evidence
    used: np.ndarray = ev.agreement_ok & ev.retention_ok & ~ev.withdrawn
    return used


@dataclass
class PersonFacts:
    person_id: str
    agencies: set[str]
    origins: int
    n_items: int
    all_low_grade: bool
    newest: date | None
    strong_concern_links: list[str]  # incidents and places of concern linked by a scored link reaching grey
    harmed_in: list[str]
    harming_in: list[str]
    max_link_origins: int
    past_retention: int


def person_facts(result: MapResult) -> dict[str, PersonFacts]:
    """Evidence facts for every shown person (left-out people are never examined one by one)."""
    snap = result.snapshot
    ev = snap.evidence
    nodes = snap.nodes
    shown = [s.person_id for s in result.shown_people()]
    used = used_mask(snap) & ~ev.refutes
    low = low_grade_mask(snap)
    origin, first_agency = origins_and_first_agency(snap)
    obj_kind = nodes.kinds[ev.object] if len(ev) else np.zeros(0, dtype=np.int8)
    person_obj = obj_kind == NODE_KIND_CODE[ObjectKind.PERSON]
    # Every (person position, evidence row) pair: the subject, and the object when it is a person.
    rows = np.arange(len(ev))
    who = np.concatenate([ev.subject, ev.object[person_obj]])
    which = np.concatenate([rows, rows[person_obj]])
    order = np.argsort(who, kind="stable")
    who, which = who[order], which[order]
    concern_loc = np.array(
        [
            bool(snap.locations[nid].of_concern)
            if k == NODE_KIND_CODE[ObjectKind.LOCATION]
            else k == NODE_KIND_CODE[ObjectKind.INCIDENT]
            for nid, k in zip(nodes.ids, nodes.kinds, strict=True)
        ],
        dtype=bool,
    )
    links = result.links
    grey = float(getattr(result.policy.body, "grey_threshold", 0.0))
    harmed, harming = RELATION_CODE[Relation.HARMED.value], RELATION_CODE[Relation.HARMING.value]
    out: dict[str, PersonFacts] = {}
    for pid in shown:
        pos = nodes.position.get(pid)
        if pos is None:
            continue
        lo, hi = np.searchsorted(who, pos, "left"), np.searchsorted(who, pos, "right")
        mine = which[lo:hi]
        u = mine[used[mine]]
        agencies = {ev.agencies[a] for a in first_agency[u]}  # independent agencies: relays count once
        origins = set(origin[u].tolist())
        direct = u[(ev.subject[u] == pos) & concern_loc[ev.object[u]]]
        rel_direct = ev.relation[direct]
        link_rows = np.flatnonzero(((links.subject == pos) | (links.object == pos)) & (links.n_items > 0))
        strong = link_rows[
            (links.subject[link_rows] == pos)
            & concern_loc[links.object[link_rows]]
            & (links.confidence[link_rows] >= grey)
        ]
        out[pid] = PersonFacts(
            person_id=pid,
            agencies=agencies,
            origins=len(origins),
            n_items=int(u.shape[0]),
            all_low_grade=bool(u.shape[0]) and bool(low[u].all()),
            newest=from_day_number(int(ev.observed[u].max())) if u.shape[0] else None,
            strong_concern_links=sorted({nodes.ids[o] for o in links.object[strong]}),
            harmed_in=sorted({nodes.ids[o] for o in ev.object[direct[rel_direct == harmed]]}),
            harming_in=sorted({nodes.ids[o] for o in ev.object[direct[rel_direct == harming]]}),
            max_link_origins=int(links.n_origins[link_rows].max()) if link_rows.shape[0] else 0,
            past_retention=int((~ev.retention_ok[mine]).sum()),
        )
    return out


def age_band(person: YoungPerson, on: date) -> str:
    ages = age_on(person, on)
    if ages is None:
        return NOT_RECORDED
    age = ages[1]
    for label, lo, hi in AGE_BANDS:
        if lo <= age <= hi:
            return label
    return NOT_RECORDED


def policy_window_days(result: MapResult) -> int | None:
    """The inclusion policy's evidence age window in days (engine.policy.InclusionPolicy.max_age_days)."""
    days = getattr(result.policy.body, "max_age_days", None)
    return int(days) if days else None
