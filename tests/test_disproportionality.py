"""Disproportionality that cannot say "ok" by accident (issue 12 item 8)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from reports_helpers import MapBuilder

from peermap.engine.labelling import run_checks
from peermap.engine.store import Store

BASELINE = "group_kind,group,share\nethnicity,Group A,0.5\nethnicity,Group B,0.5\nsex,F,0.5\nsex,M,0.5\n"


def _world(people: list[tuple[str, str, str | None]]) -> MapBuilder:
    """(status, ethnicity, sex) per young person; everyone present at incident I1 by two agencies."""
    b = MapBuilder()
    b.agency("police", "police").agency("school", "school")
    b.agreement("ISA-1", "police;school")
    b.location("L1", "Rec ground", of_concern=True)
    b.incident("I1", date(2026, 8, 20))
    for i, (status, eth, sex) in enumerate(people):
        b.person(f"P{i}", f"Person {i}", status, ethnicity=eth or None, sex=sex, birth_year=2010)
        b.evidence(f"P{i}", "I1", "present").evidence(f"P{i}", "I1", "present", agency="school")
    return b


def _status(store: Store, people: list[tuple[str, str, str | None]], baseline: Path | None = None) -> tuple[str, str]:
    check = run_checks(_world(people).build(store), baseline=baseline).check("disproportionality_ethnicity")
    return check.status, check.summary


def _baseline(tmp_path: Path) -> Path:
    f = tmp_path / "baseline.csv"
    f.write_text(BASELINE)
    return f


EVEN = [("included", "Group A", "F"), ("included", "Group B", "M")] * 4 + [("left_out", "Group A", "F")] * 2


def test_ok_only_when_tested_against_cohort_and_population(store: Store, tmp_path: Path) -> None:
    status, summary = _status(store, EVEN + [("left_out", "Group B", "M")] * 2, _baseline(tmp_path))
    assert status == "ok", summary
    assert "local population" in summary


def test_without_a_baseline_it_says_so(store: Store) -> None:
    status, summary = _status(store, EVEN + [("left_out", "Group B", "M")] * 2)
    assert status == "info"
    assert "not checked against the local population: no population baseline given" in summary


def test_ethnicity_missing_for_everyone_is_not_checked(store: Store, tmp_path: Path) -> None:
    people = [("included", "", "F")] * 20
    status, summary = _status(store, people, _baseline(tmp_path))
    assert (status, summary) == (
        "not_checked",
        "not checked: ethnicity missing for 20 of 20 included or greyed young people",
    )


def test_too_few_to_test(store: Store, tmp_path: Path) -> None:
    status, summary = _status(store, [("included", "Group A", "F"), ("greyed", "Group B", "M")], _baseline(tmp_path))
    assert status == "not_checked" and "too few young people to test (2 on the map" in summary


def test_nobody_on_the_map_is_not_ok(store: Store, tmp_path: Path) -> None:
    status, summary = _status(store, [("left_out", "Group A", "F")] * 6, _baseline(tmp_path))
    assert (status, summary) == ("not_checked", "not checked: nobody is on the map to compare")


def test_greyed_young_people_are_tested_too(store: Store, tmp_path: Path) -> None:
    """Included evenly, but every greyed young person is from Group B: drawn and named all the same."""
    people = (
        [("included", "Group A", "F"), ("included", "Group B", "M")] * 2
        + [("greyed", "Group B", "M")] * 6
        + [("left_out", "Group A", "F")] * 8
    )
    check = run_checks(_world(people).build(store), baseline=_baseline(tmp_path)).check("disproportionality_ethnicity")
    assert check.flagged and check.affected == ["Group B"]
    assert "of included and greyed" in check.findings[0].detail


@pytest.mark.parametrize("missing", [1, 3])
def test_partly_missing_values_are_tested_and_counted(store: Store, tmp_path: Path, missing: int) -> None:
    people = EVEN + [("left_out", "Group B", "M")] * 2 + [("included", "", "F")] * missing
    status, summary = _status(store, people, _baseline(tmp_path))
    assert status == "ok"
    assert f"ethnicity missing for {missing} of {8 + missing} included or greyed young people" in summary


def test_ward_baseline_weights_the_wards_young_people_live_in(store: Store, tmp_path: Path) -> None:
    """Group B is 10% of the borough but 50% in Riverside, where everyone on this map lives: no flag."""
    f = tmp_path / "wards.csv"
    f.write_text(
        "# census by ward\ngroup_kind,group,share,area\n"
        "ethnicity,Group A,0.9,\nethnicity,Group B,0.1,\n"
        "ethnicity,Group A,0.5,Riverside\nethnicity,Group B,0.5,Riverside\n"
        "ethnicity,Group A,0.95,Marlow\nethnicity,Group B,0.05,Marlow\n"
    )
    b = _world([])
    for i in range(8):
        b.person(f"P{i}", f"Person {i}", "included", ethnicity="Group B" if i % 2 else "Group A", area="Riverside")
    for i in range(8, 16):
        b.person(f"P{i}", f"Person {i}", "left_out", ethnicity="Group B" if i % 2 else "Group A", area="Marlow")
    check = run_checks(b.build(store), baseline=f).check("disproportionality_ethnicity")
    rows = {r["group"]: r for r in check.table}
    assert rows["Group B"]["baseline_share"] == pytest.approx(0.5)
    assert check.status == "ok", check.summary


def test_the_demo_borough_sample_baseline_loads_and_is_used(tmp_path: Path) -> None:
    from peermap.engine.labelling import load_baseline

    sample = Path(__file__).resolve().parents[1] / "docs" / "examples" / "northbridge-population.csv"
    baseline = load_baseline(sample)
    assert set(baseline.shares) == {"ethnicity", "sex", "age_band"}
    assert "Riverside" in baseline.by_area["ethnicity"]
    mixed = baseline.shares_for("ethnicity", {"Riverside": 3, "Marlow": 1})
    assert sum(mixed.values()) == pytest.approx(1.0, abs=0.01)
