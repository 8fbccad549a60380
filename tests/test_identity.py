"""Identity matching without a database: text keys, the policy, features, Fellegi–Sunter scores."""

from __future__ import annotations

import math
import random
from datetime import date
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from peermap.engine.errors import PolicyError
from peermap.engine.identity import MatchModel, RecordTable, load_identity_policy, match_records, score_pairs
from peermap.engine.identity.blocking import candidate_pairs
from peermap.engine.identity.explain import terms_for
from peermap.engine.identity.policy import DEFAULT_POLICY_PATH, parse_identity_policy
from peermap.engine.identity.text import normalise, soundex, split_name

POLICY = load_identity_policy()


def _score(a: dict[str, Any], b: dict[str, Any], *, fitted: bool = False) -> tuple[float, float, dict[str, Any]]:
    """(log-odds bits, probability, {field: term}) of one pair under the policy's own m and u."""
    table = RecordTable.build([{"id": "A", **a}, {"id": "B", **b}])
    model = None if fitted else MatchModel.from_policy(POLICY)
    scored = score_pairs(table, POLICY, np.array([0]), np.array([1]), model=model)
    terms = {t.field: t for t in terms_for(scored, 0)}
    return float(scored.log_odds[0]), float(scored.probability[0]), terms | {"_scored": scored}


# --- text -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "code"),
    [
        ("Robert", "R163"),
        ("Rupert", "R163"),
        ("Smith", "S530"),
        ("Smyth", "S530"),
        ("Tymczak", "T522"),
        ("Pfister", "P236"),
        ("Ashcraft", "A261"),
        ("Lee", "L000"),
        ("", ""),
    ],
)
def test_soundex_matches_the_published_examples(word: str, code: str) -> None:
    assert soundex(word) == code


def test_names_are_normalised_and_split_into_given_and_surname() -> None:
    assert normalise("  Zoë  O'Brien ") == "zoe obrien"
    assert split_name("Smith, Jay") == ("jay", "smith")
    assert split_name("Mary-Jane O'Brien-Smith") == ("mary jane", "obrien smith")
    assert split_name("Jay") == ("jay", "")


# --- policy ---------------------------------------------------------------------------------------


def _policy_data() -> dict[str, Any]:
    return yaml.safe_load(DEFAULT_POLICY_PATH.read_text(encoding="utf-8"))


def test_shipped_policy_is_valid_and_auto_link_is_off_by_default() -> None:
    assert POLICY.auto_link.enabled is False
    assert POLICY.thresholds.propose < POLICY.thresholds.auto_link


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("fields", "surname", "levels", "exact", "m"), 0.5, "sum to 1"),
        (("blocking", "passes"), [["surname_soundex", "shoe_size"]], "unknown keys"),
        (("thresholds", "auto_link"), 0.4, "auto_link must be above propose"),
        (("nicknames",), [["Jay", "jayden"]], "lower-case"),
        (("auto_link", "require"), {"given_name": ["perfect"]}, "not levels"),
    ],
)
def test_invalid_policies_are_refused_with_the_field_named(path: tuple[str, ...], value: Any, message: str) -> None:
    data = _policy_data()
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(PolicyError, match=message):
        parse_identity_policy(data)


# --- scores ---------------------------------------------------------------------------------------


@pytest.mark.slow
def test_worked_example_jay_smith_and_jayden_smyth() -> None:
    """School: Jay Smith, 03/04/2010, Peckham, M. Police: Jayden Smyth, born 2010, Peckham, male."""
    bits, prob, terms = _score(
        {
            "given": "Jay",
            "surname": "Smith",
            "date_of_birth": date(2010, 4, 3),
            "area": "Peckham",
            "school": "Harris Academy",
            "sex": "M",
        },
        {"given": "Jayden", "surname": "Smyth", "birth_year": 2010, "area": "peckham", "sex": "male"},
    )
    # By hand, log2(m/u) with the policy's m and u:
    expected = {
        "given_name": ("nickname", math.log2(0.04 / 0.0005)),  # 6.3219
        "surname": ("similar", math.log2(0.07 / 0.002)),  # 5.1293 (one typing slip apart; also Soundex S530)
        "birth_year": ("agree", math.log2(0.9 / 0.12)),  # 2.9069 (one record has only the year)
        "area": ("exact", math.log2(0.8 / 0.05)),  # 4.0
        "sex": ("agree", math.log2(0.97 / 0.5)),  # 0.9561
        "school": ("missing", 0.0),  # only one record has a school: no weight either way
    }
    for field, (level, weight) in expected.items():
        assert terms[field].level == level
        assert terms[field].bits == pytest.approx(weight)
    prior = math.log2(0.01 / 0.99)  # -6.6294
    assert bits == pytest.approx(prior + 6.321928 + 5.129283 + 2.906891 + 4.0 + 0.956057, abs=1e-5)
    assert bits == pytest.approx(12.68480, abs=1e-4)
    assert prob == pytest.approx(1 / (1 + 2**-12.68480), abs=1e-7)  # 0.999848
    assert prob >= POLICY.thresholds.propose
    # high, but a birth year alone never meets the auto-link levels (date of birth must agree exactly)
    scored = terms["_scored"]
    assert not scored.model.auto_link_allowed(scored.comparison)[0]
    assert "date_of_birth" not in terms  # compared as a birth year, not listed twice


def test_nickname_and_transposed_date_of_birth_are_proposed() -> None:
    _, prob, terms = _score(
        {"given": "Tom", "surname": "Hughes", "date_of_birth": date(2010, 4, 3)},
        {"given": "Thomas", "surname": "Hughes", "date_of_birth": date(2010, 3, 4)},
    )
    assert terms["given_name"].level == "nickname"
    assert terms["date_of_birth"].level == "transposed"
    assert terms["date_of_birth"].bits == pytest.approx(math.log2(0.03 / 0.00004))
    assert prob >= POLICY.thresholds.propose


def test_twins_are_never_above_auto_link() -> None:
    twin = {
        "surname": "Khan",
        "date_of_birth": date(2011, 5, 5),
        "sex": "m",
        "area": "Peckham",
        "school": "Harris Academy",
        "address": "12 Rye Lane",
    }
    _, prob, terms = _score({"given": "Amir", **twin}, {"given": "Omar", **twin})
    household = terms["area"].bits + terms["school"].bits + terms["address"].bits
    assert household > 0
    assert terms["twin_pattern"].bits == pytest.approx(POLICY.twin_pattern.weight - household)
    assert prob < POLICY.thresholds.auto_link
    scored = terms["_scored"]
    assert not scored.model.auto_link_allowed(scored.comparison)[0]


def test_same_child_with_every_field_agreeing_reaches_auto_link_levels() -> None:
    rec = {
        "given": "Leah",
        "surname": "Okafor",
        "date_of_birth": date(2009, 1, 30),
        "sex": "f",
        "area": "Peckham",
        "school": "Harris Academy",
    }
    _, prob, terms = _score(rec, dict(rec))
    scored = terms["_scored"]
    assert prob >= POLICY.thresholds.auto_link
    assert scored.model.auto_link_allowed(scored.comparison)[0]


def test_swapped_given_name_and_surname_still_match() -> None:
    _, prob, terms = _score(
        {"given": "Nathan", "surname": "Challenor", "date_of_birth": date(2010, 2, 13)},
        {"given": "Challenor", "surname": "Nathan", "date_of_birth": date(2010, 2, 13)},
    )
    assert terms["given_name"].level == "exact" and "swapped" in terms["given_name"].detail
    assert prob >= POLICY.thresholds.propose


def test_different_children_with_a_common_surname_are_not_proposed() -> None:
    _, prob, _ = _score(
        {"given": "Ella", "surname": "Smith", "date_of_birth": date(2010, 6, 1), "area": "Peckham"},
        {"given": "Kwame", "surname": "Smith", "date_of_birth": date(2012, 11, 19), "area": "Brixton"},
    )
    assert prob < POLICY.thresholds.propose


def test_terms_sum_to_the_log_odds() -> None:
    bits, _, terms = _score(
        {"given": "Liz", "surname": "Barnes", "date_of_birth": date(2008, 7, 9), "school": "Kingsdale"},
        {"given": "Elizabeth", "surname": "Barns", "date_of_birth": date(2008, 7, 19), "school": "kingsdale"},
        fitted=True,
    )
    scored = terms.pop("_scored")
    assert sum(t.bits for t in terms.values()) + scored.model.prior_bits == pytest.approx(bits)


def test_blocking_compares_far_fewer_pairs_than_all_but_keeps_the_duplicate() -> None:
    rng = random.Random(3)
    given_names = ["amir", "ella", "kwame", "leah", "tom", "zara", "oscar", "maya", "dev", "ife"]
    surnames = ["khan", "smith", "okafor", "jones", "patel", "nowak", "brown", "ali", "evans", "reid"]
    rows: list[dict[str, object]] = [
        {
            "id": f"R{i:03d}",
            "given": rng.choice(given_names),
            "surname": rng.choice(surnames) + str(i % 7),
            "date_of_birth": date(2006 + rng.randrange(10), 1 + rng.randrange(12), 1 + rng.randrange(28)),
            "area": rng.choice(["peckham", "brixton", "camberwell"]),
        }
        for i in range(300)
    ]
    rows.append({**rows[0], "id": "DUP", "given": "Tommy" if rows[0]["given"] == "tom" else rows[0]["given"]})
    table = RecordTable.build(rows)
    left, right, stats = candidate_pairs(table, POLICY.blocking.passes, POLICY.blocking.max_block)
    assert stats.pairs < stats.possible / 10
    pos = {r: i for i, r in enumerate(table.ids)}
    pairs = set(zip(left.tolist(), right.tolist(), strict=True))
    assert tuple(sorted((pos["DUP"], pos["R000"]))) in pairs
    scored = match_records(table, POLICY)
    k = next(
        i
        for i, (a, b) in enumerate(zip(scored.left, scored.right, strict=True))
        if {table.ids[a], table.ids[b]} == {"DUP", "R000"}
    )
    assert scored.probability[k] >= POLICY.thresholds.propose


# --- properties -----------------------------------------------------------------------------------

_names = st.sampled_from(["jay", "jayden", "tom", "thomas", "amir", "omar", "leah", "lea", "", "j"])
_surnames = st.sampled_from(["smith", "smyth", "khan", "kahn", "okafor", "", "o'brien-smith"])
_record = st.fixed_dictionaries(
    {
        "given": _names,
        "surname": _surnames,
        "date_of_birth": st.one_of(st.none(), st.dates(date(2005, 1, 1), date(2013, 12, 31))),
        "birth_year": st.one_of(st.none(), st.integers(2005, 2013)),
        "sex": st.sampled_from(["", "f", "m"]),
        "area": st.sampled_from(["", "peckham", "brixton"]),
        "school": st.sampled_from(["", "kingsdale", "harris"]),
    }
)


@pytest.mark.slow
@given(st.lists(_record, min_size=2, max_size=8), st.randoms(use_true_random=False))
def test_scores_are_symmetric_and_independent_of_record_order(
    records: list[dict[str, Any]], rnd: random.Random
) -> None:
    rows = [{"id": f"P{i}", **r} for i, r in enumerate(records)]
    table = RecordTable.build(rows)
    n = len(table)
    left, right = np.triu_indices(n, 1)
    forward = score_pairs(table, POLICY, left, right)
    backward = score_pairs(table, POLICY, right, left)
    assert np.allclose(forward.log_odds, backward.log_odds)
    assert np.all((forward.probability >= 0) & (forward.probability <= 1))

    shuffled = list(rows)
    rnd.shuffle(shuffled)
    table2 = RecordTable.build(shuffled)
    assert table2.ids == table.ids
    again = score_pairs(table2, POLICY, left, right)
    assert np.array_equal(forward.log_odds, again.log_odds)


def test_records_with_swapped_names_meet_in_blocking() -> None:
    rows: list[dict[str, object]] = [
        {"id": "A", "given": "Nathan", "surname": "Challenor", "date_of_birth": date(2010, 2, 13)},
        {"id": "B", "given": "Challenor", "surname": "Nathan", "date_of_birth": date(2010, 1, 13)},
        {"id": "C", "given": "Leah", "surname": "Okafor", "date_of_birth": date(2010, 2, 13), "area": "x"},
    ]
    table = RecordTable.build(rows)
    # passes that only a swap-aware key can satisfy: no shared date of birth, initials or area
    left, right, _ = candidate_pairs(table, [["name_soundex", "birth_year"]], POLICY.blocking.max_block)
    assert list(zip(left.tolist(), right.tolist(), strict=True)) == [(0, 1)]
    left, right, _ = candidate_pairs(table, [["surname_soundex", "birth_year"]], POLICY.blocking.max_block)
    assert left.size == 0
