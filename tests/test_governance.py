"""Issue 12 item 11: a lawful basis that means something."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from peermap.engine.governance import ARTICLE_6, lawful_basis_problem, read_lawful_basis


@pytest.mark.parametrize(
    "text, special, problem",
    [
        ("UK GDPR Art 6(1)(e) public task; DPA 2018 Sch 1 para 18 safeguarding of children", True, None),
        ("Public task", False, None),
        ("UK GDPR Art 6(1)(e); Art 9(2)(h) health or social care", True, None),
        ("tbc", False, "is not a basis"),
        (" TBC. ", True, "is not a basis"),
        ("to be confirmed", False, "is not a basis"),
        ("n/a", False, "is not a basis"),
        ("", False, "is not a basis"),
        ("Crime and Disorder Act 1998 s115", False, "names no UK GDPR Article 6(1) basis"),
        ("UK GDPR Art 6(1)(e) public task", True, "names no Article 9(2) condition"),
        ("Art 9(2)(a) explicit consent", False, "names no UK GDPR Article 6(1) basis"),
    ],
)
def test_lawful_basis_needs_an_article_6_basis_and_a_special_category_condition(
    text: str, special: bool, problem: str | None
) -> None:
    got = lawful_basis_problem(text, special)
    if problem is None:
        assert got is None
    else:
        assert got is not None and problem in got


def test_bases_are_read_by_number_and_by_name() -> None:
    basis = read_lawful_basis("UK GDPR 6(1)(c) and legitimate interests; DPA 2018 Schedule 1 paragraph 18")
    assert basis.article_6 == ("c", "f") and basis.schedule_1 == (18,)
    assert basis.describe().startswith("UK GDPR Art 6(1)(c) legal obligation")


@given(st.sampled_from(sorted(ARTICLE_6)), st.sampled_from(["Art ", "Article ", "UK GDPR ", ""]), st.booleans())
def test_any_written_article_6_basis_is_accepted(letter: str, prefix: str, upper: bool) -> None:
    text = f"{prefix}6(1)({letter.upper() if upper else letter})"
    assert read_lawful_basis(text).article_6 == (letter,)
    assert lawful_basis_problem(text, False) is None
