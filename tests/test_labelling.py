"""Labelling-risk checks (engine.labelling): each check has tests named after its id."""

from __future__ import annotations

import importlib.util
from datetime import date
from pathlib import Path

import pytest
from reports_helpers import MapBuilder, small_map

from peermap.engine import audit
from peermap.engine.access import Actor
from peermap.engine.errors import PolicyError
from peermap.engine.labelling import (
    PERSON_CHECKS,
    LanguageGuide,
    load_baseline,
    load_language_guide,
    run_checks,
)
from peermap.engine.map_model import Reason
from peermap.engine.store import Store

ROOT = Path(__file__).resolve().parents[1]


def _base() -> MapBuilder:
    b = MapBuilder()
    b.agency("police", "police").agency("school", "school").agency("yot", "youth_work")
    b.agreement("ISA-1", "police;school;yot")
    b.location("L1", "Rec ground", of_concern=True).location("L2", "Library", of_concern=False)
    b.incident("I1", date(2026, 8, 20))
    return b


# ------------------------------------------------------------------------------------------ per person


def test_every_person_check_runs_and_has_a_why(store: Store) -> None:
    report = run_checks(small_map(store), store)
    ids = [c.id for c in report.checks]
    assert set(PERSON_CHECKS) <= set(ids)
    assert len(ids) == len(set(ids))
    for c in report.checks:
        assert c.why and "\n" not in c.why and c.summary


def test_single_source_flags_one_agency_and_not_two(store: Store) -> None:
    b = _base()
    b.person("A", "Ann One").person("B", "Ben Two")
    b.evidence("A", "I1", "harming", agency="police", source_ref="ref-1")
    b.evidence("A", "I1", "harming", agency="police", source_ref="ref-2")
    b.evidence("B", "I1", "harming", agency="police").evidence("B", "I1", "harming", agency="school")
    check = run_checks(b.build(store)).check("single_source")
    assert check.flagged and check.affected == ["A"]
    assert "2 origin(s)" in check.findings[0].detail


def test_association_only_flags_no_direct_concern_link(store: Store) -> None:
    b = _base()
    b.person("A", "Ann One").person("B", "Ben Two", "greyed").person("C", "Cat Three", "greyed")
    b.person("D", "Dan Four", "greyed")
    b.evidence("A", "I1", "present").evidence("B", "A", "association").evidence("C", "L2", "present_at")
    b.evidence("D", "I1", "present", grading="E5")
    b.link("A", "I1", "present", 0.8).link("B", "A", "association", 0.7).link("C", "L2", "present_at", 0.8)
    b.link("D", "I1", "present", 0.3)
    check = run_checks(b.build(store)).check("association_only")
    # a place not of concern is not a concern link, nor is a link below the grey threshold
    assert check.affected == ["B", "C", "D"]


def test_low_grade_only_flags_untested_and_doubtful_sources(store: Store) -> None:
    b = _base()
    b.person("A", "Ann One").person("B", "Ben Two").person("C", "Cat Three")
    b.evidence("A", "I1", "present", grading="E5").evidence("A", "I1", "present", scheme="record", grading="anonymous")
    b.evidence("B", "I1", "present", grading="E5").evidence("B", "I1", "present", grading="B2")
    b.evidence("C", "I1", "present", scheme="3x5x2", grading="U2")
    check = run_checks(b.build(store)).check("low_grade_only")
    assert check.affected == ["A", "C"]


def test_stale_evidence_uses_the_policy_window(store: Store) -> None:
    b = _base()
    b.person("A", "Ann One").person("B", "Ben Two")
    b.evidence("A", "I1", "present", observed=date(2025, 6, 1))  # > 365 days before 2026-11-01
    b.evidence("B", "I1", "present", observed=date(2026, 6, 1))
    check = run_checks(b.build(store)).check("stale_evidence")
    assert check.affected == ["A"] and "policy window 365 days" in check.findings[0].detail


def test_corroboration_missing_uses_independent_origins(store: Store) -> None:
    b = _base()
    b.person("A", "Ann One").person("B", "Ben Two")
    b.evidence("A", "I1", "present").evidence("B", "I1", "present")
    b.link("A", "I1", "present", 0.72, n_agencies=1, n_origins=1)
    b.link("B", "I1", "present", 0.8, n_agencies=2, n_origins=2)
    check = run_checks(b.build(store)).check("corroboration_missing")
    assert check.affected == ["A"]


def test_harmed_shown_as_concern_flags_harm_as_the_reason_and_both_roles(store: Store) -> None:
    b = _base()
    b.incident("I2", date(2026, 9, 1))
    b.person("V", "Vic Harmed", reasons=[Reason("harmed_in_incident", "harmed in I1", ("I1",))])
    b.person("W", "Wes Both", reasons=[Reason("present_at_incident", "present", ("I2",))])
    b.person("X", "Xan Elsewhere", reasons=[Reason("present_at_location_of_concern", "at L1", ("L1",))])
    b.evidence("V", "I1", "harmed")
    b.evidence("W", "I2", "harmed").evidence("W", "I2", "harming")
    b.evidence("X", "I1", "harmed").evidence("X", "L1", "present_at")
    check = run_checks(b.build(store)).check("harmed_shown_as_concern")
    assert check.affected == ["V", "W"]
    by = {f.person_id: f.detail for f in check.findings}
    assert "because they were harmed in I1" in by["V"] and "both harmed and harming in I2" in by["W"]


def test_under_13_uses_date_of_birth_and_birth_year(store: Store) -> None:
    b = _base()
    b.person("A", "Ann One", date_of_birth=date(2014, 11, 2))  # 11 on 2026-11-01
    b.person("B", "Ben Two", date_of_birth=date(2013, 11, 1))  # 13 that day
    b.person("C", "Cat Three", birth_year=2013)  # 12 or 13: may be under 13
    check = run_checks(b.build(store)).check("under_13")
    assert check.affected == ["A", "C"]
    assert "aged 12-13" in {f.person_id: f.detail for f in check.findings}["C"]


def test_review_overdue(store: Store) -> None:
    b = _base()
    b.person("A", "Ann One", review_by=date(2026, 10, 1)).person("B", "Ben Two", review_by=date(2026, 12, 1))
    check = run_checks(b.build(store)).check("review_overdue")
    assert check.affected == ["A"] and "31 days overdue" in check.findings[0].detail


def test_victim_blaming_language_in_evidence_concern_and_strength_notes(store: Store) -> None:
    b = _base()
    b.person("A", "Ann One", date_of_birth=date(2015, 1, 1)).person("B", "Ben Two", date_of_birth=date(2010, 1, 1))
    b.person("Z", "Zed Hidden", "left_out")
    b.evidence("A", "I1", "harmed", note="She is sexually active and keeps going missing")
    b.evidence("B", "I1", "harmed", note="sexually active; described as streetwise")
    b.evidence("Z", "I1", "present", note="a lifestyle choice")
    b.concern("B", "exploitation", note="Putting HIMSELF  at risk")
    result = b.build(store)
    check = run_checks(result, store).check("victim_blaming_language")
    phrases = {(f.person_id, f.refs[1]) for f in check.findings}
    # "sexually active" is flagged for any child (issue 12 item 9); the left-out child is only counted
    assert ("A", "sexually-active") in phrases and ("B", "sexually-active") in phrases
    assert ("A", "going-missing") in phrases and ("B", "labels") in phrases and ("B", "choice-and-risk") in phrases
    assert "Z" not in check.affected and "1 flagged note(s) about young people not on the map" in check.summary
    assert all(f.suggestion for f in check.findings)
    without_store = run_checks(result).check("victim_blaming_language")
    assert without_store.affected == ["B"] and "evidence notes need the database" in without_store.summary


def test_language_guide_is_valid_and_rejects_bad_entries(tmp_path: Path) -> None:
    guide = load_language_guide()
    assert isinstance(guide, LanguageGuide) and len(guide.entries) >= 9
    assert [h.entry for h in guide.find("money mule and gift girl")] == ["financial-sexual-exploitation-terms"] * 2
    assert guide.find("she runs the gang-free youth club") == []  # whole words only
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: '1'\nsource: x\nentries:\n  - id: a\n    patterns: ['(']\n    suggest: s\n    why: w\n")
    with pytest.raises(PolicyError, match="not a valid regular expression"):
        load_language_guide(bad)
    bad.write_text("version: '1'\nsource: x\nentries:\n  - id: a\n    phrases: [x]\n    suggest: s\n")
    with pytest.raises(PolicyError, match="why"):
        load_language_guide(bad)


# ------------------------------------------------------------------------------------------ cohort


def _cohort(store: Store) -> MapBuilder:
    b = _base()
    for i in range(8):
        eth = "Group B" if i < 4 else "Group A"
        status = "included" if i < 4 or i == 4 else "left_out"
        b.person(f"P{i}", f"Person {i}", status, ethnicity=eth, sex="M" if i % 2 else "F", birth_year=2010)
        b.evidence(f"P{i}", "I1", "present").evidence(f"P{i}", "I1", "present", agency="school")
    return b


def test_disproportionality_against_the_known_cohort(store: Store) -> None:
    report = run_checks(_cohort(store).build(store))
    eth = report.check("disproportionality_ethnicity")
    rows = {r["group"]: r for r in eth.table}
    assert rows["Group B"]["cohort_n"] == 4 and rows["Group B"]["included_n"] == 4
    assert rows["Group B"]["ratio"] == pytest.approx(1.6)  # 80% of included against 50% of the cohort
    assert eth.flagged and eth.affected == ["Group B"]
    assert report.check("disproportionality_sex").table


def test_disproportionality_against_a_population_baseline(store: Store, tmp_path: Path) -> None:
    csv = tmp_path / "baseline.csv"
    csv.write_text("group_kind,group,share\nethnicity,Group A,0.9\nethnicity,Group B,0.1\nsex,F,0.5\n")
    report = run_checks(_cohort(store).build(store), baseline=csv)
    rows = {r["group"]: r for r in report.check("disproportionality_ethnicity").table}
    assert rows["Group B"]["baseline_ratio"] == pytest.approx(8.0)
    assert report.baseline_source == "baseline.csv"


@pytest.mark.parametrize(
    "text, problem",
    [
        ("kind,group,share\n", "missing group_kind"),
        ("group_kind,group,share\nreligion,X,0.1\n", "religion"),
        ("group_kind,group,share\nsex,F,lots\n", "not a number"),
        ("group_kind,group,share\nsex,F,1.5\n", "between 0 and 1"),
        ("group_kind,group,share\nsex,F,0.7\nsex,M,0.7\n", "add up to"),
    ],
)
def test_baseline_rejects_bad_files(tmp_path: Path, text: str, problem: str) -> None:
    f = tmp_path / "b.csv"
    f.write_text(text)
    with pytest.raises(PolicyError, match=problem):
        load_baseline(f)


def test_no_incident_and_single_source_shares(store: Store) -> None:
    b = _base()
    for i in range(4):
        b.person(f"P{i}", f"Person {i}")
        b.evidence(f"P{i}", "L1", "present_at", agency="police")
    b.evidence("P0", "I1", "present", agency="school").link("P0", "I1", "present", 0.75)
    report = run_checks(b.build(store))
    no_inc = report.check("no_incident_share")
    assert no_inc.flagged and no_inc.affected == ["P1", "P2", "P3"]
    assert report.check("single_source_share").affected == ["P1", "P2", "P3"]


def test_past_retention(store: Store) -> None:
    b = _base()
    b.agreement("ISA-SHORT", "police", retention_days=30)
    b.person("A", "Ann One").person("B", "Ben Two")
    b.evidence("A", "I1", "present", agreement="ISA-SHORT", observed=date(2026, 8, 1))
    b.evidence("B", "I1", "present", observed=date(2026, 8, 1))
    check = run_checks(b.build(store)).check("past_retention")
    assert check.flagged and check.affected == ["A"]


# ------------------------------------------------------------------------------------------ governance


def test_agreement_basis_and_dpia_reference(store: Store) -> None:
    b = _base()
    b.agreement("ISA-BARE", "police", lawful_basis=" ", purpose="", dpia_ref=None)
    b.person("A", "Ann One")
    report = run_checks(b.build(store))
    basis = report.check("agreement_basis")
    assert basis.affected == ["ISA-BARE"] and "no lawful basis or purpose" in basis.findings[0].detail
    assert report.check("dpia_reference").affected == ["ISA-BARE"]


def test_outputs_logged_and_shadow_lists(store: Store, auditor: Actor) -> None:
    result = small_map(store)
    export = audit.log_event(store, auditor, "export", {"kind": "map", "format": "csv", "person_ids": ["P1", "P9"]})
    audit.log_event(store, auditor, "report", {"kind": "audit", "recipient": "DPO", "person_ids": ["P1"]})
    report = run_checks(result, store)
    outputs = report.check("outputs_logged")
    assert outputs.flagged and outputs.affected == [f"event:{export.seq}"] and len(outputs.table) == 2
    shadow = report.check("shadow_lists")
    assert shadow.flagged and shadow.affected == [f"event:{export.seq}"]  # P9 is now left out
    assert "P9" not in shadow.summary and "Hidden" not in shadow.summary
    assert run_checks(result).check("outputs_logged").status == "not_checked"


def test_left_out_people_are_never_affected_or_named(store: Store) -> None:
    result = small_map(store)
    report = run_checks(result, store)
    for c in report.checks:
        if c.scope == "person":
            assert "P9" not in c.affected
        text = str(c.to_json())
        assert "Zed Hidden-Leftout" not in text


# ------------------------------------------------------------------------------------------ real data


def test_london_gang_disproportionality_table_by_birthplace(
    datasets: Path, tmp_path: Path, practitioner: Actor
) -> None:
    from peermap.engine.ingest import import_path
    from peermap.engine.mapping import compute_map

    spec = importlib.util.spec_from_file_location(
        "convert_public_datasets_lab", ROOT / "docs" / "examples" / "convert_public_datasets.py"
    )
    assert spec is not None and spec.loader is not None
    conv = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conv)
    # Dated as if recorded last month, so the study's ties are current evidence rather than aged out.
    conv.convert_london_gang(datasets / "london_gang", tmp_path / "lg", recorded_on="2026-10-31")
    store = Store.open(f"sqlite:///{tmp_path / 'lg.db'}")
    try:
        import_path(store, tmp_path / "lg", practitioner)
        baseline = tmp_path / "london.csv"
        baseline.write_text(
            "group_kind,group,share\nethnicity,United Kingdom,0.63\nethnicity,West Africa,0.07\n"
            "ethnicity,Caribbean,0.04\nethnicity,East Africa,0.03\n"
        )
        report = run_checks(compute_map(store), store, baseline=baseline)
    finally:
        store.dispose()
    rows = {r["group"]: r for r in report.check("disproportionality_ethnicity").table}
    assert {g: rows[g]["cohort_n"] for g in rows} == {
        "Caribbean": 12,
        "East Africa": 6,
        "United Kingdom": 24,
        "West Africa": 12,
    }
    assert rows["West Africa"]["baseline_share"] == pytest.approx(0.07)
    assert sum(r["cohort_n"] for r in rows.values()) == 54
    # The study holds peer ties only, no incidents or places: peer ties alone never put anyone on the map,
    # whatever their strength, so the table compares an empty included set against the cohort.
    assert all(rows[g]["included_n"] == 0 for g in rows)
