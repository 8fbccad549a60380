"""Demo names at city scale: unique for any number of young people, after a bounded number of draws."""

from __future__ import annotations

import random
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peermap.engine.demo import names
from peermap.engine.demo.people import make_children

TODAY = date(2026, 11, 28)


def test_twenty_thousand_children_have_unique_names_beyond_the_plain_pool() -> None:
    plain = len(names.SURNAMES) * (len(names.FIRST_MALE) + len(names.FIRST_FEMALE))
    assert plain < 20_000  # the plain first-name x surname pool runs out: this is the case that looped for ever
    children = make_children(random.Random(7), 20_000, TODAY)
    full = [c.name for c in children]
    assert len(set(full)) == len(full)
    double = [c for c in children if "-" in c.surname]
    for sex, firsts in (("male", names.FIRST_MALE), ("female", names.FIRST_FEMALE)):
        of_sex = [c for c in children if c.sex == sex]
        # at least everyone past the plain pool of their sex has a double-barrelled surname
        assert sum(1 for c in of_sex if "-" in c.surname) >= len(of_sex) - len(firsts) * len(names.SURNAMES)
    for c in double[:200]:
        a, b = c.surname.split("-", 1)
        assert a in names.SURNAMES and b in names.SURNAMES and a != b


def test_a_full_plain_pool_falls_back_to_double_barrelled_surnames() -> None:
    used = {(f, s) for f in names.FIRST_MALE for s in names.SURNAMES}
    first, surname = names.unique_first_and_surname(random.Random(1), "male", used)
    assert (first, surname) not in used and "-" in surname


@pytest.mark.slow
def test_the_last_resort_walks_the_whole_pool() -> None:
    pool = names.FIRST_FEMALE
    capacity = len(pool) * names.surname_count()
    every = {(pool[k % len(pool)], names.surname_at(k // len(pool))) for k in range(capacity)}
    assert len(every) == capacity  # surname_at enumerates distinct surnames
    left = every.pop()
    assert names.unique_first_and_surname(random.Random(3), "female", every) == left
    every.add(left)
    try:
        names.unique_first_and_surname(random.Random(3), "female", every)
    except ValueError as exc:
        assert "taken" in str(exc)
    else:
        raise AssertionError("a pool with no name left must say so, not loop")


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32), taken=st.integers(0, 69))
def test_middle_names_tell_namesakes_apart(seed: int, taken: int) -> None:
    pool = [n for n in names.FIRST_MALE if n != "Jayden"]
    blocked = {f"Jayden {m} Khan" for m in random.Random(seed).sample(pool, min(taken, len(pool) - 1))}
    middle = names.middle_name_for(random.Random(seed), "Jayden", "Khan", "male", blocked)
    assert middle and f"Jayden {middle} Khan" not in blocked and middle != "Jayden" and middle in names.FIRST_MALE
    everyone = {f"Jayden {m} Khan" for m in pool}
    assert names.middle_name_for(random.Random(seed), "Jayden", "Khan", "male", everyone) == ""
