"""Comparison features: each field of each candidate pair lands on a level (see policy.FIELD_LEVELS).

Vectorised over the pairs. Texts are encoded once per *distinct value*: a character n-gram TF-IDF row, a
Soundex code, nickname groups. A pair's similarity is the dot product of its two rows, computed once per
distinct pair of values (names repeat, so a city's millions of candidate pairs share far fewer).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from scipy import sparse

from .policy import FIELD_LEVELS, IdentityPolicy
from .records import RecordTable
from .text import soundex

MISSING = -1


@dataclass
class TextColumn:
    """A text per row, encoded by distinct value: codes (-1 = empty) into a sorted vocabulary."""

    codes: np.ndarray
    vocab: list[str]
    vectors: sparse.csr_matrix  # L2-normalised char_wb TF-IDF, one row per vocabulary entry

    @classmethod
    def build(cls, texts: list[str], ngram_range: tuple[int, int]) -> TextColumn:
        # scikit-learn takes a second to import: load it when matching runs, not with every CLI command.
        from scipy import sparse
        from sklearn.feature_extraction.text import TfidfVectorizer

        vocab = sorted({t for t in texts if t})
        pos = {t: i for i, t in enumerate(vocab)}
        codes = np.array([pos[t] if t else -1 for t in texts], dtype=np.int64)
        if vocab:
            vec = TfidfVectorizer(analyzer="char_wb", ngram_range=ngram_range, lowercase=False, dtype=np.float64)
            vectors = sparse.csr_matrix(vec.fit_transform(vocab))
        else:
            vectors = sparse.csr_matrix((0, 1))
        return cls(codes, vocab, vectors)

    def per_value_pair(
        self,
        a: np.ndarray,
        b: np.ndarray,
        fn: Callable[[np.ndarray, np.ndarray], np.ndarray],
        fill: float | bool,
    ) -> np.ndarray:
        """fn(codes_a, codes_b) evaluated once per distinct unordered pair of values, spread back to the rows
        a[k], b[k]; `fill` where either text is empty. fn must be symmetric."""
        ca, cb = self.codes[a], self.codes[b]
        ok = (ca >= 0) & (cb >= 0)
        out = np.full(a.size, fill, dtype=type(fill))
        if ok.any():
            n = len(self.vocab)
            key = np.minimum(ca[ok], cb[ok]) * n + np.maximum(ca[ok], cb[ok])
            uniq, inverse = np.unique(key, return_inverse=True)
            out[ok] = fn(uniq // n, uniq % n)[inverse]
        return out

    def cosine(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        def dot(x: np.ndarray, y: np.ndarray) -> np.ndarray:
            return np.asarray(self.vectors[x].multiply(self.vectors[y]).sum(axis=1)).ravel()

        return self.per_value_pair(a, b, dot, 0.0)

    def one_slip(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """True where the two texts are one typing slip apart (see one_slip)."""

        def slips(x: np.ndarray, y: np.ndarray) -> np.ndarray:
            return np.array([one_slip(self.vocab[i], self.vocab[j]) for i, j in zip(x, y, strict=True)], dtype=bool)

        return self.per_value_pair(a, b, slips, False)


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
        return a[i:] == b[i + 1 :]
    return a[i + 1 :] == b[i + 1 :] or (
        i + 1 < len(a) and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]
    )


def _codes(values: list[str]) -> np.ndarray:
    """Integer code per distinct non-empty value, -1 for empty (equality of codes = equality of values)."""
    pos: dict[str, int] = {}
    return np.array([pos.setdefault(v, len(pos)) if v else -1 for v in values], dtype=np.int64)


@dataclass
class Prepared:
    """Per-record encodings computed once: text columns, phonetic codes, nickname groups, value codes.

    Name rows are stacked, given names (rows 0..n-1) over surnames (rows n..2n-1), in one vocabulary, so
    a given name can be compared with a surname when a record has the two swapped.
    """

    table: RecordTable
    names: TextColumn
    name_sound: np.ndarray  # per vocabulary entry
    name_len: np.ndarray  # per stacked row
    name_first: np.ndarray  # per stacked row: first letter's code point, -1 if empty
    nick: sparse.csr_matrix  # vocabulary x nickname groups
    area: TextColumn
    address: TextColumn
    sex_code: np.ndarray
    school_code: np.ndarray

    @classmethod
    def build(cls, t: RecordTable, policy: IdentityPolicy) -> Prepared:
        from scipy import sparse

        ngrams = policy.similarity.ngram_range
        stacked = [*t.given, *t.surname]
        names = TextColumn.build(stacked, ngrams)
        groups_of: dict[str, list[int]] = {}
        for g, group in enumerate(policy.nicknames):
            for name in group:
                groups_of.setdefault(name, []).append(g)
        rows, cols = [], []
        for i, name in enumerate(names.vocab):
            for g in groups_of.get(name, ()):
                rows.append(i)
                cols.append(g)
        nick = sparse.csr_matrix(
            (np.ones(len(rows)), (rows, cols)), shape=(len(names.vocab), max(len(policy.nicknames), 1))
        )
        return cls(
            table=t,
            names=names,
            name_sound=_codes([soundex(w) for w in names.vocab]),
            name_len=np.array([len(w) for w in stacked], dtype=np.int32),
            name_first=np.array([ord(w[0]) if w else -1 for w in stacked], dtype=np.int32),
            nick=nick,
            area=TextColumn.build(t.area, ngrams),
            address=TextColumn.build(t.address, ngrams),
            sex_code=_codes(t.sex),
            school_code=_codes(t.school),
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
    straight = p.names.cosine(left, right) + p.names.cosine(left + n, right + n)
    crossed = p.names.cosine(left, right + n) + p.names.cosine(left + n, right)
    swapped = crossed > straight + sim_lo
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
    lv["birth_year"] = _level("birth_year", [("agree", gap == 0), ("near", gap == 1)], full | (y_a < 0) | (y_b < 0))

    x_a, x_b = p.sex_code[left], p.sex_code[right]
    lv["sex"] = _level("sex", [("agree", x_a == x_b)], (x_a < 0) | (x_b < 0))

    a_a, a_b = p.area.codes[left], p.area.codes[right]
    a_cos = p.area.cosine(left, right)
    lv["area"] = _level("area", [("exact", a_a == a_b), ("similar", a_cos >= sim_hi)], (a_a < 0) | (a_b < 0))
    sims["area"] = a_cos

    c_a, c_b = p.school_code[left], p.school_code[right]
    lv["school"] = _level("school", [("agree", c_a == c_b)], (c_a < 0) | (c_b < 0))

    d_cos = p.address.cosine(left, right)
    lv["address"] = _level(
        "address",
        [("similar", d_cos >= sim_hi), ("related", d_cos >= sim_lo)],
        (p.address.codes[left] < 0) | (p.address.codes[right] < 0),
    )
    sims["address"] = d_cos
    return Comparison(left=given_left, right=given_right, levels=lv, similarity=sims, swapped=swapped)


def _name_level(
    p: Prepared, field: str, a: np.ndarray, b: np.ndarray, policy: IdentityPolicy
) -> tuple[np.ndarray, np.ndarray]:
    """Levels of one name field between stacked name rows a[k] and b[k], and their TF-IDF cosines."""
    names = p.names
    cos = names.cosine(a, b)
    code_a, code_b = names.codes[a], names.codes[b]
    conditions = [("exact", code_a == code_b)]
    short = (p.name_len[a] == 1) | (p.name_len[b] == 1)
    if field == "given_name":

        def shared_group(x: np.ndarray, y: np.ndarray) -> np.ndarray:
            return np.asarray(p.nick[x].multiply(p.nick[y]).sum(axis=1)).ravel() > 0

        nick = names.per_value_pair(a, b, shared_group, False)
        conditions += [("nickname", nick), ("initial", short & (p.name_first[a] == p.name_first[b]))]
    # a typing slip is only looked for where the n-grams alone fall short, and in names of 3+ letters
    maybe = (
        (code_a != code_b)
        & (cos < policy.similarity.similar)
        & (p.name_len[a] >= 3)
        & (p.name_len[b] >= 3)
        & (np.abs(p.name_len[a] - p.name_len[b]) <= 1)
    )
    slip = np.zeros(a.size, dtype=bool)
    slip[maybe] = names.one_slip(a[maybe], b[maybe])
    sound = np.where((code_a >= 0) & (code_b >= 0), p.name_sound[np.maximum(code_a, 0)], -1)
    sound_b = np.where((code_a >= 0) & (code_b >= 0), p.name_sound[np.maximum(code_b, 0)], -2)
    conditions += [
        ("similar", ~short & ((cos >= policy.similarity.similar) | slip)),
        ("phonetic", ~short & (sound == sound_b)),
        ("related", ~short & (cos >= policy.similarity.related)),
    ]
    return _level(field, conditions, (code_a < 0) | (code_b < 0)), cos
