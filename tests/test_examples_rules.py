"""Every evidence rule carries worked examples (policies/evidence-rules.examples.yaml): items it must take
effect on and items it must not. One parametrised test runs them all against the shipped pack."""

from __future__ import annotations

from pathlib import Path

import pytest

from peermap.engine.errors import PolicyError
from peermap.engine.rules import load_rule_pack
from peermap.engine.rules.examples import ExampleItem, example_problems, fired_rule_ids, load_pack_examples

PACK = load_rule_pack()
EXAMPLES = load_pack_examples()
CASES = [
    pytest.param(rule_id, item, fires, id=f"{rule_id}: {'fires' if fires else 'passes'} {item.grading} {n}")
    for rule_id, ex in EXAMPLES.rules.items()
    for fires, items in ((True, ex.fires), (False, ex.passes))
    for n, item in enumerate(items)
]


@pytest.mark.parametrize("rule_id, item, fires", CASES)
def test_evidence_rule_example(rule_id: str, item: ExampleItem, fires: bool) -> None:
    fired = fired_rule_ids(PACK, item)
    assert (rule_id in fired) == fires, f"{rule_id} {'should' if fires else 'should not'} fire; fired: {fired}"


def test_every_rule_id_has_examples_and_every_example_names_a_rule() -> None:
    assert sorted(EXAMPLES.rules) == sorted(r.id for r in PACK.rules)
    assert example_problems(PACK, EXAMPLES) == []


def test_problems_are_reported_by_rule_id(tmp_path: Path) -> None:
    f = tmp_path / "ex.yaml"
    f.write_text(
        "rules:\n"
        "  admiralty-1:\n    fires: [{grading: B2}]\n    passes: [{grading: B1}]\n"
        "  no-such-rule:\n    fires: [{grading: B2}]\n    passes: [{grading: B3}]\n"
    )
    problems = example_problems(PACK, load_pack_examples(f))
    assert "rule 'admiralty-2' has no examples" in problems
    assert any(p.startswith("examples for 'no-such-rule'") for p in problems)
    assert any("'admiralty-1' should fire on" in p for p in problems)
    assert any("'admiralty-1' should not fire on" in p for p in problems)


@pytest.mark.parametrize(
    "text, problem",
    [
        ("rules:\n  x:\n    fires: [{grading: Z9}]\n    passes: [{grading: B2}]\n", "not a valid admiralty grading"),
        ("rules:\n  x:\n    fires: [{grading: B2}]\n", "rules.x.passes: Field required"),
        ("rules:\n  x:\n    fires: [{grading: B2, colour: red}]\n    passes: [{grading: B2}]\n", "colour"),
    ],
)
def test_bad_examples_are_rejected_naming_the_rule(tmp_path: Path, text: str, problem: str) -> None:
    f = tmp_path / "ex.yaml"
    f.write_text(text)
    with pytest.raises(PolicyError, match=problem):
        load_pack_examples(f)
