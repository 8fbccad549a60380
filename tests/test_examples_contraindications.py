"""Every intervention contraindication carries worked examples (engine/interventions/contraindications.py,
CONTRAINDICATION_RECORDS): targets it holds back and targets it does not. One parametrised test runs them."""

from __future__ import annotations

from typing import get_args

import pytest

from peermap.engine.interventions import load_catalogue
from peermap.engine.interventions.catalogue import CONTRAINDICATIONS, ContraCode
from peermap.engine.interventions.contraindications import (
    BY_CODE,
    CONTRAINDICATION_RECORDS,
    ContraExample,
    Contraindication,
)

CATALOGUE = load_catalogue()
CASES = [pytest.param(c, e, id=f"{c.code}: {e.name}") for c in CONTRAINDICATION_RECORDS for e in c.examples]


@pytest.mark.parametrize("contra, example", CASES)
def test_contraindication_example(contra: Contraindication, example: ContraExample) -> None:
    reason = contra.check(example.target(), example.roles(), CATALOGUE)
    assert (reason is not None) == example.fires, f"{contra.code}: {example.name!r} gave {reason!r}"
    if reason is not None:
        assert reason.startswith(f"held back ({contra.code}):")
        # greyed young people are counted, never named
        for grey in example.greyed:
            assert grey not in reason


def test_every_contraindication_code_has_examples_both_ways() -> None:
    codes = set(get_args(ContraCode))
    assert set(BY_CODE) == codes == set(CONTRAINDICATIONS)
    for c in CONTRAINDICATION_RECORDS:
        assert any(e.fires for e in c.examples) and not all(e.fires for e in c.examples), c.code
        assert c.why == CONTRAINDICATIONS[c.code]
    used = {code for e in CATALOGUE.entries for code in e.contraindications}
    assert used <= codes
