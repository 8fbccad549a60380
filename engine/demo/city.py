"""A city-sized partnership for benchmarks, generated with numpy alone (no per-row Python).

city_evidence() gives the EvidenceTable and NodeIndex that engine.snapshot would build for the city, without a
database; city_tables() gives the same city as interchange tables, for benchmarks that go through the store.
Structure: many small peer groups in areas around schools, their usual places (mostly of concern), incidents
involving group members, school peers, siblings, casual links, and several agencies with their own gradings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, SupportsInt, cast

import numpy as np

from .. import clock
from ..grading import CREDIBILITY, RELIABILITY, SCHEME_CODE, Scheme
from ..snapshot import ARRAY_DTYPES, EvidenceTable, NodeIndex, day_number, from_day_number
from ..vocab import AGENCY_KIND_CODE, RELATION_CODE, RELATIONS
from . import names
from .themes import CONCERN_KINDS, INCIDENT_SUMMARY, STRENGTH_KINDS

SPAN_DAYS = 540

# (agency id, kind, grading scheme); sorted by id, as EvidenceTable.agencies is.
AGENCIES: tuple[tuple[str, str, str], ...] = (
    ("CSC-E", "social_care", "record"),
    ("CSC-W", "social_care", "record"),
    ("EDU-E", "school", "record"),
    ("EDU-W", "school", "record"),
    ("HLT", "health", "record"),
    ("POL-E", "police", "3x5x2"),
    ("POL-W", "police", "5x5x5"),
    ("TPOL", "police", "admiralty"),
    ("VOL", "voluntary", "record"),
    ("YS-E", "youth_work", "record"),
    ("YS-W", "youth_work", "record"),
)
AG = {a[0]: i for i, a in enumerate(AGENCIES)}
VOL_RETENTION_DAYS = 365
VOL_GAP = (
    150,
    45,
)  # VOL's agreement lapsed this many days before today and was renewed this many days before

# (kind, of concern, weight) for places other than schools.
PLACE_KINDS: tuple[tuple[str, bool, int], ...] = (
    ("park", False, 4),
    ("estate", True, 3),
    ("shop", True, 3),
    ("station", True, 2),
    ("transport_route", True, 2),
    ("youth_club", False, 2),
    ("sports", False, 2),
    ("online_platform", True, 1),
    ("street", True, 2),
    ("community", False, 1),
)
INCIDENT_KINDS: tuple[str, ...] = tuple(INCIDENT_SUMMARY)

# Grading distributions: probabilities over each scheme's reliability and credibility scales.
REL_P: dict[Scheme, list[float]] = {
    Scheme.ADMIRALTY: [0.05, 0.45, 0.3, 0.08, 0.02, 0.1],
    Scheme.FIVE_BY_FIVE: [0.05, 0.45, 0.3, 0.05, 0.15],
    Scheme.THREE_FIVE_TWO: [0.5, 0.4, 0.1],
    Scheme.RECORD: [0.5, 0.22, 0.25, 0.03],
}
CRED_P: dict[Scheme, list[float]] = {
    Scheme.ADMIRALTY: [0.1, 0.4, 0.3, 0.12, 0.03, 0.05],
    Scheme.FIVE_BY_FIVE: [0.1, 0.4, 0.3, 0.15, 0.05],
    Scheme.THREE_FIVE_TWO: [0.1, 0.4, 0.3, 0.15, 0.05],
    Scheme.RECORD: [1.0],
}


@dataclass
class _City:
    today: date
    people: int
    n_loc: int
    n_inc: int
    n_schools: int
    n_areas: int
    person_school: np.ndarray
    person_age: np.ndarray
    person_female: np.ndarray
    loc_kind: np.ndarray  # -1 school, else index in PLACE_KINDS
    loc_concern: np.ndarray
    inc_day: np.ndarray
    inc_kind: np.ndarray
    inc_loc: np.ndarray
    cols: dict[str, np.ndarray]  # EvidenceTable columns except evidence_id, with raw source ref ids
    seed: int


def _choice(rng: np.random.Generator, n: int, p: list[float] | np.ndarray, size: int) -> np.ndarray:
    weights = np.asarray(p, dtype=float)
    picked: np.ndarray = rng.choice(n, size=size, p=weights / weights.sum())
    return picked


def _agencies(rng: np.random.Generator, weights: Mapping[str, float], size: int) -> np.ndarray:
    ids = np.array([AG[a] for a in weights], dtype=np.int32)
    chosen: np.ndarray = ids[_choice(rng, len(ids), list(weights.values()), size)]
    return chosen


def _build(people: int, seed: int, today: date) -> _City:
    if people < 50:
        raise ValueError("a city needs at least 50 young people")
    rng = np.random.default_rng(seed)
    P = people
    n_schools = max(3, P // 800)
    n_areas = max(3, P // 4000)
    n_loc = max(20, P // 50) + n_schools
    n_inc = max(30, P // 20)
    person_school = rng.integers(0, n_schools, P)
    person_age = rng.integers(10, 18, P)
    person_female = rng.random(P) < 0.48

    kind_p = np.array([w for _, _, w in PLACE_KINDS], dtype=float)
    loc_kind = np.concatenate(
        [np.full(n_schools, -1), _choice(rng, len(PLACE_KINDS), kind_p, n_loc - n_schools)]
    ).astype(np.int16)
    concern_of_kind = np.array([c for _, c, _ in PLACE_KINDS])
    loc_concern = np.where(loc_kind >= 0, concern_of_kind[np.maximum(loc_kind, 0)], False)
    concern_locs = np.flatnonzero(loc_concern)
    calm_locs = np.flatnonzero(~loc_concern & (loc_kind >= 0))

    # Peer groups: contiguous blocks of a shuffled order, 3-12 members, covering ~60% of young people.
    order = rng.permutation(P)
    sizes = rng.integers(3, 13, size=max(1, int(P * 0.6 / 7.5) + 1))
    sizes = sizes[np.cumsum(sizes) <= int(P * 0.6)]
    n_groups = len(sizes)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    in_groups = int(sizes.sum())
    member_group = np.repeat(np.arange(n_groups), sizes)
    member_start = starts[member_group]
    member_size = sizes[member_group]
    member_offset = np.arange(in_groups) - member_start
    group_home = concern_locs[rng.integers(0, len(concern_locs), n_groups)]
    group_second = rng.integers(0, n_loc, n_groups)

    start_day = day_number(today) - SPAN_DAYS
    last_day = day_number(today) - 1
    parts: list[dict[str, np.ndarray]] = []

    def add(
        subj: np.ndarray,
        obj: np.ndarray,
        relation: str,
        agency: np.ndarray,
        *,
        recorded: np.ndarray | None = None,
        ref: np.ndarray | None = None,
    ) -> None:
        n = len(subj)
        parts.append(
            {
                "subject": subj.astype(np.int64),
                "object": obj.astype(np.int64),
                "relation": np.full(n, RELATION_CODE[relation], dtype=np.int8),
                "agency": agency.astype(np.int32),
                "recorded": recorded if recorded is not None else rng.integers(start_day, last_day + 1, n),
                "ref": ref if ref is not None else np.full(n, -1, dtype=np.int64),
            }
        )

    def repeated(
        subj: np.ndarray, obj: np.ndarray, relation: str, weights: Mapping[str, float], lo: int, hi: int
    ) -> None:
        """Each link gets lo..hi items; later items sometimes repeat the first one's agency and source."""
        counts = rng.integers(lo, hi + 1, len(subj))
        first = np.repeat(np.cumsum(counts) - counts, counts)
        s, o = np.repeat(subj, counts), np.repeat(obj, counts)
        agency = _agencies(rng, weights, len(s))
        same_origin = (np.arange(len(s)) != first) & (rng.random(len(s)) < 0.3)
        agency[same_origin] = agency[first[same_origin]]
        add(s, o, relation, agency, ref=np.where(same_origin, first, np.arange(len(s))) + ref_base(len(s)))

    ref_counter = [0]

    def ref_base(size: int) -> int:
        """The start of a fresh block of `size` source-reference numbers."""
        base = ref_counter[0]
        ref_counter[0] += size
        return base

    street = {"POL-E": 3, "POL-W": 3, "TPOL": 1, "YS-E": 2, "YS-W": 2, "VOL": 1, "CSC-E": 1, "CSC-W": 1}
    # 1. Ties inside groups: two partners per member, one to four items each.
    for _ in range(2):
        partner_off = (member_offset + rng.integers(1, np.maximum(member_size, 2))) % member_size
        a, b = order[np.arange(in_groups)], order[member_start + partner_off]
        keep = a != b
        relation_draw = rng.random(keep.sum())
        a, b = a[keep], b[keep]
        assoc = relation_draw < 0.75
        repeated(a[assoc], b[assoc], "association", street | {"EDU-E": 2, "EDU-W": 2, "HLT": 1}, 1, 5)
        co = (relation_draw >= 0.75) & (relation_draw < 0.88)
        repeated(a[co], b[co], "co_offending", {"POL-E": 3, "POL-W": 3, "TPOL": 1}, 1, 3)
        online = relation_draw >= 0.88
        repeated(a[online], b[online], "online_contact", {"EDU-E": 1, "EDU-W": 1, "CSC-E": 1, "POL-E": 1}, 1, 2)
    # 2. Groups at their places: home place for everyone, the second place for some.
    members = order[:in_groups]
    repeated(members, P + group_home[member_group], "present_at", street, 2, 4)
    some = rng.random(in_groups) < 0.5
    repeated(members[some], P + group_second[member_group[some]], "present_at", street, 1, 2)
    # 3. Incidents: two to six members of one group, first harmed, second harming where that applies.
    inc_kind = rng.integers(0, len(INCIDENT_KINDS), n_inc)
    inc_group = rng.integers(0, n_groups, n_inc)
    inc_loc = np.where(
        rng.random(n_inc) < 0.7,
        group_home[inc_group],
        concern_locs[rng.integers(0, len(concern_locs), n_inc)],
    )
    inc_day = rng.integers(start_day, last_day - 14, n_inc)
    n_part = np.minimum(rng.integers(2, 7, n_inc), sizes[inc_group])
    inc_of = np.repeat(np.arange(n_inc), n_part)
    j = np.arange(len(inc_of)) - np.repeat(np.cumsum(n_part) - n_part, n_part)
    g = inc_group[inc_of]
    r0 = rng.integers(0, sizes[g])
    who = order[starts[g] + (r0 + j) % sizes[g]]
    two_sided = np.isin(
        inc_kind[inc_of],
        [INCIDENT_KINDS.index(k) for k in ("serious_youth_violence", "robbery", "peer_on_peer_abuse")],
    )
    role = np.where(
        j == 0,
        RELATION_CODE["harmed"],
        np.where(
            (j == 1) & two_sided,
            RELATION_CODE["harming"],
            np.where(rng.random(len(j)) < 0.4, RELATION_CODE["witness"], RELATION_CODE["present"]),
        ),
    )
    counts = rng.integers(1, 3, len(who))
    who_r, inc_r, role_r = np.repeat(who, counts), np.repeat(inc_of, counts), np.repeat(role, counts)
    agency = _agencies(
        rng,
        {"POL-E": 3, "POL-W": 3, "TPOL": 1, "CSC-E": 2, "CSC-W": 2, "EDU-E": 1, "EDU-W": 1, "HLT": 1},
        len(who_r),
    )
    recorded = np.minimum(inc_day[inc_r] + rng.integers(0, 15, len(who_r)), last_day)
    base = ref_base(n_inc * len(AGENCIES))
    parts.append(
        {
            "subject": who_r.astype(np.int64),
            "object": (P + n_loc + inc_r).astype(np.int64),
            "relation": role_r.astype(np.int8),
            "agency": agency,
            "recorded": recorded,
            "ref": base + inc_r.astype(np.int64) * len(AGENCIES) + agency,  # one report per incident and agency
        }
    )
    # 4. School peers: one or two classmates each, recorded by the school.
    everyone = np.arange(P)
    by_school = np.argsort(person_school, kind="stable")
    school_start = np.searchsorted(person_school[by_school], np.arange(n_schools))
    school_size = np.bincount(person_school, minlength=n_schools)
    for _ in range(2):
        pick = rng.random(P) < 0.75
        s = everyone[pick]
        sch = person_school[s]
        mate = by_school[school_start[sch] + rng.integers(0, np.maximum(school_size[sch], 1))]
        keep = mate != s
        edu = np.where(sch[keep] % 2 == 0, AG["EDU-E"], AG["EDU-W"]).astype(np.int32)
        add(s[keep], mate[keep], "school_peer", edu)
    # 5. Everyone: a positive place or two, and a casual link to someone from the same school.
    n_visits = rng.integers(0, 5, P)
    visitor = np.repeat(everyone, n_visits)
    add(
        visitor,
        P + calm_locs[rng.integers(0, len(calm_locs), len(visitor))],
        "present_at",
        _agencies(rng, {"YS-E": 2, "YS-W": 2, "VOL": 1, "EDU-E": 1}, len(visitor)),
    )
    casual = everyone[rng.random(P) < 0.7]
    sch = person_school[casual]
    friend = by_school[school_start[sch] + rng.integers(0, np.maximum(school_size[sch], 1))]
    keep = friend != casual
    add(
        casual[keep],
        friend[keep],
        "association",
        _agencies(rng, {"EDU-E": 2, "EDU-W": 2, "YS-E": 1, "YS-W": 1, "CSC-E": 1, "CSC-W": 1}, int(keep.sum())),
    )
    # 6. Siblings: pairs from the same school catchment.
    sib = everyone[rng.random(P) < 0.1]
    sch = person_school[sib]
    other = by_school[school_start[sch] + rng.integers(0, np.maximum(school_size[sch], 1))]
    keep = other != sib
    add(
        sib[keep],
        other[keep],
        "sibling",
        _agencies(rng, {"CSC-E": 1, "CSC-W": 1, "EDU-E": 1}, int(keep.sum())),
    )

    cols = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    n = len(cols["subject"])
    subj, obj = cols["subject"], cols["object"]
    person_obj = obj < P
    lo = np.where(person_obj, np.minimum(subj, obj), subj)  # person-person links: smaller position first
    hi = np.where(person_obj, np.maximum(subj, obj), obj)
    agency = cols["agency"]
    kinds = np.array([AGENCY_KIND_CODE[k] for _, k, _ in AGENCIES], dtype=np.int8)
    schemes = np.array([SCHEME_CODE[s] for _, _, s in AGENCIES], dtype=np.int8)
    recorded = cols["recorded"].astype(np.int32)
    scheme = schemes[agency]
    switch = day_number(today) - 300  # the west police team moved from 5x5x5 to 3x5x2
    scheme = np.where((agency == AG["POL-W"]) & (recorded >= switch), SCHEME_CODE["3x5x2"], scheme).astype(np.int8)
    reliability = np.zeros(n, dtype=np.int8)
    credibility = np.zeros(n, dtype=np.int8)
    for sch_enum in Scheme:
        mask = scheme == SCHEME_CODE[sch_enum.value]
        m = int(mask.sum())
        reliability[mask] = _choice(rng, len(RELIABILITY[sch_enum]), REL_P[sch_enum], m)
        credibility[mask] = _choice(rng, len(CREDIBILITY[sch_enum]), CRED_P[sch_enum], m)
    is_incident = hi >= P + n_loc
    observed = np.where(
        is_incident, inc_day[np.clip(hi - P - n_loc, 0, n_inc - 1)], recorded - rng.integers(0, 21, n)
    ).astype(np.int32)
    observed = np.minimum(observed, recorded)
    raw_ref = cols["ref"]
    with_ref = (raw_ref >= 0) | (rng.random(n) < 0.8)
    raw_ref = np.where(raw_ref >= 0, raw_ref, np.arange(n) + ref_base(n))
    raw_ref = np.where(with_ref, raw_ref, -1)
    vol = agency == AG["VOL"]
    today_n = day_number(today)
    out = {
        "subject": lo.astype(np.int32),
        "object": hi.astype(np.int32),
        "relation": cols["relation"].astype(np.int8),
        "refutes": rng.random(n) < 0.03,
        "agency": agency.astype(np.int32),
        "agency_kind": kinds[agency],
        "scheme": scheme,
        "reliability": reliability,
        "credibility": credibility,
        "observed": observed,
        "recorded": recorded,
        "source_ref": raw_ref,
        "agreement_ok": ~(vol & (recorded > today_n - VOL_GAP[0]) & (recorded < today_n - VOL_GAP[1])),
        "retention_ok": ~(vol & (recorded + VOL_RETENTION_DAYS < today_n)),
        "withdrawn": rng.random(n) < 0.005,
    }
    return _City(
        today=today,
        people=P,
        n_loc=n_loc,
        n_inc=n_inc,
        n_schools=n_schools,
        n_areas=n_areas,
        person_school=person_school,
        person_age=person_age,
        person_female=person_female,
        loc_kind=loc_kind,
        loc_concern=loc_concern,
        inc_day=inc_day,
        inc_kind=inc_kind,
        inc_loc=inc_loc,
        cols=out,
        seed=seed,
    )


def _ids(prefix: str, n: int) -> list[str]:
    pattern = f"{prefix}%0{max(4, len(str(n)))}d"
    return [pattern % i for i in range(1, n + 1)]


def _nodes(city: _City) -> NodeIndex:
    return NodeIndex.build(_ids("P", city.people), _ids("L", city.n_loc), _ids("I", city.n_inc))


def _table(city: _City) -> EvidenceTable:
    cols = dict(city.cols)
    raw = cols.pop("source_ref")
    used = raw >= 0
    uniq, inverse = np.unique(raw[used], return_inverse=True)
    ref = np.full(len(raw), -1, dtype=np.int32)
    ref[used] = inverse.astype(np.int32)
    n = len(raw)
    evidence_id = np.empty(n, dtype=object)
    evidence_id[:] = _ids("E", n)
    kw = {k: np.asarray(v).astype(cast(Any, ARRAY_DTYPES[k])) for k, v in cols.items()}
    kw.setdefault("relay_group", np.zeros(n, dtype=np.int32))  # the city relays nothing
    kw.setdefault("collection", np.zeros(n, dtype=np.int8))  # all "unspecified"
    return EvidenceTable(
        evidence_id=evidence_id,
        source_ref=ref,
        **kw,
        agencies=[a for a, _, _ in AGENCIES],
        source_refs=[f"R{x:011d}" for x in uniq.tolist()],
    )


def city_evidence(people: int = 100_000, seed: int = 7, today: date | None = None) -> tuple[EvidenceTable, NodeIndex]:
    """The city's evidence as engine.snapshot would hold it as at `today` (~10 items per young person)."""
    city = _build(people, seed, today or clock.today())
    return _table(city), _nodes(city)


def city_tables(people: int, seed: int = 7, today: date | None = None) -> dict[str, list[dict[str, str]]]:
    """The same city as interchange tables (one import), with retraction rows for withdrawn items."""
    city = _build(people, seed, today or clock.today())
    table = _table(city)
    nodes = _nodes(city)
    rng = np.random.default_rng(seed + 1)

    def iso(n: SupportsInt) -> str:
        return from_day_number(int(n)).isoformat()

    P, L = city.people, city.n_loc
    areas = [f"Ward {i + 1}" for i in range(city.n_areas)]
    schools = [f"City School {i + 1}" for i in range(city.n_schools)]
    first_m = rng.integers(0, len(names.FIRST_MALE), P)
    first_f = rng.integers(0, len(names.FIRST_FEMALE), P)
    surname = rng.integers(0, len(names.SURNAMES), P)
    eth = rng.integers(0, len(names.ETHNICITIES), P)
    firsts = [
        names.FIRST_FEMALE[first_f[i]] if city.person_female[i] else names.FIRST_MALE[first_m[i]] for i in range(P)
    ]
    dob_days = day_number(city.today) - city.person_age * 365 - rng.integers(1, 365, P)
    review = day_number(city.today) + rng.integers(-120, 240, P)
    person_rows = [
        {
            "person_id": nodes.ids[i],
            "name": f"{firsts[i]} {names.SURNAMES[surname[i]]}",
            "date_of_birth": iso(dob_days[i]),
            "sex": "female" if city.person_female[i] else "male",
            "ethnicity": names.ETHNICITIES[eth[i]][0],
            "area": areas[city.person_school[i] % city.n_areas],
            "school": schools[city.person_school[i]],
            "review_by": iso(review[i]),
            "agency": "EDU-E" if city.person_school[i] % 2 == 0 else "EDU-W",
        }
        for i in range(P)
    ]
    locations = []
    for i in range(L):
        k = int(city.loc_kind[i])
        kind = "school" if k < 0 else PLACE_KINDS[k][0]
        name = schools[i] if k < 0 else f"{kind.replace('_', ' ').title()} {i + 1}"
        locations.append(
            {
                "location_id": nodes.ids[P + i],
                "name": name,
                "kind": kind,
                "of_concern": "true" if city.loc_concern[i] else "false",
                "area": areas[i % city.n_areas],
                "latitude": "",
                "longitude": "",
            }
        )
    incidents = [
        {
            "incident_id": nodes.ids[P + L + i],
            "date": iso(city.inc_day[i]),
            "kind": INCIDENT_KINDS[city.inc_kind[i]],
            "location_id": nodes.ids[P + int(city.inc_loc[i])],
            "summary": INCIDENT_SUMMARY[INCIDENT_KINDS[city.inc_kind[i]]],
        }
        for i in range(city.n_inc)
    ]
    agencies = [
        {"agency_id": a, "name": f"City {kind.replace('_', ' ')} ({a})", "kind": kind} for a, kind, _ in AGENCIES
    ]
    today_n = day_number(city.today)
    main = ";".join(a for a, _, _ in AGENCIES if a != "VOL")
    basis = "UK GDPR Art 6(1)(e) public task; DPA 2018 Sch 1 para 18 safeguarding of children and individuals at risk"
    agreements = [
        {
            "agreement_id": "AGR-CITY",
            "agencies": main,
            "purpose": "Extra-familial harm partnership",
            "lawful_basis": basis,
            "valid_from": iso(today_n - 900),
            "valid_to": "",
            "retention_days": "2190",
            "dpia_ref": "DPIA-CITY-01",
        },
        {
            "agreement_id": "AGR-VOL-1",
            "agencies": "VOL",
            "purpose": "Voluntary sector referrals",
            "lawful_basis": basis,
            "valid_from": iso(today_n - 900),
            "valid_to": iso(today_n - VOL_GAP[0]),
            "retention_days": str(VOL_RETENTION_DAYS),
            "dpia_ref": "DPIA-CITY-02",
        },
        {
            "agreement_id": "AGR-VOL-2",
            "agencies": "VOL",
            "purpose": "Voluntary sector referrals (renewed)",
            "lawful_basis": basis,
            "valid_from": iso(today_n - VOL_GAP[1]),
            "valid_to": "",
            "retention_days": str(VOL_RETENTION_DAYS),
            "dpia_ref": "DPIA-CITY-03",
        },
    ]
    evidence = _evidence_rows(table, nodes, today_n)
    kinds_s = rng.integers(0, len(STRENGTH_KINDS), P)
    kinds_c = rng.integers(0, len(CONCERN_KINDS), P)
    day_s = rng.integers(today_n - SPAN_DAYS, today_n, P)
    strengths = [
        {
            "strength_id": f"S{i + 1:07d}",
            "person_id": nodes.ids[i],
            "kind": STRENGTH_KINDS[kinds_s[i]],
            "agency": "YS-E" if i % 2 else "YS-W",
            "grading": "first_hand",
            "grading_scheme": "record",
            "recorded_on": iso(day_s[i]),
            "agreement_id": "AGR-CITY",
            "note": "",
        }
        for i in range(0, P, 2)
    ]
    concerns = [
        {
            "concern_id": f"C{i + 1:07d}",
            "person_id": nodes.ids[i],
            "kind": CONCERN_KINDS[kinds_c[i]],
            "agency": "CSC-E" if i % 2 else "CSC-W",
            "grading": "second_hand",
            "grading_scheme": "record",
            "recorded_on": iso(day_s[i]),
            "agreement_id": "AGR-CITY",
            "note": "",
        }
        for i in range(0, P, 3)
    ]
    return {
        "agencies": agencies,
        "agreements": agreements,
        "locations": locations,
        "people": person_rows,
        "incidents": incidents,
        "evidence": evidence,
        "strengths": strengths,
        "concerns": concerns,
    }


def _grading_codes() -> dict[tuple[int, int, int], str]:
    out: dict[tuple[int, int, int], str] = {}
    for sch in Scheme:
        for r, rel in enumerate(RELIABILITY[sch]):
            for c, cred in enumerate(CREDIBILITY[sch]):
                code = rel if sch is Scheme.RECORD else rel + cred + ("P" if sch is Scheme.THREE_FIVE_TWO else "")
                out[(SCHEME_CODE[sch.value], r, c)] = code
    return out


def _evidence_rows(table: EvidenceTable, nodes: NodeIndex, today_n: int) -> list[dict[str, str]]:
    codes = _grading_codes()
    scheme_names = [s.value for s in Scheme]
    relations = [r.value for r in RELATIONS]
    rows: list[dict[str, str]] = []
    ids = nodes.ids
    vol = AG["VOL"]
    retract_n = 0
    for i in range(len(table)):
        agency = int(table.agency[i])
        rec = int(table.recorded[i])
        agreement = "AGR-CITY"
        if agency == vol:  # the voluntary agency's agreement lapsed and was renewed
            agreement = "AGR-VOL-2" if rec >= today_n - VOL_GAP[1] else "AGR-VOL-1"
        sch = int(table.scheme[i])
        ref = int(table.source_ref[i])
        row = {
            "evidence_id": table.evidence_id[i],
            "subject_id": ids[table.subject[i]],
            "object_id": ids[table.object[i]],
            "relation": relations[table.relation[i]],
            "polarity": "refutes" if table.refutes[i] else "supports",
            "agency": table.agencies[agency],
            "grading": codes[(sch, int(table.reliability[i]), int(table.credibility[i]))],
            "grading_scheme": scheme_names[sch],
            "observed_on": from_day_number(int(table.observed[i])).isoformat(),
            "recorded_on": from_day_number(rec).isoformat(),
            "agreement_id": agreement,
            "source_ref": table.source_refs[ref] if ref >= 0 else "",
            "recorder": "",
            "note": "",
            "supersedes": "",
            "retraction": "false",
        }
        rows.append(row)
        if table.withdrawn[i]:
            retract_n += 1
            rows.append(
                row
                | {
                    "evidence_id": f"X{retract_n:07d}",
                    "supersedes": row["evidence_id"],
                    "retraction": "true",
                    "note": "Retracted after review.",
                }
            )
    return rows
