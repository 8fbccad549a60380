"""Subjective-logic opinion algebra (docs/domain.md §7): a scalar reference and numpy-vector forms.

An opinion ω = (b, d, u, a) has belief + disbelief + uncertainty = 1 and base rate a; its projected
probability is P = b + a·u. With prior weight W, r supporting and s refuting observations give
b = r/(r+s+W), d = s/(r+s+W), u = W/(r+s+W); conversely r = W·b/u, s = W·d/u ("evidence space").

The scalar `Opinion` and the fusion functions below are the reference: traces show them and the tests check
the vectorised scoring (which fuses in evidence space) against them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

TOLERANCE = 1e-9


@dataclass(frozen=True)
class Opinion:
    """A binomial opinion about one proposition (here: "this link exists")."""

    b: float
    d: float
    u: float
    a: float = 0.5

    def __post_init__(self) -> None:
        for name in ("b", "d", "u", "a"):
            v = getattr(self, name)
            if not (-TOLERANCE <= v <= 1 + TOLERANCE) or math.isnan(v):
                raise ValueError(f"opinion {name}={v!r} is outside [0, 1]")
        if abs(self.b + self.d + self.u - 1.0) > 1e-6:
            raise ValueError(f"opinion b+d+u = {self.b + self.d + self.u!r}, not 1")

    @property
    def projected(self) -> float:
        """P = b + a·u: the confidence."""
        return self.b + self.a * self.u

    @classmethod
    def vacuous(cls, a: float = 0.5) -> Opinion:
        return cls(0.0, 0.0, 1.0, a)

    @classmethod
    def from_evidence(cls, r: float, s: float, w: float = 2.0, a: float = 0.5) -> Opinion:
        total = r + s + w
        return cls(r / total, s / total, w / total, a)

    def to_evidence(self, w: float = 2.0) -> tuple[float, float]:
        """(r, s) with this opinion under prior weight w; undefined for a dogmatic opinion (u = 0)."""
        if self.u <= 0:
            raise ValueError("a dogmatic opinion (u = 0) has no finite evidence counts")
        return w * self.b / self.u, w * self.d / self.u

    def negated(self) -> Opinion:
        """The opinion about the opposite claim: a refuting item's belief becomes disbelief in the link."""
        return Opinion(self.d, self.b, self.u, self.a)

    def discounted(self, p: float) -> Opinion:
        """Trust discounting by a source whose trust has projected probability p (docs/domain.md §7)."""
        b, d = p * self.b, p * self.d
        return Opinion(b, d, 1.0 - b - d, self.a)

    def decayed(self, factor: float) -> Opinion:
        """Ageing: b and d shrink by `factor` (2^(-age/half-life)); the rest becomes uncertainty."""
        b, d = factor * self.b, factor * self.d
        return Opinion(b, d, 1.0 - b - d, self.a)

    def weighted(self, weight: float, w: float = 2.0) -> Opinion:
        """Scale the opinion's evidence counts by `weight`."""
        r, s = self.to_evidence(w)
        return Opinion.from_evidence(weight * r, weight * s, w, self.a)

    def capped(self, cap: float) -> Opinion:
        """Belief at most `cap`; any excess becomes uncertainty."""
        b = min(self.b, cap)
        return Opinion(b, self.d, 1.0 - b - self.d, self.a)

    def clamped(self, u_min: float) -> Opinion:
        """Uncertainty at least `u_min`, shrinking b and d in proportion (never a dogmatic opinion)."""
        if self.u >= u_min:
            return self
        scale = (1.0 - u_min) / (self.b + self.d)
        b, d = self.b * scale, self.d * scale
        return Opinion(b, d, 1.0 - b - d, self.a)

    def rounded(self, digits: int = 4) -> dict[str, float]:
        return {
            "belief": round(self.b, digits),
            "disbelief": round(self.d, digits),
            "uncertainty": round(self.u, digits),
            "confidence": round(self.projected, digits),
        }


def cumulative(x: Opinion, y: Opinion) -> Opinion:
    """Cumulative fusion of two independent opinions (docs/domain.md §7); neither may be dogmatic."""
    if x.u <= 0 and y.u <= 0:
        raise ValueError("cumulative fusion of two dogmatic opinions is undefined")
    k = x.u + y.u - x.u * y.u
    b = (x.b * y.u + y.b * x.u) / k
    d = (x.d * y.u + y.d * x.u) / k
    u = x.u * y.u / k
    return Opinion(b, d, u, x.a)


def cumulative_fuse(opinions: Sequence[Opinion], a: float = 0.5) -> Opinion:
    """Iterated cumulative fusion (associative and commutative); the vacuous opinion for none."""
    out = Opinion.vacuous(a)
    for o in opinions:
        out = cumulative(out, o)
    return Opinion(out.b, out.d, out.u, a)


def averaging(x: Opinion, y: Opinion) -> Opinion:
    """Averaging fusion of two dependent opinions (docs/domain.md §7)."""
    k = x.u + y.u
    if k <= 0:
        raise ValueError("averaging fusion of two dogmatic opinions is undefined")
    b = (x.b * y.u + y.b * x.u) / k
    d = (x.d * y.u + y.d * x.u) / k
    u = 2 * x.u * y.u / k
    return Opinion(b, d, u, x.a)


def averaging_fuse(opinions: Sequence[Opinion], a: float = 0.5) -> Opinion:
    """Equal-weight averaging fusion of n dependent opinions (Jøsang's multi-source form).

    b = Σ b_i·Π_{j≠i} u_j / Σ Π_{j≠i} u_j and u = n·Π u_j / Σ Π_{j≠i} u_j; for two opinions this is the
    two-source formula, and in evidence space it is the mean of the counts.
    """
    if not opinions:
        return Opinion.vacuous(a)
    n = len(opinions)
    others = [math.prod(o.u for j, o in enumerate(opinions) if j != i) for i in range(n)]
    denom = sum(others)
    if denom <= 0:
        raise ValueError("averaging fusion of dogmatic opinions is undefined")
    b = sum(o.b * k for o, k in zip(opinions, others, strict=True)) / denom
    d = sum(o.d * k for o, k in zip(opinions, others, strict=True)) / denom
    u = n * math.prod(o.u for o in opinions) / denom
    return Opinion(b, d, u, a)


def strongest_fuse(opinions: Sequence[Opinion], w: float = 2.0, a: float = 0.5) -> Opinion:
    """Same-origin alternative: the largest supporting and the largest refuting counts among the records."""
    if not opinions:
        return Opinion.vacuous(a)
    counts = [o.to_evidence(w) for o in opinions]
    return Opinion.from_evidence(max(r for r, _ in counts), max(s for _, s in counts), w, a)


def conflict(x: Opinion, y: Opinion) -> float:
    """Degree of conflict between two opinions: b_x·d_y + b_y·d_x."""
    return x.b * y.d + y.b * x.d


def mean_pairwise_conflict(opinions: Sequence[Opinion]) -> float:
    """Mean of conflict(x, y) over all pairs; 0 with fewer than two opinions."""
    n = len(opinions)
    if n < 2:
        return 0.0
    total = sum(conflict(opinions[i], opinions[j]) for i in range(n) for j in range(i + 1, n))
    return total / (n * (n - 1) / 2)


# ---- numpy-vector forms (elementwise over arrays of opinions) ----


def evidence_to_opinion(r: np.ndarray, s: np.ndarray, w: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    total = r + s + w
    return r / total, s / total, w / total


def opinion_to_evidence(b: np.ndarray, d: np.ndarray, u: np.ndarray, w: float) -> tuple[np.ndarray, np.ndarray]:
    return w * b / u, w * d / u


def discount(b: np.ndarray, d: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    b2, d2 = p * b, p * d
    return b2, d2, 1.0 - b2 - d2


def clamp_uncertainty(
    b: np.ndarray, d: np.ndarray, u: np.ndarray, u_min: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    low = u < u_min
    if not low.any():
        return b, d, u
    bd = b + d
    scale = np.where(low, (1.0 - u_min) / np.where(bd > 0, bd, 1.0), 1.0)
    b2, d2 = b * scale, d * scale
    return b2, d2, 1.0 - b2 - d2


def cumulative_v(
    b1: np.ndarray, d1: np.ndarray, u1: np.ndarray, b2: np.ndarray, d2: np.ndarray, u2: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Elementwise cumulative fusion of two arrays of opinions."""
    k = u1 + u2 - u1 * u2
    return (b1 * u2 + b2 * u1) / k, (d1 * u2 + d2 * u1) / k, u1 * u2 / k


def projected(b: np.ndarray, u: np.ndarray, a: float | np.ndarray) -> np.ndarray:
    return b + a * u
