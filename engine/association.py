"""The association weights between shown young people as arrays and a sparse matrix, without a Python edge loop.

The same weights as engine.graph.association_graph (the networkx reference, kept for explanations, tests and
benchmarks), computed from the map's shown links with numpy and scipy.sparse:

* peer: per pair of shown people, the noisy-OR of their peer links' confidences (the strongest link of each
  peer relation: association, co-offending, school peer, online contact; never sibling);
* co-presence: the person x context incidence matrix (contexts: places for present_at, incidents for any
  role; entry = the person's strongest presence confidence there), projected onto pairs of people with each
  context weighted 1 / (k - 1) for its k people (Newman's collaboration weighting): c_a * c_b / (k - 1)
  summed over contexts.

Floating-point sums and products are taken in the same order as the reference (contexts in id order, each
pair's terms added one by one from 0.0, noisy-OR over sorted confidences), so the weights are bit-for-bit
those of association_graph and the groups found on them are identical. `ordered_sums` is that one-by-one
addition, vectorised across segments.
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import attrgetter

import numpy as np
import scipy.sparse as sp

from .graph import PEER, PRESENCE
from .map_model import MapResult

_PERSON, _LOCATION, _INCIDENT, _NONE = 0, 1, 2, -1


@dataclass
class AssociationWeights:
    """Shown people (vertex i is people[i], ids sorted) and their weighted pairs u < v, sorted by (u, v)."""

    people: list[str]
    u: np.ndarray  # int64
    v: np.ndarray  # int64
    weight: np.ndarray  # float64: peer + copresence
    peer: np.ndarray  # float64
    copresence: np.ndarray  # float64

    @property
    def n(self) -> int:
        return len(self.people)

    def matrix(self) -> sp.csr_matrix:
        """The symmetric weight matrix (n x n, CSR with each row's columns in ascending order)."""
        rows = np.concatenate([self.u, self.v])
        cols = np.concatenate([self.v, self.u])
        data = np.concatenate([self.weight, self.weight])
        m = sp.csr_matrix((data, (rows, cols)), shape=(self.n, self.n))
        m.sort_indices()
        return m


def ordered_sums(values: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Per segment values[start : start + length] summed one by one from 0.0, left to right.

    numpy's own reductions sum in blocks (pairwise), which rounds differently from Python's `sum` and
    `+=`; this matches them exactly. Work is proportional to the number of values.
    """
    out = np.zeros(len(lengths), dtype=np.float64)
    if len(lengths) == 0:
        return out
    order = np.argsort(-lengths, kind="stable")  # longest first: segment r is live while r < its length
    sorted_len = lengths[order]
    for r in range(int(sorted_len[0])):
        live = order[: int(np.searchsorted(-sorted_len, -r, side="left"))]
        out[live] += values[starts[live] + r]
    return out


def _segments(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Starts and lengths of the runs of equal values in a sorted key array."""
    if keys.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]]))
    lengths = np.diff(np.append(starts, keys.size))
    return starts, lengths


def _noisy_or(pair: np.ndarray, conf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per distinct pair key: 1 - prod(1 - clip(c)) over its confidences in ascending order (engine.graph.noisy_or)."""
    order = np.lexsort((conf, pair))
    pair, conf = pair[order], conf[order]
    starts, lengths = _segments(pair)
    keep = np.ones(len(starts), dtype=np.float64)
    factor = 1.0 - np.minimum(np.maximum(conf, 0.0), 1.0)
    if len(starts):
        by_len = np.argsort(-lengths, kind="stable")
        sorted_len = lengths[by_len]
        for r in range(int(sorted_len[0])):
            live = by_len[: int(np.searchsorted(-sorted_len, -r, side="left"))]
            keep[live] *= factor[starts[live] + r]
    return pair[starts], 1.0 - keep


def association_weights(result: MapResult, *, normalise_copresence: bool = True) -> AssociationWeights:
    """The association weights of a computed map (see the module docstring)."""
    snap = result.snapshot
    people = sorted(s.person_id for s in result.shown_people())
    links = result.shown_links
    empty_i, empty_f = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    if not links or len(people) < 2:
        return AssociationWeights(people, empty_i, empty_i, empty_f, empty_f, empty_f)
    src = np.array(list(map(attrgetter("source"), links)), dtype=str)
    tgt = np.array(list(map(attrgetter("target"), links)), dtype=str)
    rel_names = np.array(list(map(attrgetter("relation"), links)), dtype=str)
    conf = np.array(list(map(attrgetter("confidence"), links)), dtype=np.float64)

    # Every node named by a link, in id order (so codes compare as the ids do), and its kind on the map.
    ids, inverse = np.unique(np.concatenate([src, tgt]), return_inverse=True)
    a_code, b_code = inverse[: len(links)], inverse[len(links) :]
    shown = set(people)
    kind = np.array(
        [
            _PERSON if x in shown else _LOCATION if x in snap.locations else _INCIDENT if x in snap.incidents else _NONE
            for x in ids.tolist()
        ],
        dtype=np.int8,
    )
    ka, kb = kind[a_code], kind[b_code]
    usable = (ka != _NONE) & (kb != _NONE) & ((ka == _PERSON) | (kb == _PERSON))
    lo, hi = np.minimum(a_code, b_code)[usable], np.maximum(a_code, b_code)[usable]
    rel_u, rel_code = np.unique(rel_names[usable], return_inverse=True)
    conf = conf[usable]
    is_peer_rel = np.array([r in PEER for r in rel_u.tolist()], dtype=bool)[rel_code]
    is_presence_rel = np.array([r in PRESENCE for r in rel_u.tolist()], dtype=bool)[rel_code]
    both_people = (kind[lo] == _PERSON) & (kind[hi] == _PERSON)
    n_ids = np.int64(len(ids))

    # Peer part: per pair, the strongest link of each peer relation, then their noisy-OR.
    pp = both_people & is_peer_rel
    key3 = (lo[pp] * n_ids + hi[pp]) * np.int64(len(rel_u)) + rel_code[pp]
    order = np.argsort(key3, kind="stable")
    key3_sorted = key3[order]
    starts, _ = _segments(key3_sorted)
    strongest = np.maximum.reduceat(conf[pp][order], starts) if starts.size else empty_f
    peer_pair, peer_w = _noisy_or(key3_sorted[starts] // np.int64(len(rel_u)), strongest)

    # Co-presence: person x context incidence, entry = the strongest presence confidence (> 0).
    pc = ~both_people & is_presence_rel
    person = np.where(kind[lo[pc]] == _PERSON, lo[pc], hi[pc])
    context = np.where(kind[lo[pc]] == _PERSON, hi[pc], lo[pc])
    key2 = context * n_ids + person
    order = np.argsort(key2, kind="stable")
    key2_sorted = key2[order]
    starts, _ = _segments(key2_sorted)
    present = np.maximum.reduceat(conf[pc][order], starts) if starts.size else empty_f
    entry_ctx, entry_person = key2_sorted[starts] // n_ids, key2_sorted[starts] % n_ids
    positive = present > 0
    entry_ctx, entry_person, present = entry_ctx[positive], entry_person[positive], present[positive]
    co_pair, co_w = _copresence(entry_ctx, entry_person, present, n_ids, normalise_copresence)

    # Union of the two parts: weight = peer + co-presence (each 0.0 where absent), kept when positive.
    pairs = np.union1d(peer_pair, co_pair)
    w_peer = np.zeros(pairs.size)
    w_peer[np.searchsorted(pairs, peer_pair)] = peer_w
    w_co = np.zeros(pairs.size)
    w_co[np.searchsorted(pairs, co_pair)] = co_w
    weight = w_peer + w_co
    keep = weight > 0
    pairs, w_peer, w_co, weight = pairs[keep], w_peer[keep], w_co[keep], weight[keep]
    # Node codes of shown people -> vertex numbers (both in id order).
    vertex = np.full(len(ids), -1, dtype=np.int64)
    person_codes = np.flatnonzero(kind == _PERSON)
    vertex[person_codes] = np.searchsorted(np.array(people, dtype=str), ids[person_codes])
    u, v = vertex[pairs // n_ids], vertex[pairs % n_ids]
    return AssociationWeights(people, u, v, weight, w_peer, w_co)


def _copresence(
    ctx: np.ndarray, person: np.ndarray, conf: np.ndarray, n_ids: np.int64, normalise: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (key a * n_ids + b, a < b) at the same contexts and their summed c_a * c_b / (k - 1).

    `ctx`, `person`, `conf` are the incidence matrix's entries sorted by (context, person). Its product with
    its transpose (columns scaled by 1 / (k - 1)) is this sum, but a sparse product multiplies and adds in
    its own order and so rounds differently; here every product of the projection is formed as one array
    and each pair's terms are added in context order, as engine.graph.copresence_weights does.
    """
    empty = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    starts, sizes = _segments(ctx)
    if not starts.size:
        return empty
    size_of = np.repeat(sizes, sizes)
    rank = np.arange(ctx.size) - np.repeat(starts, sizes)
    later = size_of - rank - 1  # each entry pairs with the later entries of its context
    first = np.repeat(np.arange(ctx.size), later)
    offset = np.arange(first.size) - np.repeat(np.cumsum(later) - later, later)
    second = first + 1 + offset
    if not first.size:
        return empty
    scale = 1.0 / (size_of[first] - 1) if normalise else np.ones(first.size)
    term = conf[first] * conf[second] * scale
    key = person[first] * n_ids + person[second]
    order = np.argsort(key, kind="stable")  # stable: each pair's terms stay in context order
    key, term = key[order], term[order]
    seg_starts, seg_lengths = _segments(key)
    return key[seg_starts], ordered_sums(term, seg_starts, seg_lengths)
