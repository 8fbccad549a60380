"""Every language entry carries its own examples (policies/language.yaml, `examples:`): notes it must flag
and notes it must not. One parametrised test runs them through the guide as the labelling check does."""

from __future__ import annotations

from pathlib import Path

import pytest

from peermap.engine.errors import PolicyError
from peermap.engine.labelling import load_language_guide

GUIDE = load_language_guide()
CASES = [
    pytest.param(e.id, ex.note, ex.age, fires, id=f"{e.id}: {'fires' if fires else 'passes'} {ex.note[:30]!r}")
    for e in GUIDE.entries
    if e.examples is not None
    for fires, notes in ((True, e.examples.fires), (False, e.examples.passes))
    for ex in notes
]


@pytest.mark.parametrize("entry_id, note, age, fires", CASES)
def test_language_entry_example(entry_id: str, note: str, age: int | None, fires: bool) -> None:
    hits = {h.entry for h in GUIDE.find(note, age=age)}
    assert (entry_id in hits) == fires, f"{entry_id} on {note!r} (age {age}): hits {sorted(hits)}"


def test_every_language_entry_has_examples_both_ways() -> None:
    assert len(GUIDE.entries) >= 10
    missing = [e.id for e in GUIDE.entries if e.examples is None]
    assert not missing, f"language entries without examples: {missing}"


@pytest.mark.parametrize(
    "examples, problem",
    [
        ("{fires: ['a calm note'], passes: ['nothing']}", "'a calm note' .* should be flagged by entry 'a'"),
        ("{fires: ['streetwise'], passes: ['so streetwise']}", "should not be flagged by entry 'a'"),
        ("{fires: ['streetwise']}", "passes"),
        ("{fires: [{note: 'streetwise', age: -1}], passes: ['x']}", "greater than or equal to 0"),
    ],
)
def test_a_guide_whose_examples_disagree_with_its_phrases_is_rejected(
    tmp_path: Path, examples: str, problem: str
) -> None:
    bad = tmp_path / "guide.yaml"
    bad.write_text(
        "version: '1'\nsource: x\nentries:\n"
        f"  - id: a\n    phrases: [streetwise]\n    suggest: s\n    why: w\n    examples: {examples}\n"
    )
    with pytest.raises(PolicyError, match=problem):
        load_language_guide(bad)
