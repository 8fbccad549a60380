"""The scalar subjective-logic algebra (docs/domain.md §7) and its evidence-space identities."""

from __future__ import annotations

import math
from functools import reduce

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from peermap.engine.rules import opinion as op
from peermap.engine.rules.opinion import Opinion, averaging, averaging_fuse, cumulative, cumulative_fuse

counts = st.floats(min_value=0, max_value=50, allow_nan=False)
W = 2.0


def close(x: Opinion, y: Opinion, tol: float = 1e-9) -> bool:
    return all(math.isclose(p, q, abs_tol=tol) for p, q in ((x.b, y.b), (x.d, y.d), (x.u, y.u)))


def test_from_evidence_worked_example() -> None:
    o = Opinion.from_evidence(4, 0, W, 0.2)
    assert (o.b, o.d, o.u) == pytest.approx((4 / 6, 0, 2 / 6))
    assert o.projected == pytest.approx(4 / 6 + 0.2 * 2 / 6)
    assert o.to_evidence(W) == pytest.approx((4, 0))


def test_domain_formulas_by_hand() -> None:
    x, y = Opinion(0.6, 0.1, 0.3), Opinion(0.2, 0.4, 0.4)
    k = 0.3 + 0.4 - 0.12
    c = cumulative(x, y)
    expected = ((0.6 * 0.4 + 0.2 * 0.3) / k, (0.1 * 0.4 + 0.4 * 0.3) / k, 0.12 / k)
    assert (c.b, c.d, c.u) == pytest.approx(expected)
    a = averaging(x, y)
    assert (a.b, a.d, a.u) == pytest.approx(
        ((0.6 * 0.4 + 0.2 * 0.3) / 0.7, (0.1 * 0.4 + 0.4 * 0.3) / 0.7, 2 * 0.12 / 0.7)
    )
    assert op.conflict(x, y) == pytest.approx(0.6 * 0.4 + 0.2 * 0.1)
    t = x.discounted(0.5)
    assert (t.b, t.d, t.u) == pytest.approx((0.3, 0.05, 0.65))


@given(st.lists(st.tuples(counts, counts), min_size=1, max_size=8))
def test_cumulative_fusion_equals_adding_counts(pairs: list[tuple[float, float]]) -> None:
    fused = cumulative_fuse([Opinion.from_evidence(r, s, W) for r, s in pairs])
    total = Opinion.from_evidence(sum(r for r, _ in pairs), sum(s for _, s in pairs), W)
    assert close(fused, total)


@given(st.lists(st.tuples(counts, counts), min_size=1, max_size=8))
def test_averaging_fusion_equals_mean_counts(pairs: list[tuple[float, float]]) -> None:
    n = len(pairs)
    fused = averaging_fuse([Opinion.from_evidence(r, s, W) for r, s in pairs])
    mean = Opinion.from_evidence(sum(r for r, _ in pairs) / n, sum(s for _, s in pairs) / n, W)
    assert close(fused, mean)


@given(counts, counts, counts, counts)
def test_two_source_averaging_matches_domain_formula(r1: float, s1: float, r2: float, s2: float) -> None:
    x, y = Opinion.from_evidence(r1, s1, W), Opinion.from_evidence(r2, s2, W)
    assert close(averaging_fuse([x, y]), averaging(x, y))


@given(st.lists(st.tuples(counts, counts), min_size=2, max_size=6), st.randoms())
def test_cumulative_is_order_independent(pairs: list[tuple[float, float]], rnd) -> None:
    ops = [Opinion.from_evidence(r, s, W) for r, s in pairs]
    shuffled = ops[:]
    rnd.shuffle(shuffled)
    assert close(reduce(cumulative, ops), reduce(cumulative, shuffled))


@given(counts, counts, st.floats(min_value=0.001, max_value=1))
def test_discount_and_decay_keep_opinions_valid(r: float, s: float, p: float) -> None:
    o = Opinion.from_evidence(r, s, W)
    for x in (o.discounted(p), o.decayed(p)):
        assert x.u >= o.u - 1e-12  # both only move mass into uncertainty
        assert x.b <= o.b + 1e-12 and x.d <= o.d + 1e-12


def test_dogmatic_opinions_are_refused() -> None:
    with pytest.raises(ValueError, match="dogmatic"):
        Opinion(1.0, 0.0, 0.0).to_evidence()
    with pytest.raises(ValueError, match="undefined"):
        cumulative(Opinion(1.0, 0.0, 0.0), Opinion(0.0, 1.0, 0.0))
    with pytest.raises(ValueError, match="not 1"):
        Opinion(0.5, 0.5, 0.5)


def test_clamp_keeps_ratio_and_floor() -> None:
    o = Opinion(0.9, 0.05, 0.05).clamped(0.2)
    assert o.u == pytest.approx(0.2)
    assert o.b / o.d == pytest.approx(0.9 / 0.05)
    b, _, u = op.clamp_uncertainty(np.array([0.9, 0.3]), np.array([0.05, 0.1]), np.array([0.05, 0.6]), 0.2)
    assert u == pytest.approx([0.2, 0.6])
    assert b[0] == pytest.approx(o.b)


def test_vector_cumulative_matches_scalar() -> None:
    x, y = Opinion(0.6, 0.1, 0.3), Opinion(0.2, 0.4, 0.4)
    b, d, u = op.cumulative_v(*(np.array([v]) for v in (x.b, x.d, x.u, y.b, y.d, y.u)))
    c = cumulative(x, y)
    assert (b[0], d[0], u[0]) == pytest.approx((c.b, c.d, c.u))
