"""Vectorised scoring: evidence items -> per-item opinions (rule pack) -> fused link opinions (LinkTable).

Steps, all as numpy passes over the evidence arrays (no per-item Python):

1. **Rules.** Most conditions (scheme, grading codes, polarity, relation, agency kind, source_ref present)
   depend only on a small categorical key per item, so every rule is evaluated once over the key space
   (a few tens of thousands of combinations) and the resolved effect is gathered per item. Rules with
   conditions on the agency or the item's age are evaluated as boolean masks over the items whose key they
   can match. See engine.rules.pack for how matching rules combine.
2. **Item opinions.** base opinion, refutation swap, trust discount, weight, belief cap, uncertainty floor
   (u >= W/(W + max_item_evidence)), then ageing by 2^(-age/half-life) on belief and disbelief.
3. **Fusion in evidence space.** Each item's opinion becomes counts r = W·b/u, s = W·d/u (rounded to a
   fixed grid of 2^-28 so sums are exact and independent of input order). Items of one origin are
   averaged (mean counts == equal-weight averaging fusion), or the strongest counts taken when the pack
   says `same_origin_fusion: strongest`; origins are fused cumulatively (sum of counts == iterated
   cumulative fusion).
4. **Per link:** b, d, u from the summed counts, confidence = b + a·u, conflict = mean over pairs of origins
   of b_A·d_B + b_B·d_A, item/agency/origin counts and the observed-date range of the used items.

An origin is, on one link: items joined by `relayed_from` (directly or along a chain, engine.origins); else
items with the same source_ref, whichever agency recorded them; else, without a source_ref, items of the
same agency in the same observation window (days since Monday 1969-12-29 // same_origin_window_days; 7 = ISO
week). Relayed information is one source: N copies of one report across N agencies count as one origin, for
the agency that recorded it first. A link none of whose used items is from a tested source (rules marking
`untested`: anonymous reports, untested sources; an origin with any such item is untested) has its belief
capped at settings.untested_link_cap.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import IntEnum

import numpy as np

from ..grading import CREDIBILITY, RELIABILITY, SCHEME_CODE, SCHEMES, Scheme
from ..snapshot import EvidenceTable, NodeIndex, day_number
from ..vocab import (
    AGENCY_KIND_CODE,
    AGENCY_KINDS,
    COLLECTION_CODE,
    COLLECTION_METHODS,
    RELATION_CODE,
    RELATIONS,
    Polarity,
)
from . import opinion as op
from .links import LinkTable
from .pack import Rule, RulePack

MAX_GROUP_KEY = 2**62  # (link, agency, origin) packed in one int64 below this; lexsort otherwise
COUNT_SCALE = float(2**28)  # evidence counts are summed on this fixed grid: exact, order-independent
MONDAY_OFFSET = 3  # day_number(d) + 3 counts days from Monday 1969-12-29
N_REL_CODES = max(len(v) for v in RELIABILITY.values())
N_CRED_CODES = max(len(v) for v in CREDIBILITY.values())
KEY_SHAPE = (len(SCHEMES), N_REL_CODES, N_CRED_CODES, 2, len(AGENCY_KINDS), len(RELATIONS), 2, len(COLLECTION_METHODS))


class Status(IntEnum):
    """Whether an item was used, and if not why (the first reason that applies, in this order)."""

    USED = 0
    WITHDRAWN = 1
    NO_AGREEMENT = 2
    PAST_RETENTION = 3
    EXCLUDED_BY_RULE = 4
    NO_RULE = 5


STATUS_TEXT = {
    Status.USED: "used",
    Status.WITHDRAWN: "withdrawn: corrected or retracted by a later record",
    Status.NO_AGREEMENT: "not covered by a valid information-sharing agreement when recorded",
    Status.PAST_RETENTION: "past the sharing agreement's retention period",
    Status.EXCLUDED_BY_RULE: "excluded by a rule",
    Status.NO_RULE: "no rule in the pack gives an opinion for this grading",
}


@dataclass
class _View:
    """Arrays a rule condition reads; `agency`/`age` are None in the key space (dynamic conditions)."""

    scheme: np.ndarray
    reliability: np.ndarray
    credibility: np.ndarray
    refutes: np.ndarray
    agency_kind: np.ndarray
    relation: np.ndarray
    has_src: np.ndarray
    collection: np.ndarray
    agency: np.ndarray | None = None
    age: np.ndarray | None = None

    def __len__(self) -> int:
        return int(self.scheme.shape[0])


class CompiledRule:
    """A rule's condition as lookup tables and code sets, ready to evaluate as masks."""

    def __init__(self, rule: Rule, agencies: list[str]) -> None:
        self.rule = rule
        w = rule.when
        self.relation = None if w.relation is None else np.array([RELATION_CODE[r.value] for r in w.relation])
        self.agency_kind = (
            None if w.agency_kind is None else np.array([AGENCY_KIND_CODE[k.value] for k in w.agency_kind])
        )
        self.scheme = None if w.scheme is None else np.array([SCHEME_CODE[s.value] for s in w.scheme])
        self.reliability = self._code_table(w.reliability, RELIABILITY, w.schemes(), N_REL_CODES)
        self.credibility = self._code_table(w.credibility, CREDIBILITY, w.schemes(), N_CRED_CODES)
        self.refutes = None if w.polarity is None else (w.polarity is Polarity.REFUTES)
        self.has_src = None if w.source_ref is None else (w.source_ref == "present")
        self.collection = (
            None if w.collection_method is None else np.array([COLLECTION_CODE[m.value] for m in w.collection_method])
        )
        pos = {a: i for i, a in enumerate(agencies)}
        self.agency = None if w.agency is None else np.array([pos[a] for a in w.agency if a in pos], dtype=np.int64)
        self.age = w.age_days
        self.dynamic = w.dynamic

    @staticmethod
    def _code_table(
        codes: list[str] | None, scale: Mapping[Scheme, tuple[str, ...]], schemes: tuple[Scheme, ...], width: int
    ) -> np.ndarray | None:
        if codes is None:
            return None
        table = np.zeros((len(SCHEMES), width), dtype=bool)
        for s in schemes:
            for c in codes:
                if c in scale[s]:
                    table[SCHEME_CODE[s.value], scale[s].index(c)] = True
        return table

    def static_mask(self, v: _View) -> np.ndarray:
        mask = np.ones(len(v), dtype=bool)
        if self.relation is not None:
            mask &= np.isin(v.relation, self.relation)
        if self.agency_kind is not None:
            mask &= np.isin(v.agency_kind, self.agency_kind)
        if self.scheme is not None:
            mask &= np.isin(v.scheme, self.scheme)
        if self.reliability is not None:
            mask &= self.reliability[v.scheme, v.reliability]
        if self.credibility is not None:
            mask &= self.credibility[v.scheme, v.credibility]
        if self.refutes is not None:
            mask &= v.refutes == self.refutes
        if self.has_src is not None:
            mask &= v.has_src == self.has_src
        if self.collection is not None:
            mask &= np.isin(v.collection, self.collection)
        return mask

    def mask(self, v: _View) -> np.ndarray:
        """The full condition over items (needs the view's agency and age)."""
        mask = self.static_mask(v)
        if self.agency is not None:
            assert v.agency is not None
            mask &= np.isin(v.agency, self.agency)
        if self.age is not None:
            assert v.age is not None
            if self.age.min is not None:
                mask &= v.age >= self.age.min
            if self.age.max is not None:
                mask &= v.age <= self.age.max
        return mask


@dataclass
class _Resolved:
    """Per element (key or item): the pre-ageing opinion, half-life, status and deciding rules."""

    b: np.ndarray
    d: np.ndarray
    half_life: np.ndarray
    status: np.ndarray  # int8 Status (USED, EXCLUDED_BY_RULE or NO_RULE)
    base_rule: np.ndarray  # int16 rule index, -1 none
    exclude_rule: np.ndarray  # int16 rule index, -1 none
    untested: np.ndarray  # bool: a rule marks the item's source anonymous or untested


def _base_tables(pack: RulePack) -> tuple[np.ndarray, np.ndarray]:
    """Per rule: base belief and disbelief (0 for rules without a base effect)."""
    w = pack.settings.prior_weight
    bb = np.zeros(len(pack.rules))
    dd = np.zeros(len(pack.rules))
    for k, rule in enumerate(pack.rules):
        t = rule.then
        if t.opinion is not None:
            bb[k], dd[k] = t.opinion.belief, t.opinion.disbelief
        elif t.evidence is not None:
            total = t.evidence.r + t.evidence.s + w
            bb[k], dd[k] = t.evidence.r / total, t.evidence.s / total
    return bb, dd


def _resolve(pack: RulePack, compiled: list[CompiledRule], v: _View, *, static_only: bool) -> _Resolved:
    """Apply the pack's rules to every element of the view (one boolean-mask pass per rule)."""
    n = len(v)
    s = pack.settings
    exclude = np.full(n, -1, dtype=np.int16)
    base = np.full(n, -1, dtype=np.int16)
    trust = np.ones(n)
    weight = np.ones(n)
    cap = np.ones(n)
    half_life = np.full(n, float(s.half_life_days))
    untested = np.zeros(n, dtype=bool)
    for k, cr in enumerate(compiled):
        if static_only and cr.dynamic:
            continue
        mask = cr.static_mask(v) if static_only else cr.mask(v)
        if not mask.any():
            continue
        t = cr.rule.then
        if t.exclude is not None:
            exclude[mask & (exclude < 0)] = k
            continue
        if t.is_base:
            base[mask & (base < 0)] = k
        if t.trust is not None:
            trust[mask] *= t.trust
        if t.weight is not None:
            weight[mask] *= t.weight
        if t.cap_belief is not None:
            np.minimum(cap, np.where(mask, t.cap_belief, 1.0), out=cap)
        if t.half_life_days is not None:
            half_life[mask] = t.half_life_days
        if t.untested is not None:
            untested[mask] = t.untested
    bb, dd = _base_tables(pack)
    has_base = base >= 0
    bi = np.where(has_base, base, 0)
    b0 = np.where(has_base, bb[bi], 0.0)
    d0 = np.where(has_base, dd[bi], 0.0)
    b, d = np.where(v.refutes, d0, b0), np.where(v.refutes, b0, d0)  # refuting: belief becomes disbelief
    b, d, u = op.discount(b, d, trust)
    reweigh = weight != 1.0
    if reweigh.any():
        r, q = op.opinion_to_evidence(b, d, u, s.prior_weight)
        b2, d2, _ = op.evidence_to_opinion(r * weight, q * weight, s.prior_weight)
        b, d = np.where(reweigh, b2, b), np.where(reweigh, d2, d)
    b = np.minimum(b, cap)
    u = 1.0 - b - d
    b, d, u = op.clamp_uncertainty(b, d, u, pack.u_min)
    status = np.full(n, Status.USED, dtype=np.int8)
    status[~has_base] = Status.NO_RULE
    status[exclude >= 0] = Status.EXCLUDED_BY_RULE
    return _Resolved(
        b=b, d=d, half_life=half_life, status=status, base_rule=base, exclude_rule=exclude, untested=untested
    )


def _key_view() -> _View:
    parts = np.unravel_index(np.arange(int(np.prod(KEY_SHAPE))), KEY_SHAPE)
    return _View(
        scheme=parts[0],
        reliability=parts[1],
        credibility=parts[2],
        refutes=parts[3].astype(bool),
        agency_kind=parts[4],
        relation=parts[5],
        has_src=parts[6].astype(bool),
        collection=parts[7],
    )


_KEY_VIEW = _key_view()


def _item_keys(ev: EvidenceTable) -> np.ndarray:
    k = ev.scheme.astype(np.int32)
    for arr, width in (
        (ev.reliability, N_REL_CODES),
        (ev.credibility, N_CRED_CODES),
        (ev.refutes, 2),
        (ev.agency_kind, len(AGENCY_KINDS)),
        (ev.relation, len(RELATIONS)),
        (ev.source_ref >= 0, 2),
        (ev.collection, len(COLLECTION_METHODS)),
    ):
        k *= width
        k += arr
    return k


def _item_view(ev: EvidenceTable, idx: np.ndarray, age: np.ndarray) -> _View:
    return _View(
        scheme=ev.scheme[idx],
        reliability=ev.reliability[idx],
        credibility=ev.credibility[idx],
        refutes=ev.refutes[idx],
        agency_kind=ev.agency_kind[idx],
        relation=ev.relation[idx],
        has_src=ev.source_ref[idx] >= 0,
        collection=ev.collection[idx],
        agency=ev.agency[idx],
        age=age[idx],
    )


@dataclass
class ItemScores:
    """Per evidence item: how the pack treated it and its opinion (used by traces and tests)."""

    status: np.ndarray  # int8 Status
    base_rule: np.ndarray  # int16 rule index giving the base opinion, -1 none
    exclude_rule: np.ndarray  # int16 rule index that excluded it, -1 none
    age: np.ndarray  # int32 days between observed and as-at (>= 0)
    half_life: np.ndarray  # float64 days
    decay: np.ndarray  # float64 2^(-age/half_life)
    b0: np.ndarray  # pre-ageing opinion (after swap, trust, weight, cap, uncertainty floor)
    d0: np.ndarray
    b: np.ndarray  # aged opinion (u = 1 - b - d)
    d: np.ndarray
    r_units: np.ndarray  # evidence counts in units of 1/COUNT_SCALE (integer-valued float64)
    s_units: np.ndarray
    origin_local: np.ndarray  # int64 origin label (see origin_labels)
    untested: np.ndarray  # bool: the item's source is anonymous or untested (rule effect `untested`)

    @property
    def r(self) -> np.ndarray:
        """Supporting evidence counts r = W·b/u (on the fixed grid)."""
        return self.r_units / COUNT_SCALE

    @property
    def s(self) -> np.ndarray:
        """Refuting evidence counts s = W·d/u (on the fixed grid)."""
        return self.s_units / COUNT_SCALE


_KEY_CACHE: dict[int, tuple[RulePack, _Resolved, np.ndarray]] = {}


def _key_space(pack: RulePack, compiled: list[CompiledRule]) -> tuple[_Resolved, np.ndarray]:
    """The pack resolved over the whole key space, and the keys a dynamic rule may match (cached per pack)."""
    hit = _KEY_CACHE.get(id(pack))
    if hit is not None and hit[0] is pack:
        return hit[1], hit[2]
    key_res = _resolve(pack, compiled, _KEY_VIEW, static_only=True)
    touched = np.zeros(len(_KEY_VIEW), dtype=bool)
    for cr in compiled:
        if cr.dynamic:
            touched |= cr.static_mask(_KEY_VIEW)
    if len(_KEY_CACHE) >= 8:
        _KEY_CACHE.pop(next(iter(_KEY_CACHE)))
    _KEY_CACHE[id(pack)] = (pack, key_res, touched)  # holding the pack keeps its id from being reused
    return key_res, touched


def score_items(evidence: EvidenceTable, pack: RulePack, as_at: date) -> ItemScores:
    """Apply the rule pack to every item (vectorised)."""
    ev = evidence
    s = pack.settings
    compiled = [CompiledRule(r, ev.agencies) for r in pack.rules]
    age = np.maximum(np.int32(day_number(as_at)) - ev.observed.astype(np.int32), 0).astype(np.int32)
    keys = _item_keys(ev)

    key_res, touched_keys = _key_space(pack, compiled)
    b0 = key_res.b[keys]
    d0 = key_res.d[keys]
    half_life = key_res.half_life[keys]
    status = key_res.status[keys]
    base_rule = key_res.base_rule[keys]
    exclude_rule = key_res.exclude_rule[keys]
    untested = key_res.untested[keys]
    if touched_keys.any():
        idx = np.flatnonzero(touched_keys[keys])
        if idx.size:
            res = _resolve(pack, compiled, _item_view(ev, idx, age), static_only=False)
            b0[idx], d0[idx], half_life[idx] = res.b, res.d, res.half_life
            status[idx], base_rule[idx], exclude_rule[idx] = res.status, res.base_rule, res.exclude_rule
            untested[idx] = res.untested
    status[~ev.retention_ok] = Status.PAST_RETENTION
    status[~ev.agreement_ok] = Status.NO_AGREEMENT
    status[ev.withdrawn] = Status.WITHDRAWN

    # In place where possible: at a million items each temporary array costs more than its arithmetic.
    decay = np.divide(age, half_life)
    np.negative(decay, out=decay)
    np.exp2(decay, out=decay)
    b = decay * b0
    d = decay * d0
    u = np.subtract(1.0, b)
    u -= d
    scale = s.prior_weight * COUNT_SCALE
    r_units = np.multiply(b, scale)
    r_units /= u
    np.rint(r_units, out=r_units)
    s_units = np.multiply(d, scale)
    s_units /= u
    np.rint(s_units, out=s_units)
    origin_local = origin_labels(ev, s.same_origin_window_days)
    return ItemScores(
        status=status,
        base_rule=base_rule,
        exclude_rule=exclude_rule,
        age=age,
        half_life=half_life,
        decay=decay,
        b0=b0,
        d0=d0,
        b=b,
        d=d,
        r_units=r_units,
        s_units=s_units,
        origin_local=origin_local,
        untested=untested,
    )


def origin_labels(ev: EvidenceTable, window_days: int) -> np.ndarray:
    """Per item, an int64 label naming its origin (the same label on one link means one origin).

    In this order: the relay group (items joined by `relayed_from`, engine.origins); else the source
    reference, whichever agency recorded it; else the recording agency and the observation window.
    """
    n_groups = int(ev.relay_group.max()) if len(ev) else 0
    n_refs = len(ev.source_refs)
    window = ((ev.observed.astype(np.int64) + MONDAY_OFFSET) // window_days).astype(np.int64)
    lo = int(window.min()) if len(ev) else 0
    span = int(window.max()) - lo + 1 if len(ev) else 1
    by_agency_window = ev.agency.astype(np.int64) * span + (window - lo)
    label = np.where(
        ev.source_ref >= 0, n_groups + ev.source_ref.astype(np.int64), n_groups + n_refs + by_agency_window
    )
    return np.where(ev.relay_group > 0, ev.relay_group.astype(np.int64) - 1, label)


def _empty_links(nodes: NodeIndex, pack: RulePack) -> LinkTable:
    f = np.zeros(0)
    i = np.zeros(0, dtype=np.int32)
    return LinkTable(
        subject=i,
        object=i.copy(),
        relation=np.zeros(0, dtype=np.int8),
        belief=f,
        disbelief=f.copy(),
        uncertainty=f.copy(),
        base_rate=f.copy(),
        confidence=f.copy(),
        conflict=f.copy(),
        n_items=i.copy(),
        n_unused=i.copy(),
        n_agencies=i.copy(),
        n_origins=i.copy(),
        newest=i.copy(),
        oldest=i.copy(),
        nodes=nodes,
        rule_pack_version=pack.version,
    )


def score_links(evidence: EvidenceTable, nodes: NodeIndex, pack: RulePack, as_at: date) -> LinkTable:
    """Score every (subject, object, relation) link in the evidence under the rule pack, as at a date.

    A link whose items are all unused still gets a row (vacuous opinion, n_items 0) so n_unused is reported.
    """
    items = score_items(evidence, pack, as_at)
    return fuse_links(evidence, nodes, pack, items)


def fuse_links(evidence: EvidenceTable, nodes: NodeIndex, pack: RulePack, items: ItemScores) -> LinkTable:
    """Group scored items by link and origin and fuse them (see module docstring).

    One sort orders the items by (link, slot, origin); used items are slot 0, unused items slot 1 (one
    group per link, after the origins), so every per-origin and per-link figure is a `reduceat` over
    contiguous runs. Evidence counts are integer multiples of 1/COUNT_SCALE, so the sums are exact.

    An origin may hold items of several agencies (a relayed report, a shared source reference); it counts
    once, for the agency that recorded it first, so `n_agencies` counts independent agencies only.
    """
    ev = evidence
    s = pack.settings
    w, a = s.prior_weight, s.base_rate
    n_nodes = max(len(nodes.ids), 1)
    n_rel = len(RELATIONS)
    n = len(ev)
    if n == 0:
        return _empty_links(nodes, pack)
    link_code = ev.subject.astype(np.int64)
    link_code *= n_nodes
    link_code += ev.object
    link_code *= n_rel
    link_code += ev.relation
    used = items.status == Status.USED
    n_ag = int(ev.agency.max()) + 1
    slots = 2
    slot = np.where(used, np.int32(0), np.int32(1))
    local = np.where(used, items.origin_local, 0)
    span = int(local.max()) + 1
    top = int(link_code.max()) + 1
    if top * slots * span < MAX_GROUP_KEY:
        code = link_code * slots
        code += slot
        code *= span
        code += local
        order = np.argsort(code, kind="stable")
        sorted_code = code[order]
        boundary = sorted_code[1:] != sorted_code[:-1]
    else:  # too many combinations for one int64 key
        order = np.lexsort((local, slot, link_code))
        lc, sl, lo = link_code[order], slot[order], local[order]
        boundary = (lc[1:] != lc[:-1]) | (sl[1:] != sl[:-1]) | (lo[1:] != lo[:-1])
    starts = np.flatnonzero(np.concatenate(([True], boundary)))
    n_groups = int(starts.shape[0])
    first = order[starts]
    g_link_code = link_code[first]
    g_slot = slot[first]
    g_used = g_slot == 0
    g_count = np.diff(np.append(starts, n))
    new_link = np.ones(n_groups, dtype=bool)
    new_link[1:] = g_link_code[1:] != g_link_code[:-1]
    link_starts = np.flatnonzero(new_link)
    links = g_link_code[link_starts]
    n_links = int(links.shape[0])

    r_units = items.r_units[order]
    s_units = items.s_units[order]
    if s.same_origin_fusion == "average":
        r_g = np.add.reduceat(r_units, starts) / COUNT_SCALE / g_count
        s_g = np.add.reduceat(s_units, starts) / COUNT_SCALE / g_count
    else:
        r_g = np.maximum.reduceat(r_units, starts) / COUNT_SCALE
        s_g = np.maximum.reduceat(s_units, starts) / COUNT_SCALE
    r_g[~g_used] = 0.0
    s_g[~g_used] = 0.0
    b_g, d_g, _ = op.evidence_to_opinion(r_g, s_g, w)  # unused groups: b = d = 0, adding nothing below

    big_r = np.add.reduceat(r_g, link_starts)
    big_s = np.add.reduceat(s_g, link_starts)
    belief, disbelief, uncertainty = op.evidence_to_opinion(big_r, big_s, w)
    n_origins = np.add.reduceat(g_used.astype(np.int64), link_starts)
    sb = np.add.reduceat(b_g, link_starts)
    sd = np.add.reduceat(d_g, link_starts)
    sbd = np.add.reduceat(b_g * d_g, link_starts)
    pairs = n_origins * (n_origins - 1) / 2.0
    conflict = np.where(n_origins >= 2, (sb * sd - sbd) / np.maximum(pairs, 1.0), 0.0)
    conflict = np.clip(conflict, 0.0, 1.0)

    # Each origin counts for the agency that recorded it first (ties: the lower agency position).
    first_key = ev.recorded[order].astype(np.int64) * n_ag + ev.agency[order]
    g_agency = np.minimum.reduceat(first_key, starts) % n_ag
    g_link = np.cumsum(new_link) - 1
    link_agency = np.unique(g_link[g_used] * n_ag + g_agency[g_used])
    n_agencies = np.bincount(link_agency // n_ag, minlength=n_links)
    # An origin with any untested item is untested (relaying an anonymous tip does not test it); a link with
    # no tested origin is capped: anonymous or untested sources never carry a link on their own.
    g_untested = np.maximum.reduceat((used & items.untested)[order].astype(np.int8), starts) > 0
    # A tested origin must support the link (r > 0): a tested refutation never lifts an untested claim's cap.
    tested = np.add.reduceat((g_used & ~g_untested & (r_g > 0)).astype(np.int64), link_starts) > 0
    capped = ~tested & (belief > s.untested_link_cap)
    if capped.any():
        belief = np.where(capped, s.untested_link_cap, belief)
        uncertainty = 1.0 - belief - disbelief
    n_items = np.add.reduceat(np.where(g_used, g_count, 0), link_starts)
    n_unused = np.add.reduceat(np.where(g_used, 0, g_count), link_starts).astype(np.int32)
    observed = ev.observed[order]  # unused items are in groups of their own: mask per group
    newest = np.maximum.reduceat(np.where(g_used, np.maximum.reduceat(observed, starts), -1), link_starts)
    far = np.iinfo(np.int32).max
    oldest = np.minimum.reduceat(np.where(g_used, np.minimum.reduceat(observed, starts), far), link_starts)
    oldest[n_items == 0] = -1

    subj_obj, relation = np.divmod(links, n_rel)
    subject, obj = np.divmod(subj_obj, n_nodes)
    return LinkTable(
        subject=subject.astype(np.int32),
        object=obj.astype(np.int32),
        relation=relation.astype(np.int8),
        belief=belief,
        disbelief=disbelief,
        uncertainty=uncertainty,
        base_rate=np.full(n_links, a),
        confidence=op.projected(belief, uncertainty, a),
        conflict=conflict,
        n_items=n_items.astype(np.int32),
        n_unused=n_unused,
        n_agencies=n_agencies.astype(np.int32),
        n_origins=n_origins.astype(np.int32),
        newest=newest,
        oldest=oldest,
        nodes=nodes,
        rule_pack_version=pack.version,
    )
