"""Blocking: compare only pairs of records that share a cheap key, in several passes whose union is kept."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from .records import RecordTable
from .text import soundex


@dataclass(frozen=True)
class BlockingStats:
    records: int
    pairs: int  # distinct candidate pairs after the union of passes
    possible: int  # pairs a full comparison would make
    skipped_blocks: int  # blocks over max_block, left out as too common to discriminate


def _soundexes(words: list[str]) -> list[str]:
    cache: dict[str, str] = {}
    return [cache.setdefault(w, soundex(w)) if w else "" for w in words]


def key_columns(t: RecordTable) -> dict[str, list[tuple[str, ...]]]:
    """Each blocking key's values per record: usually one, none when unknown (the record sits out passes
    using it), two for `name_soundex` (either name, so records with given name and surname swapped meet)."""

    def num(a: np.ndarray) -> list[str]:
        return [str(int(v)) if v >= 0 else "" for v in a]

    full = t.full_dob
    given_sx, surname_sx = _soundexes(t.given), _soundexes(t.surname)
    single: dict[str, list[str]] = {
        "surname_soundex": surname_sx,
        "given_soundex": given_sx,
        "given_initial": [g[:1] for g in t.given],
        "surname_initial": [s[:1] for s in t.surname],
        "birth_year": num(t.year),
        "birth_month": num(np.where(full, t.month, -1)),
        "birth_day": num(np.where(full, t.day, -1)),
        "date_of_birth": [
            f"{y}-{m}-{d}" if ok else "" for y, m, d, ok in zip(t.year, t.month, t.day, full, strict=True)
        ],
        "area": list(t.area),
        "school": list(t.school),
    }
    columns: dict[str, list[tuple[str, ...]]] = {k: [(v,) if v else () for v in values] for k, values in single.items()}
    columns["name_soundex"] = [
        tuple(sorted({x for x in (g, s) if x})) for g, s in zip(given_sx, surname_sx, strict=True)
    ]
    return columns


def _pairs_of_pass(
    members_of: list[int], keys: list[str], max_block: int
) -> tuple[list[np.ndarray], list[np.ndarray], int]:
    """Pairs of records sharing a key; a record may carry several keys (members_of[k] owns keys[k])."""
    known = np.array(members_of, dtype=np.int64)
    if known.size < 2:
        return [], [], 0
    _, inverse, counts = np.unique(np.array(keys, dtype=object), return_inverse=True, return_counts=True)
    order = np.argsort(inverse, kind="stable")
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    lefts: list[np.ndarray] = []
    rights: list[np.ndarray] = []
    skipped = 0
    tri_cache: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for start, size in zip(starts, counts, strict=True):
        if size < 2:
            continue
        if size > max_block:
            skipped += 1
            continue
        members = known[order[start : start + size]]
        if size not in tri_cache:
            tri_cache[size] = np.triu_indices(int(size), 1)
        a, b = tri_cache[size]
        lefts.append(members[a])
        rights.append(members[b])
    return lefts, rights, skipped


def candidate_pairs(
    t: RecordTable, passes: list[list[str]], max_block: int, across_sources: bool = False
) -> tuple[np.ndarray, np.ndarray, BlockingStats]:
    """(left, right) record positions with left < right, each pair once, and how many there were."""
    n = len(t)
    cols = key_columns(t)
    lefts: list[np.ndarray] = []
    rights: list[np.ndarray] = []
    skipped = 0
    for p in passes:
        owners: list[int] = []
        keys: list[str] = []
        for i, alternatives in enumerate(zip(*(cols[k] for k in p), strict=True)):
            for combo in itertools.product(*alternatives):  # empty when any key is unknown
                owners.append(i)
                keys.append("\x1f".join(combo))
        ls, rs, sk = _pairs_of_pass(owners, keys, max_block)
        lefts += ls
        rights += rs
        skipped += sk
    if lefts:
        a = np.concatenate(lefts)
        b = np.concatenate(rights)
        keep = a != b  # a record holding two keys of one block
        lo, hi = np.minimum(a[keep], b[keep]), np.maximum(a[keep], b[keep])
        code = np.unique(lo * n + hi)
        left, right = code // n, code % n
    else:
        left = right = np.zeros(0, dtype=np.int64)
    if across_sources:
        keep = t.source[left] != t.source[right]
        left, right = left[keep], right[keep]
    if across_sources:
        sizes = np.bincount(t.source) if n else np.zeros(0, dtype=np.int64)
        possible = int((sizes.sum() ** 2 - (sizes**2).sum()) // 2)
    else:
        possible = n * (n - 1) // 2
    return (
        left,
        right,
        BlockingStats(records=n, pairs=int(left.size), possible=possible, skipped_blocks=skipped),
    )
