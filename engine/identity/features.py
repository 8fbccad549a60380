"""Comparison features: each field of each candidate pair lands on a level (see policy.FIELD_LEVELS).

Everything is vectorised over the pairs: names become sparse character n-gram TF-IDF vectors once per
record, and a pair's similarity is the row-wise dot product of its two vectors.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from .policy import FIELD_LEVELS, IdentityPolicy
from .records import RecordTable
from .text import soundex

MISSING = -1


def _tfidf(texts: list[str], ngram_range: tuple[int, int]) -> sparse.csr_matrix:
    """L2-normalised char_wb TF-IDF rows (all-zero rows for empty texts), fitted on the distinct texts."""
    vocab = sorted({t for t in texts if t})
    if not vocab:
        return sparse.csr_matrix((len(texts), 1))
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=ngram_range, lowercase=False, dtype=np.float64)
    unique = vec.fit_transform(vocab).tocsr()
    pos = {t: i for i, t in enumerate(vocab)}
    rows = np.array([pos.get(t, -1) for t in texts], dtype=np.int64)
    out = unique[np.maximum(rows, 0)]
    return sparse.csr_matrix(out.multiply((rows >= 0)[:, None]))


def _codes(values: list[str]) -> np.ndarray:
    """Integer code per distinct non-empty value, -1 for empty (equality of codes = equality of values)."""
    pos: dict[str, int] = {}
    return np.array([pos.setdefault(v, len(pos)) if v else -1 for v in values], dtype=np.int64)


def _rowwise_cosine(x: sparse.csr_matrix, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    if left.size == 0:
        return np.zeros(0)
    return np.asarray(x[left].multiply(x[right]).sum(axis=1)).ravel()


@dataclass
class Prepared:
    """Per-record encodings computed once: TF-IDF rows, phonetic codes, nickname groups, value codes.

    Name arrays are stacked, given names (rows 0..n-1) over surnames (rows n..2n-1), in one vocabulary, so
    a given name can be compared with a surname when a record has the two swapped.
    """

    table: RecordTable
    name_text: list[str]
    name_vec: sparse.csr_matrix
    name_code: np.ndarray
    name_sound: np.ndarray
    name_len: np.ndarray
    name_first: np.ndarray
    nick: sparse.csr_matrix  # names x nickname groups
    area_vec: sparse.csr_matrix
    address_vec: sparse.csr_matrix
    sex_code: np.ndarray
    area_code: np.ndarray
    school_code: np.ndarray
    has_address: np.ndarray

    @classmethod
    def build(cls, t: RecordTable, policy: IdentityPolicy) -> Prepared:
        ngrams = policy.similarity.ngram_range
        names = [*t.given, *t.surname]
        groups_of: dict[str, list[int]] = {}
        for g, group in enumerate(policy.nicknames):
            for name in group:
                groups_of.setdefault(name, []).append(g)
        rows, cols = [], []
        for i, name in enumerate(names):
            for g in groups_of.get(name, ()):
                rows.append(i)
                cols.append(g)
        nick = sparse.csr_matrix(
            (np.ones(len(rows)), (rows, cols)), shape=(len(names), max(len(policy.nicknames), 1))
        )
        cache: dict[str, str] = {}
        return cls(
            table=t,
            name_text=names,
            name_vec=_tfidf(names, ngrams),
            name_code=_codes(names),
            name_sound=_codes([cache.setdefault(w, soundex(w)) for w in names]),
            name_len=np.array([len(w) for w in names], dtype=np.int32),
            name_first=np.array([ord(w[0]) if w else -1 for w in names], dtype=np.int32),
            nick=nick,
            area_vec=_tfidf(t.area, ngrams),
            address_vec=_tfidf(t.address, ngrams),
            sex_code=_codes(t.sex),
            area_code=_codes(t.area),
            school_code=_codes(t.school),
            has_address=np.array([bool(a) for a in t.address]),
        )


@dataclass
class Comparison:
    """Per pair: the level index of each field (MISSING = not comparable) and the similarities behind them."""

    left: np.ndarray
    right: np.ndarray
    levels: dict[str, np.ndarray]
    similarity: dict[str, np.ndarray]
    swapped: np.ndarray  # bool: the pair agreed better with one record's given name and surname swapped

    def __len__(self) -> int:
        return int(self.left.size)


def _level(field: str, conditions: list[tuple[str, np.ndarray]], missing: np.ndarray) -> np.ndarray:
    """The first level whose condition holds (the field's last level otherwise), MISSING where missing."""
    names = FIELD_LEVELS[field]
    out = np.select(
        [c for _, c in conditions], [names.index(lv) for lv, _ in conditions], default=len(names) - 1
    ).astype(np.int8)
    out[missing] = MISSING
    return out


def compare(p: Prepared, left: np.ndarray, right: np.ndarray, policy: IdentityPolicy) -> Comparison:
    """Compare the records at positions left[k], right[k] for every k (symmetric: (a, b) equals (b, a))."""
    t = p.table
    given_left, given_right = left, right
    left, right = np.minimum(given_left, given_right), np.maximum(given_left, given_right)
    sim_hi, sim_lo = policy.similarity.similar, policy.similarity.related
    lv: dict[str, np.ndarray] = {}
    sims: dict[str, np.ndarray] = {}

    n = len(t)
    straight = _rowwise_cosine(p.name_vec, left, right) + _rowwise_cosine(p.name_vec, left + n, right + n)
    crossed = _rowwise_cosine(p.name_vec, left, right + n) + _rowwise_cosine(p.name_vec, left + n, right)
    swapped = crossed > straight + policy.similarity.related
    # when swapped, the later record's surname is compared with the earlier one's given name, and vice versa
    r_given = np.where(swapped, right + n, right)
    r_surname = np.where(swapped, right, right + n)
    lv["given_name"], sims["given_name"] = _name_level(p, "given_name", left, r_given, policy)
    lv["surname"], sims["surname"] = _name_level(p, "surname", left + n, r_surname, policy)

    y_a, y_b = t.year[left], t.year[right]
    m_a, m_b = t.month[left], t.month[right]
    d_a, d_b = t.day[left], t.day[right]
    full = t.full_dob[left] & t.full_dob[right]
    same = (y_a == y_b).astype(np.int8) + (m_a == m_b) + (d_a == d_b)
    lv["date_of_birth"] = _level(
        "date_of_birth",
        [
            ("exact", same == 3),
            ("transposed", (y_a == y_b) & (m_a == d_b) & (d_a == m_b)),
            ("one_part", same == 2),
        ],
        ~full,
    )
    gap = np.abs(y_a - y_b)
    lv["birth_year"] = _level(
        "birth_year", [("agree", gap == 0), ("near", gap == 1)], full | (y_a < 0) | (y_b < 0)
    )

    x_a, x_b = p.sex_code[left], p.sex_code[right]
    lv["sex"] = _level("sex", [("agree", x_a == x_b)], (x_a < 0) | (x_b < 0))

    a_cos = _rowwise_cosine(p.area_vec, left, right)
    a_a, a_b = p.area_code[left], p.area_code[right]
    lv["area"] = _level("area", [("exact", a_a == a_b), ("similar", a_cos >= sim_hi)], (a_a < 0) | (a_b < 0))
    sims["area"] = a_cos

    c_a, c_b = p.school_code[left], p.school_code[right]
    lv["school"] = _level("school", [("agree", c_a == c_b)], (c_a < 0) | (c_b < 0))

    ad_cos = _rowwise_cosine(p.address_vec, left, right)
    lv["address"] = _level(
        "address",
        [("similar", ad_cos >= sim_hi), ("related", ad_cos >= sim_lo)],
        ~(p.has_address[left] & p.has_address[right]),
    )
    sims["address"] = ad_cos
    return Comparison(left=given_left, right=given_right, levels=lv, similarity=sims, swapped=swapped)


def one_slip(a: str, b: str) -> bool:
    """True when b is a with one letter changed, added, dropped, or two neighbours swapped (a typing slip)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) < len(b):
        return a[i:] == b[i + 1:]
    return a[i + 1:] == b[i + 1:] or (i + 1 < len(a) and a[i] == b[i + 1] and a[i + 1] == b[i]
                                      and a[i + 2:] == b[i + 2:])


def _name_level(
    p: Prepared, field: str, a: np.ndarray, b: np.ndarray, policy: IdentityPolicy
) -> tuple[np.ndarray, np.ndarray]:
    """Levels of one name field between stacked name rows a[k] and b[k], and their TF-IDF cosines."""
    cos = _rowwise_cosine(p.name_vec, a, b)
    code_a, code_b = p.name_code[a], p.name_code[b]
    conditions = [("exact", code_a == code_b)]
    short = (p.name_len[a] == 1) | (p.name_len[b] == 1)
    if field == "given_name":
        nick = (
            np.asarray(p.nick[a].multiply(p.nick[b]).sum(axis=1)).ravel() > 0
            if a.size
            else np.zeros(0, dtype=bool)
        )
        conditions += [("nickname", nick), ("initial", short & (p.name_first[a] == p.name_first[b]))]
    check = np.flatnonzero((code_a != code_b) & (cos < policy.similarity.similar) & (p.name_len[a] >= 3)
                           & (p.name_len[b] >= 3))
    slip = np.zeros(a.size, dtype=bool)
    seen: dict[tuple[int, int], bool] = {}
    for k in check:
        x, y = int(a[k]), int(b[k])
        key = (int(p.name_code[x]), int(p.name_code[y]))
        if key not in seen:
            seen[key] = one_slip(p.name_text[x], p.name_text[y])
        slip[k] = seen[key]
    conditions += [
        ("similar", ~short & ((cos >= policy.similarity.similar) | slip)),
        ("phonetic", ~short & (p.name_sound[a] == p.name_sound[b])),
        ("related", ~short & (cos >= policy.similarity.related)),
    ]
    return _level(field, conditions, (code_a < 0) | (code_b < 0)), cos
