"""Traces: why a link has the confidence it has, item by item, rule by rule, fusion step by fusion step.

The per-item evaluation here is a plain-Python reference of what engine.rules.scoring does with arrays
(same rule semantics, scalar opinion algebra from engine.rules.opinion). A trace's final figures are taken
from score_links run on the link's own evidence rows, so they reproduce the scored LinkTable exactly; the
scalar fusion steps are shown beside them (they agree to ~1e-9: scoring sums counts on a fixed grid).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import select as sa_select
from sqlmodel import col

from ..errors import NotFound
from ..grading import CREDIBILITY, MEANING, RELIABILITY, SCHEMES, Grading, Scheme
from ..models import Evidence
from ..name_matching import ANOTHER, NameMatcher, others_redacted
from ..node_labels import node_label
from ..restricted import placeholder, readable_details
from ..snapshot import EvidenceTable, NodeIndex, Snapshot, day_number, from_day_number
from ..store import Store
from ..vocab import (
    AGENCY_KINDS,
    COLLECTION_METHODS,
    PERSON_PERSON,
    RELATION_CODE,
    RELATIONS,
    AgencyKind,
    CollectionMethod,
    ObjectKind,
    Polarity,
    Relation,
)
from .links import LinkTable
from .opinion import Opinion, averaging_fuse, cumulative_fuse, mean_pairwise_conflict, strongest_fuse
from .pack import Rule, RulePack
from .scoring import MONDAY_OFFSET, STATUS_TEXT, Status, origin_labels, score_links

# ---------------------------------------------------------------- scalar reference evaluation


@dataclass(frozen=True)
class ItemFacts:
    """What a rule condition can see of one evidence item."""

    scheme: Scheme
    reliability: str
    credibility: str
    refutes: bool
    agency_kind: AgencyKind
    relation: Relation
    has_source_ref: bool
    agency: str
    age: int
    withdrawn: bool = False
    agreement_ok: bool = True
    retention_ok: bool = True
    collection: CollectionMethod = CollectionMethod.UNSPECIFIED


def facts_of(ev: EvidenceTable, i: int, as_at: date) -> ItemFacts:
    scheme = SCHEMES[int(ev.scheme[i])]
    return ItemFacts(
        scheme=scheme,
        reliability=RELIABILITY[scheme][int(ev.reliability[i])],
        credibility=CREDIBILITY[scheme][int(ev.credibility[i])],
        refutes=bool(ev.refutes[i]),
        agency_kind=AGENCY_KINDS[int(ev.agency_kind[i])],
        relation=RELATIONS[int(ev.relation[i])],
        has_source_ref=bool(ev.source_ref[i] >= 0),
        agency=ev.agencies[int(ev.agency[i])],
        age=max(day_number(as_at) - int(ev.observed[i]), 0),
        withdrawn=bool(ev.withdrawn[i]),
        agreement_ok=bool(ev.agreement_ok[i]),
        retention_ok=bool(ev.retention_ok[i]),
        collection=COLLECTION_METHODS[int(ev.collection[i])],
    )


def rule_matches(rule: Rule, f: ItemFacts) -> bool:
    """The rule's condition for one item, written out plainly (the reference for the vectorised masks)."""
    w = rule.when
    checks = [
        w.relation is None or f.relation in w.relation,
        w.agency_kind is None or f.agency_kind in w.agency_kind,
        w.agency is None or f.agency in w.agency,
        w.scheme is None or f.scheme in w.scheme,
        w.reliability is None or f.reliability in w.reliability,
        w.credibility is None or f.credibility in w.credibility,
        w.polarity is None or (w.polarity is Polarity.REFUTES) == f.refutes,
        w.source_ref is None or (w.source_ref == "present") == f.has_source_ref,
        w.collection_method is None or f.collection in w.collection_method,
        w.age_days is None
        or (
            (w.age_days.min is None or f.age >= w.age_days.min) and (w.age_days.max is None or f.age <= w.age_days.max)
        ),
    ]
    return all(checks)


@dataclass
class ItemOutcome:
    status: Status
    matched: list[Rule] = field(default_factory=list)  # rules whose condition held (all of them, in order)
    base_rule: Rule | None = None
    exclude_rule: Rule | None = None
    trust: float = 1.0
    weight: float = 1.0
    cap: float = 1.0
    half_life: float = 0.0
    decay: float = 1.0
    before_ageing: Opinion | None = None
    opinion: Opinion | None = None  # aged; None when not used
    untested: bool = False  # a rule marks the source anonymous or untested

    @property
    def used(self) -> bool:
        return self.status is Status.USED


def evaluate_item(pack: RulePack, f: ItemFacts) -> ItemOutcome:
    """Apply the pack to one item with scalar opinions (see engine.rules.pack for the semantics)."""
    s = pack.settings
    out = ItemOutcome(status=Status.USED, half_life=s.half_life_days)
    for rule in pack.rules:
        if not rule_matches(rule, f):
            continue
        out.matched.append(rule)
        t = rule.then
        if t.exclude is not None:
            out.exclude_rule = out.exclude_rule or rule
            continue
        if t.is_base and out.base_rule is None:
            out.base_rule = rule
        out.trust *= t.trust if t.trust is not None else 1.0
        out.weight *= t.weight if t.weight is not None else 1.0
        out.cap = min(out.cap, t.cap_belief if t.cap_belief is not None else 1.0)
        out.half_life = t.half_life_days if t.half_life_days is not None else out.half_life
        out.untested = t.untested if t.untested is not None else out.untested
    if f.withdrawn:
        out.status = Status.WITHDRAWN
    elif not f.agreement_ok:
        out.status = Status.NO_AGREEMENT
    elif not f.retention_ok:
        out.status = Status.PAST_RETENTION
    elif out.exclude_rule is not None:
        out.status = Status.EXCLUDED_BY_RULE
    elif out.base_rule is None:
        out.status = Status.NO_RULE
    if out.base_rule is None or out.exclude_rule is not None:
        return out
    a, w = s.base_rate, s.prior_weight
    t = out.base_rule.then
    if t.opinion is not None:
        o = Opinion(t.opinion.belief, t.opinion.disbelief, 1.0 - t.opinion.belief - t.opinion.disbelief, a)
    else:
        assert t.evidence is not None
        o = Opinion.from_evidence(t.evidence.r, t.evidence.s, w, a)
    if f.refutes:
        o = o.negated()
    o = o.discounted(out.trust)
    if out.weight != 1.0:
        o = o.weighted(out.weight, w)
    o = o.capped(out.cap).clamped(pack.u_min)
    out.before_ageing = o
    out.decay = 2.0 ** (-f.age / out.half_life)
    out.opinion = o.decayed(out.decay)
    return out


def took_effect(out: ItemOutcome) -> list[Rule]:
    """The rules that took effect on an item (the ones a trace lists as fired): the excluding rule; or, for
    a used item, the rule giving its base opinion and every matching modifier. A rule whose only effect is
    a base opinion did nothing when an earlier rule gave the opinion."""
    return [r for r in out.matched if (out.used and (r is out.base_rule or not _base_only(r))) or r is out.exclude_rule]


def origin_text(ev: EvidenceTable, i: int, window_days: int) -> str:
    """How the item's origin is known: a relay, its source_ref, or its agency's observation window."""
    if ev.relay_group[i] > 0:
        return "relayed from another record"
    if ev.source_ref[i] >= 0:
        return f"source {ev.source_refs[int(ev.source_ref[i])]}"
    window = (int(ev.observed[i]) + MONDAY_OFFSET) // window_days
    start = from_day_number(window * window_days - MONDAY_OFFSET)
    return f"no source reference, observed in the {window_days}-day window from {start.isoformat()}"


def cap_untested(o: Opinion, any_tested: bool, cap: float) -> Opinion:
    """A link with no item from a tested source keeps belief at most `cap` (scalar reference of scoring)."""
    if any_tested or o.b <= cap:
        return o
    return Opinion(cap, o.d, 1.0 - cap - o.d, o.a)


def reference_link_opinions(
    evidence: EvidenceTable, pack: RulePack, as_at: date
) -> dict[tuple[int, int, int], tuple[Opinion, float, int]]:
    """Plain-Python scoring of every link: (subject, object, relation) -> (opinion, conflict, n_items).

    Item by item with the scalar algebra; the reference the vectorised score_links is tested against and
    timed against in bench/score.py.
    """
    s = pack.settings
    Link = tuple[int, int, int]
    by_origin: dict[Link, dict[int, list[Opinion]]] = defaultdict(lambda: defaultdict(list))
    untested: dict[Link, set[int]] = defaultdict(set)  # origins with an untested item
    labels = origin_labels(evidence, s.same_origin_window_days).tolist()
    for i in range(len(evidence)):
        out = evaluate_item(pack, facts_of(evidence, i, as_at))
        link = (int(evidence.subject[i]), int(evidence.object[i]), int(evidence.relation[i]))
        if out.opinion is None or not out.used:
            by_origin.setdefault(link, defaultdict(list))
            continue
        by_origin[link][labels[i]].append(out.opinion)
        if out.untested:
            untested[link].add(labels[i])
    result = {}
    for link, origins in by_origin.items():
        fused = [_fuse_origin(pack, ops) for _, ops in sorted(origins.items())]
        n_items = sum(len(v) for v in origins.values())
        # a tested origin must support the link: a tested refutation does not lift an untested claim's cap
        tested = any(k not in untested[link] and f.b > 0 for k, f in zip(sorted(origins), fused, strict=True))
        whole = cap_untested(cumulative_fuse(fused, s.base_rate), tested, s.untested_link_cap)
        result[link] = (whole, mean_pairwise_conflict(fused), n_items)
    return result


def _fuse_origin(pack: RulePack, opinions: list[Opinion]) -> Opinion:
    s = pack.settings
    if s.same_origin_fusion == "strongest":
        return strongest_fuse(opinions, s.prior_weight, s.base_rate)
    return averaging_fuse(opinions, s.base_rate)


# ---------------------------------------------------------------- explanations

RELATION_PHRASE: dict[Relation, str] = {
    Relation.ASSOCIATION: "are associated",
    Relation.CO_OFFENDING: "offended together",
    Relation.SIBLING: "are siblings",
    Relation.SCHOOL_PEER: "are school peers",
    Relation.ONLINE_CONTACT: "are in contact online",
    Relation.PRESENT_AT: "was present at",
    Relation.HARMED: "was harmed in",
    Relation.HARMING: "caused harm in",
    Relation.WITNESS: "witnessed",
    Relation.PRESENT: "was present at",
}
RECORD_PHRASE = {
    "first_hand": "first-hand observation",
    "disclosure": "record of a disclosure",
    "second_hand": "second-hand report",
    "anonymous": "anonymous report",
}
KIND_PHRASE: dict[AgencyKind, str] = {
    AgencyKind.POLICE: "police",
    AgencyKind.SOCIAL_CARE: "social care",
    AgencyKind.SCHOOL: "a school's",
    AgencyKind.YOUTH_WORK: "youth work",
    AgencyKind.HEALTH: "health",
    AgencyKind.VOLUNTARY: "a voluntary group's",
    AgencyKind.UNKNOWN: "an agency's",
}


def _r4(x: float) -> float:
    return round(float(x), 4)


@dataclass
class RuleFired:
    id: str
    description: str
    effect: str

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "description": self.description, "effect": self.effect}


@dataclass
class ItemTrace:
    evidence_id: str
    agency: str
    agency_name: str
    agency_kind: AgencyKind
    grading: str
    grading_meaning: str
    polarity: Polarity
    observed: date
    recorded: date
    source_ref: str | None
    origin: str
    used: bool
    reason: str | None  # why not used
    rules: list[RuleFired]
    age_days: int
    half_life_days: float
    decay: float
    before_ageing: Opinion | None
    opinion: Opinion | None
    note: str | None = None
    origin_key: int = -1  # items of one link with the same key are one origin

    def what(self) -> str:
        """E.g. "police intelligence graded B2" / "a school's first-hand observation"."""
        kind = KIND_PHRASE[self.agency_kind]
        if self.grading in RECORD_PHRASE:
            return f"{kind} {RECORD_PHRASE[self.grading]}"
        label = "intelligence" if self.agency_kind is AgencyKind.POLICE else "record"
        return f"{kind} {label} graded {self.grading}"

    def to_json(self) -> dict[str, Any]:
        return {
            "evidence_id": self.evidence_id,
            "agency": self.agency,
            "agency_name": self.agency_name,
            "agency_kind": self.agency_kind.value,
            "grading": self.grading,
            "grading_meaning": self.grading_meaning,
            "polarity": self.polarity.value,
            "observed": self.observed.isoformat(),
            "recorded": self.recorded.isoformat(),
            "source_ref": self.source_ref,
            "origin": self.origin,
            "used": self.used,
            "reason": self.reason,
            "rules": [r.to_json() for r in self.rules],
            "age_days": self.age_days,
            "half_life_days": self.half_life_days,
            "decay": _r4(self.decay),
            "before_ageing": self.before_ageing.rounded() if self.before_ageing else None,
            "opinion": self.opinion.rounded() if self.opinion else None,
            "note": self.note,
        }


@dataclass
class OriginTrace:
    agency_name: str
    origin: str
    evidence_ids: list[str]
    fused: Opinion  # averaging (or strongest) fusion of the origin's items

    def to_json(self) -> dict[str, Any]:
        return {
            "agency": self.agency_name,
            "origin": self.origin,
            "evidence_ids": self.evidence_ids,
            "fused": self.fused.rounded(),
        }


@dataclass
class RelationTrace:
    """One scored link (subject, object, relation)."""

    relation: Relation
    items: list[ItemTrace]
    origins: list[OriginTrace]
    steps: list[str]
    belief: float
    disbelief: float
    uncertainty: float
    base_rate: float
    confidence: float
    conflict: float
    n_items: int
    n_unused: int
    n_agencies: int
    n_origins: int
    newest: date | None
    oldest: date | None
    reference: Opinion  # the scalar algebra's result (agrees with the figures above to ~1e-9)

    def to_json(self) -> dict[str, Any]:
        return {
            "relation": self.relation.value,
            "belief": self.belief,
            "disbelief": self.disbelief,
            "uncertainty": self.uncertainty,
            "base_rate": self.base_rate,
            "confidence": self.confidence,
            "conflict": self.conflict,
            "n_items": self.n_items,
            "n_unused": self.n_unused,
            "n_agencies": self.n_agencies,
            "n_origins": self.n_origins,
            "newest": self.newest.isoformat() if self.newest else None,
            "oldest": self.oldest.isoformat() if self.oldest else None,
            "items": [i.to_json() for i in self.items],
            "origins": [o.to_json() for o in self.origins],
            "fusion_steps": self.steps,
        }


@dataclass
class LinkExplanation:
    """Why the links between two nodes have the confidence they have (one part per relation)."""

    subject_id: str
    object_id: str
    subject_name: str
    object_name: str
    as_at: date
    rule_pack_version: str
    parts: list[RelationTrace]

    def part(self, relation: Relation) -> RelationTrace:
        for p in self.parts:
            if p.relation is relation:
                return p
        raise KeyError(relation)

    def to_json(self) -> dict[str, Any]:
        return {
            "subject": {"id": self.subject_id, "name": self.subject_name},
            "object": {"id": self.object_id, "name": self.object_name},
            "as_at": self.as_at.isoformat(),
            "rule_pack_version": self.rule_pack_version,
            "links": [p.to_json() for p in self.parts],
        }

    def json_text(self) -> str:
        return json.dumps(self.to_json(), indent=2, ensure_ascii=False)

    def text(self) -> str:
        if not self.parts:
            return f"No evidence links {self.subject_name} and {self.object_name} as at {self.as_at.isoformat()}."
        blocks = [self._text_part(p) for p in self.parts]
        tail = f"(Rule pack {self.rule_pack_version}, as at {self.as_at.isoformat()}.)"
        return "\n\n".join(blocks) + "\n\n" + tail

    def _text_part(self, p: RelationTrace) -> str:
        figures = f"Confidence {p.confidence:.2f} (uncertainty {p.uncertainty:.2f}, conflict {p.conflict:.2f})"
        if p.relation in PERSON_PERSON:
            head = f"{figures} that {self.subject_name} and {self.object_name} {RELATION_PHRASE[p.relation]}"
        else:
            head = f"{figures} that {self.subject_name} {RELATION_PHRASE[p.relation]} {self.object_name}"
        lines = [head + ": " + _summary(p) + "."]
        used = [i for i in p.items if i.used]
        unused = [i for i in p.items if not i.used]
        if used:
            lines.append("")
            lines.append(
                f"Evidence used ({len(used)} item{'s' if len(used) != 1 else ''}, "
                f"{p.n_origins} independent origin{'s' if p.n_origins != 1 else ''}, "
                f"{p.n_agencies} agenc{'ies' if p.n_agencies != 1 else 'y'}):"
            )
            for it in used:
                assert it.opinion is not None
                lines.append(
                    f"  - {it.evidence_id} {it.agency_name}, observed {it.observed.isoformat()}, "
                    f"{it.grading_meaning or it.grading}"
                    f"{' (refutes the link)' if it.polarity is Polarity.REFUTES else ''}: "
                    f"{'against' if it.polarity is Polarity.REFUTES else 'for'}: "
                    f"belief {it.opinion.b:.2f}, disbelief {it.opinion.d:.2f}, "
                    f"uncertainty {it.opinion.u:.2f}"
                )
                for r in it.rules:
                    lines.append(f"      rule {r.id}: {r.description} [{r.effect}]")
                if it.decay < 0.999:
                    lines.append(
                        f"      {it.age_days} days old, half-life {it.half_life_days:g} days: "
                        f"counts {it.decay:.0%} of its weight when new"
                    )
                if it.note:
                    lines.append(f"      note: {it.note}")
        if unused:
            lines.append("")
            lines.append(f"Not used ({len(unused)}):")
            for it in unused:
                lines.append(
                    f"  - {it.evidence_id} {it.agency_name}, observed {it.observed.isoformat()}, "
                    f"{it.grading}: {it.reason}"
                )
        if p.steps:
            lines.append("")
            lines.append("How it combines:")
            lines.extend(f"  {s}" for s in p.steps)
        return "\n".join(lines)


def _summary(p: RelationTrace) -> str:
    used = [i for i in p.items if i.used and i.opinion is not None]
    if not used:
        return "no evidence is used, so this is the base rate alone"
    discounted = {i.evidence_id: why for i in used if (why := _discount_reasons(i))}
    support = [i for i in used if i.polarity is Polarity.SUPPORTS and i.evidence_id not in discounted]
    refute = [i for i in used if i.polarity is Polarity.REFUTES and i.evidence_id not in discounted]
    parts = []
    if support:
        described = [f"{i.what()} ({i.opinion.projected:.2f})" for i in support[:3] if i.opinion]
        more = f" and {len(support) - 3} more" if len(support) > 3 else ""
        joined = _join(described) + more
        n_origins = len({i.origin_key for i in support})
        n_agencies = len({i.agency for i in support})
        if n_origins > 1 and n_agencies > 1:
            parts.append(f"{joined} from independent agencies agree")
        elif n_agencies > 1:
            parts.append(f"{joined} (one origin relayed by {n_agencies} agencies, counted once)")
        elif len(support) > 1:
            parts.append(f"{joined} ({n_origins} origin{'s' if n_origins != 1 else ''} of one agency)")
        else:
            parts.append(joined)
    if refute:
        parts.append(f"{_join([i.what() for i in refute[:3]])} refute{'s' if len(refute) == 1 else ''} it")
    for it in used:
        if it.evidence_id in discounted:
            against = " (against the link)" if it.polarity is Polarity.REFUTES else ""
            parts.append(f"{it.what()}{against} from {it.observed.year} was discounted ({discounted[it.evidence_id]})")
    n_unused = sum(1 for i in p.items if not i.used)
    if n_unused:
        parts.append(f"{n_unused} item{'s were' if n_unused != 1 else ' was'} not used")
    return "; ".join(parts)


def _discount_reasons(it: ItemTrace) -> str:
    """Why an item counts for much less than its grading's base opinion, or ''."""
    reasons = []
    for r in it.rules:
        value = float(r.effect.split()[1]) if r.effect.startswith(("trust", "weight")) else 1.0
        if value <= 0.5 or r.effect.startswith("cap"):
            reasons.append(r.description.rstrip("."))
    if it.decay <= 0.7:
        reasons.append(f"{it.age_days} days old, so it counts {it.decay:.0%}")
    return "; ".join(reasons)


def _join(xs: list[str]) -> str:
    if len(xs) <= 1:
        return "".join(xs)
    return ", ".join(xs[:-1]) + " and " + xs[-1]


def _effects(rule: Rule, pack: RulePack) -> str:
    t = rule.then
    bits = []
    if t.exclude is not None:
        bits.append(f"exclude: {t.exclude}")
    if t.opinion is not None:
        o = t.opinion
        bits.append(f"base opinion b={o.belief:g} d={o.disbelief:g} u={o.uncertainty:g}")
    if t.evidence is not None:
        e = Opinion.from_evidence(t.evidence.r, t.evidence.s, pack.settings.prior_weight)
        bits.append(f"base evidence r={t.evidence.r:g} s={t.evidence.s:g} (belief {e.b:.2f})")
    if t.trust is not None:
        bits.append(f"trust {t.trust:g}")
    if t.weight is not None:
        bits.append(f"weight {t.weight:g}")
    if t.cap_belief is not None:
        bits.append(f"cap belief at {t.cap_belief:g}")
    if t.half_life_days is not None:
        bits.append(f"half-life {t.half_life_days:g} days")
    return "; ".join(bits)


def _base_only(rule: Rule) -> bool:
    """A rule whose only effect is a base opinion (it did nothing if an earlier rule gave the opinion)."""
    t = rule.then
    return t.is_base and all(x is None for x in (t.trust, t.weight, t.cap_belief, t.half_life_days))


def _node_name(snapshot: Snapshot, node_id: str, hidden: frozenset[str] = frozenset()) -> str:
    if node_id in hidden:
        return f"a left-out young person ({node_id})"
    return node_label(snapshot, node_id).label


def _resolve_node(snapshot: Snapshot, node_id: str) -> str:
    """Canonical node id for a person record id, location or incident id; NotFound otherwise."""
    can = snapshot.canonical.get(node_id, node_id)
    if can not in snapshot.nodes.position:
        raise NotFound(
            f"unknown young person, location or incident id {node_id!r} (as at {snapshot.as_at.isoformat()})"
        )
    return can


def _notes(store: Store, ids: list[str]) -> dict[str, str | None]:

    cols: list[Any] = [Evidence.evidence_id, Evidence.note, Evidence.restricted, Evidence.agency, Evidence.grading]
    with store.read() as s:
        rows = [tuple(r) for r in s.execute(sa_select(*cols).where(col(Evidence.evidence_id).in_(ids)))]
        detail = readable_details(s, "evidence", [r[0] for r in rows if r[2]])
    out: dict[str, str | None] = {}
    for eid, note, restricted, agency, grading in rows:
        if not restricted:
            out[eid] = note
        elif eid in detail:
            d = detail[eid]
            ref = f" [source: {d.source_ref}]" if d.source_ref else ""
            out[eid] = f"(restricted to {agency}) {d.note or ''}{ref}".rstrip()
        else:
            out[eid] = placeholder(agency, grading)
    return out


def explain_link(
    snapshot: Snapshot,
    pack: RulePack,
    a_id: str,
    b_id: str,
    relation: Relation | None = None,
    *,
    store: Store | None = None,
    hidden: frozenset[str] = frozenset(),
) -> LinkExplanation:
    """Trace the link(s) between two nodes as at the snapshot's date (one part per relation, or just one).

    Pass `store` to include the evidence notes (names of other young people in them are redacted). People in
    `hidden` (left out of the map, shown to an auditor) appear by id only, and their names are redacted too.
    """
    a, b = _resolve_node(snapshot, a_id), _resolve_node(snapshot, b_id)
    nodes, ev = snapshot.nodes, snapshot.evidence
    pa, pb = nodes.position[a], nodes.position[b]
    mask = ((ev.subject == pa) & (ev.object == pb)) | ((ev.subject == pb) & (ev.object == pa))
    if relation is not None:
        mask &= ev.relation == RELATION_CODE[relation.value]
    sub = ev.take(np.flatnonzero(mask))
    notes = _notes(store, [str(x) for x in sub.evidence_id]) if store is not None and len(sub) else {}
    if notes:
        # The one redactor (engine.redaction): every other young person, in any written form, and left-out ids.
        ends = {a, b} - hidden
        others = others_redacted(snapshot, ends)
        ids = NameMatcher(r for pid, recs in snapshot.records_of.items() if pid not in ends for r in [pid, *recs])
        notes = {k: ids.sub(others.sub(v, ANOTHER), ANOTHER) if v else v for k, v in notes.items()}
    parts = []
    if len(sub):
        links = score_links(sub, nodes, pack, snapshot.as_at)
        for row in range(len(links)):
            rel_mask = sub.relation == links.relation[row]
            parts.append(_relation_trace(snapshot, pack, sub, np.flatnonzero(rel_mask), links, row, notes))
    # Present the pair in stored order (person-person: smaller position first; else person first).
    first, second = (a, b) if (nodes.kinds[pb] != 0 or pa <= pb) else (b, a)
    return LinkExplanation(
        subject_id=first,
        object_id=second,
        subject_name=_node_name(snapshot, first, hidden),
        object_name=_node_name(snapshot, second, hidden),
        as_at=snapshot.as_at,
        rule_pack_version=pack.version,
        parts=parts,
    )


def explain_evidence(
    evidence: EvidenceTable, nodes: NodeIndex, pack: RulePack, as_at: date, names: dict[str, str] | None = None
) -> list[RelationTrace]:
    """Trace every link in an evidence table without a snapshot (tests, benchmarks); names optional."""
    links = score_links(evidence, nodes, pack, as_at)
    out = []
    for row in range(len(links)):
        rows = np.flatnonzero(
            (evidence.subject == links.subject[row])
            & (evidence.object == links.object[row])
            & (evidence.relation == links.relation[row])
        )
        out.append(_relation_trace(None, pack, evidence, rows, links, row, {}, as_at=as_at, names=names))
    return out


def _relation_trace(
    snapshot: Snapshot | None,
    pack: RulePack,
    ev: EvidenceTable,
    rows: np.ndarray,
    links: LinkTable,
    row: int,
    notes: dict[str, str | None],  # already redacted (explain_link)
    *,
    as_at: date | None = None,
    names: dict[str, str] | None = None,
) -> RelationTrace:
    s = pack.settings
    as_at = snapshot.as_at if snapshot is not None else as_at
    assert as_at is not None
    items: list[ItemTrace] = []
    origin_ops: dict[int, list[tuple[str, Opinion]]] = defaultdict(list)
    labels = origin_labels(ev, s.same_origin_window_days)
    label_ids: dict[int, list[str]] = defaultdict(list)  # origin label -> evidence ids of this link's items
    member_agencies: dict[int, set[str]] = defaultdict(set)
    for i in rows.tolist():
        label_ids[int(labels[i])].append(str(ev.evidence_id[i]))
        member_agencies[int(labels[i])].add(ev.agencies[int(ev.agency[i])])
    origin_desc: dict[int, str] = {}
    untested_origins: set[int] = set()
    for i in rows.tolist():
        f = facts_of(ev, i, as_at)
        out = evaluate_item(pack, f)
        grading = Grading(f.scheme, int(ev.reliability[i]), int(ev.credibility[i]))
        agency_name = f.agency
        if snapshot is not None and f.agency in snapshot.agencies:
            agency_name = snapshot.agencies[f.agency].name
        elif names and f.agency in names:
            agency_name = names[f.agency]
        okey = int(labels[i])
        eid = str(ev.evidence_id[i])
        others = [e for e in label_ids[okey] if e != eid]
        if others and (len(member_agencies[okey]) > 1 or ev.relay_group[i] > 0):
            otext = "relayed: counted once with " + ", ".join(others)
            origin_desc[okey] = "one origin recorded by " + ", ".join(sorted(member_agencies[okey])) + ", relayed"
        else:
            otext = origin_text(ev, i, s.same_origin_window_days)
            origin_desc.setdefault(okey, otext)
        reason = None
        if not out.used:
            reason = STATUS_TEXT[out.status]
            if out.status is Status.EXCLUDED_BY_RULE and out.exclude_rule is not None:
                reason = f"excluded by rule {out.exclude_rule.id}: {out.exclude_rule.then.exclude}"
            if out.status is Status.WITHDRAWN and snapshot is not None:
                by = snapshot.withdrawn_by.get(str(ev.evidence_id[i]))
                reason += f" ({by})" if by else ""
        note = notes.get(eid)
        fired = [RuleFired(r.id, r.description, _effects(r, pack)) for r in took_effect(out)]
        meaning = MEANING[f.scheme].get(f.reliability, "") if f.scheme is Scheme.RECORD else grading.describe()
        items.append(
            ItemTrace(
                evidence_id=eid,
                agency=f.agency,
                agency_name=agency_name,
                agency_kind=f.agency_kind,
                grading=grading.code,
                grading_meaning=meaning,
                polarity=Polarity.REFUTES if f.refutes else Polarity.SUPPORTS,
                observed=from_day_number(int(ev.observed[i])),
                recorded=from_day_number(int(ev.recorded[i])),
                source_ref=ev.source_refs[int(ev.source_ref[i])] if ev.source_ref[i] >= 0 else None,
                origin=f"{agency_name}, {otext}",
                used=out.used,
                reason=reason,
                rules=fired,
                age_days=f.age,
                half_life_days=out.half_life,
                decay=out.decay if out.used else 1.0,
                before_ageing=out.before_ageing if out.used else None,
                opinion=out.opinion if out.used else None,
                note=note,
                origin_key=okey,
            )
        )
        if out.used and out.opinion is not None:
            origin_ops[okey].append((eid, out.opinion))
            if out.untested:
                untested_origins.add(okey)
    origins: list[OriginTrace] = []
    steps: list[str] = []
    fused_list = []
    for key in sorted(origin_ops):
        members = origin_ops[key]
        fused = _fuse_origin(pack, [o for _, o in members])
        fused_list.append(fused)
        agency_name = next(it.agency_name for it in items if it.evidence_id == members[0][0])
        origins.append(OriginTrace(agency_name, origin_desc[key], [e for e, _ in members], fused))
        how = "strongest of" if s.same_origin_fusion == "strongest" else "averaged"
        if len(members) > 1:
            steps.append(
                f"{agency_name} ({origin_desc[key]}): {len(members)} records of one origin {how} -> "
                f"belief {fused.b:.3f}, disbelief {fused.d:.3f}, uncertainty {fused.u:.3f}"
            )
        else:
            steps.append(
                f"{agency_name} ({origin_desc[key]}): one record -> belief {fused.b:.3f}, "
                f"disbelief {fused.d:.3f}, uncertainty {fused.u:.3f}"
            )
    reference = cumulative_fuse(fused_list, s.base_rate)
    if len(fused_list) > 1:
        steps.append(
            f"{len(fused_list)} independent origins fused cumulatively -> belief {reference.b:.3f}, "
            f"disbelief {reference.d:.3f}, uncertainty {reference.u:.3f}"
        )
    tested = any(k not in untested_origins and f.b > 0 for k, f in zip(sorted(origin_ops), fused_list, strict=True))
    capped = cap_untested(reference, tested, s.untested_link_cap)
    if capped is not reference:
        steps.append(
            f"every item is from an anonymous or untested source: belief capped at {s.untested_link_cap:g} "
            f"(such sources never carry a link on their own)"
        )
        reference = capped
    conf = float(links.confidence[row])
    steps.append(f"confidence = belief + base rate {s.base_rate:g} x uncertainty = {conf:.3f}")
    newest, oldest = int(links.newest[row]), int(links.oldest[row])
    return RelationTrace(
        relation=RELATIONS[int(links.relation[row])],
        items=items,
        origins=origins,
        steps=steps,
        belief=float(links.belief[row]),
        disbelief=float(links.disbelief[row]),
        uncertainty=float(links.uncertainty[row]),
        base_rate=float(links.base_rate[row]),
        confidence=conf,
        conflict=float(links.conflict[row]),
        n_items=int(links.n_items[row]),
        n_unused=int(links.n_unused[row]),
        n_agencies=int(links.n_agencies[row]),
        n_origins=int(links.n_origins[row]),
        newest=from_day_number(newest) if newest >= 0 else None,
        oldest=from_day_number(oldest) if oldest >= 0 else None,
        reference=reference,
    )


@dataclass
class PersonLink:
    """One of a young person's links, for `peermap explain PERSON`."""

    other_id: str
    other_name: str
    other_kind: ObjectKind
    relation: Relation
    confidence: float
    uncertainty: float
    conflict: float
    n_items: int
    n_unused: int
    n_agencies: int

    def to_json(self) -> dict[str, Any]:
        return {
            "other_id": self.other_id,
            "other_name": self.other_name,
            "other_kind": self.other_kind.value,
            "relation": self.relation.value,
            "confidence": _r4(self.confidence),
            "uncertainty": _r4(self.uncertainty),
            "conflict": _r4(self.conflict),
            "n_items": self.n_items,
            "n_unused": self.n_unused,
            "n_agencies": self.n_agencies,
        }


def explain_person(
    snapshot: Snapshot, pack: RulePack, person_id: str, *, hidden: frozenset[str] = frozenset()
) -> list[PersonLink]:
    """All of a young person's scored links, highest confidence first (ties by relation, then other id).

    People in `hidden` (left out of the map) are named by id only.
    """
    pid = _resolve_node(snapshot, person_id)
    nodes, ev = snapshot.nodes, snapshot.evidence
    p = nodes.position[pid]
    sub = ev.take(np.flatnonzero((ev.subject == p) | (ev.object == p)))
    links = score_links(sub, nodes, pack, snapshot.as_at)
    kinds = {0: ObjectKind.PERSON, 1: ObjectKind.LOCATION, 2: ObjectKind.INCIDENT}
    out = []
    for row in range(len(links)):
        other = int(links.object[row]) if int(links.subject[row]) == p else int(links.subject[row])
        other_id = nodes.ids[other]
        out.append(
            PersonLink(
                other_id=other_id,
                other_name=_node_name(snapshot, other_id, hidden),
                other_kind=kinds[int(nodes.kinds[other])],
                relation=RELATIONS[int(links.relation[row])],
                confidence=float(links.confidence[row]),
                uncertainty=float(links.uncertainty[row]),
                conflict=float(links.conflict[row]),
                n_items=int(links.n_items[row]),
                n_unused=int(links.n_unused[row]),
                n_agencies=int(links.n_agencies[row]),
            )
        )
    out.sort(key=lambda x: (-x.confidence, RELATION_CODE[x.relation.value], x.other_id))
    return out
