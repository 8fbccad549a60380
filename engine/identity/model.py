"""Fellegi–Sunter scoring: each field's level adds log2(m/u) bits; the sum plus the prior is the log-odds."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .blocking import BlockingStats, candidate_pairs
from .features import MISSING, Comparison, Prepared, compare
from .policy import FIELD_LEVELS, IdentityPolicy
from .records import RecordTable

FIELDS: tuple[str, ...] = tuple(FIELD_LEVELS)
TWIN = "twin_pattern"
TERMS: tuple[str, ...] = (*FIELDS, TWIN)


def logit2(p: float) -> float:
    return math.log2(p / (1.0 - p))


def probability(bits: np.ndarray | float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp2(-np.asarray(bits, dtype=np.float64)))


@dataclass(frozen=True)
class MatchModel:
    """The m and u probabilities per field level, and the weights (bits) they give."""

    policy: IdentityPolicy
    m: dict[str, np.ndarray]
    u: dict[str, np.ndarray]

    @property
    def prior_bits(self) -> float:
        return logit2(self.policy.prior_match_probability)

    def weights(self, field: str) -> np.ndarray:
        bits: np.ndarray = np.log2(self.m[field] / self.u[field])
        return bits

    @classmethod
    def from_policy(cls, policy: IdentityPolicy) -> MatchModel:
        """m and u exactly as the policy states them (no estimation from data)."""
        return cls(policy, {f: np.array(policy.m(f)) for f in FIELDS}, {f: np.array(policy.u(f)) for f in FIELDS})

    @classmethod
    def fit(cls, prepared: Prepared, policy: IdentityPolicy, across_sources: bool = False) -> MatchModel:
        """Re-estimate u from random pairs of these records, blended with the policy's u (as pseudo-pairs).

        The sample is drawn by position in the id-sorted table with a fixed seed, so the same records always
        give the same u whatever order they were supplied in.
        """
        base = cls.from_policy(policy)
        n = len(prepared.table)
        k = min(policy.u_estimation.sample_pairs, n * (n - 1) // 2)  # a tiny store leans on the policy's u
        if n < 2 or k == 0:
            return base
        rng = np.random.default_rng(policy.u_estimation.seed)
        a = rng.integers(0, n, size=k)
        b = rng.integers(0, n, size=k)
        keep = a != b
        if across_sources:
            keep &= prepared.table.source[a] != prepared.table.source[b]
        a, b = a[keep], b[keep]
        if a.size == 0:
            return base
        comp = compare(prepared, np.minimum(a, b), np.maximum(a, b), policy)
        pseudo = policy.u_estimation.pseudo_pairs
        u: dict[str, np.ndarray] = {}
        for f in FIELDS:
            levels = comp.levels[f]
            counts = np.bincount(levels[levels != MISSING], minlength=len(FIELD_LEVELS[f])).astype(np.float64)
            u[f] = (counts + pseudo * base.u[f]) / (counts.sum() + pseudo)
        return cls(policy, base.m, u)

    def contributions(self, comp: Comparison) -> np.ndarray:
        """(pairs x terms) bits: one column per field, then the twin-pattern correction."""
        out = np.zeros((len(comp), len(TERMS)), dtype=np.float64)
        for j, f in enumerate(FIELDS):
            w = np.append(self.weights(f), 0.0)  # index -1 (MISSING) picks the appended 0
            out[:, j] = w[comp.levels[f]]
        g = comp.levels["given_name"]
        given_differs = (g == FIELD_LEVELS["given_name"].index("disagree")) | (
            g == FIELD_LEVELS["given_name"].index("related")
        )
        surname_same = np.isin(comp.levels["surname"], [0, 1])  # exact or similar
        dob_same = comp.levels["date_of_birth"] == 0
        twins = given_differs & surname_same & dob_same
        # Twins share a home, an area and a school, so agreement there says nothing about being one child:
        # the term takes back those fields' positive bits and adds the policy's weight.
        shared = [FIELDS.index(f) for f in self.policy.twin_pattern.shared_fields]
        household = np.clip(out[:, shared], 0.0, None).sum(axis=1)
        out[:, -1] = np.where(twins, self.policy.twin_pattern.weight - household, 0.0)
        return out

    def auto_link_allowed(self, comp: Comparison) -> np.ndarray:
        """Pairs whose levels meet the policy's auto-link requirements (thresholds are checked separately)."""
        ok = np.ones(len(comp), dtype=bool)
        for f, levels in self.policy.auto_link.require.items():
            ok &= np.isin(comp.levels[f], [FIELD_LEVELS[f].index(lv) for lv in levels])
        return ok


@dataclass
class Scored:
    """Candidate pairs with their comparison, per-term bits, total log-odds and probability."""

    table: RecordTable
    model: MatchModel
    comparison: Comparison
    contributions: np.ndarray
    log_odds: np.ndarray
    probability: np.ndarray
    stats: BlockingStats

    @property
    def left(self) -> np.ndarray:
        return self.comparison.left

    @property
    def right(self) -> np.ndarray:
        return self.comparison.right


def score_pairs(
    table: RecordTable,
    policy: IdentityPolicy,
    left: np.ndarray,
    right: np.ndarray,
    *,
    model: MatchModel | None = None,
    prepared: Prepared | None = None,
    stats: BlockingStats | None = None,
) -> Scored:
    """Score given pairs of record positions (fitting u on the table unless a model is supplied)."""
    prepared = prepared or Prepared.build(table, policy)
    model = model or MatchModel.fit(prepared, policy)
    comp = compare(prepared, left, right, policy)
    contrib = model.contributions(comp)
    bits = model.prior_bits + contrib.sum(axis=1)
    stats = stats or BlockingStats(len(table), int(left.size), len(table) * (len(table) - 1) // 2, 0)
    return Scored(table, model, comp, contrib, bits, probability(bits), stats)


def match_records(
    table: RecordTable, policy: IdentityPolicy, *, across_sources: bool = False, estimate_u: bool = True
) -> Scored:
    """Block, compare and score every candidate pair of the table."""
    prepared = Prepared.build(table, policy)
    left, right, stats = candidate_pairs(table, policy.blocking.passes, policy.blocking.max_block, across_sources)
    model = MatchModel.fit(prepared, policy, across_sources) if estimate_u else MatchModel.from_policy(policy)
    return score_pairs(table, policy, left, right, model=model, prepared=prepared, stats=stats)
