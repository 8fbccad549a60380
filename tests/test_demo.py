"""The demo borough: deterministic, realistic in size, every planted hard case present and consistent."""

from __future__ import annotations

import hashlib
import sys
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from peermap.engine import clock
from peermap.engine.access import Actor
from peermap.engine.audit import verify
from peermap.engine.demo import DemoBorough, build_demo, city_evidence, city_tables, generate
from peermap.engine.demo.notes import FLAGGED_PHRASES
from peermap.engine.grading import parse_grading
from peermap.engine.ingest import import_tables
from peermap.engine.snapshot import ARRAY_DTYPES, EvidenceTable, agreement_covers, load_snapshot
from peermap.engine.store import Store
from peermap.engine.vocab import OBJECT_KIND_OF_RELATION, RELATION_CODE, ObjectKind, Relation

TODAY = date(2026, 11, 28)

COLUMNS = {
    "people": "person_id name date_of_birth sex ethnicity area school review_by agency",
    "locations": "location_id name kind of_concern area latitude longitude",
    "incidents": "incident_id date kind location_id summary",
    "agencies": "agency_id name kind",
    "agreements": "agreement_id agencies purpose lawful_basis valid_from valid_to retention_days dpia_ref "
    "special_category dpo_consulted_on",
    "evidence": "evidence_id subject_id object_id relation polarity agency grading grading_scheme "
    "observed_on recorded_on agreement_id source_ref recorder note supersedes retraction relayed_from "
    "collection_method",
    "strengths": "strength_id person_id kind agency grading grading_scheme recorded_on agreement_id note",
    "concerns": "concern_id person_id kind agency grading grading_scheme recorded_on agreement_id note",
}


@pytest.fixture(scope="module", params=[7, 2024])
def borough(request: pytest.FixtureRequest) -> DemoBorough:
    return generate(seed=request.param, today=TODAY)


@pytest.fixture(scope="module")
def tables(borough: DemoBorough) -> dict[str, list[dict[str, str]]]:
    return borough.tables()


def _by_id(rows: list[dict[str, str]], key: str) -> dict[str, dict[str, str]]:
    return {r[key]: r for r in rows}


def _age(dob: str, on: date) -> int:
    d = date.fromisoformat(dob)
    return on.year - d.year - ((on.month, on.day) < (d.month, d.day))


def _about(tables: dict[str, list[dict[str, str]]], pid: str) -> list[dict[str, str]]:
    return [e for e in tables["evidence"] if pid in (e["subject_id"], e["object_id"])]


# ---------------------------------------------------------------------------------------- determinism


def test_same_seed_gives_identical_borough() -> None:
    a, b = generate(seed=11, today=TODAY), generate(seed=11, today=TODAY)
    assert a.batches == b.batches
    assert a.cases == b.cases
    assert a.groups == b.groups


def test_different_seed_gives_a_different_borough(tables: dict[str, list[dict[str, str]]]) -> None:
    other = generate(seed=8, today=TODAY).tables()
    assert other["evidence"] != tables["evidence"]
    assert [p["name"] for p in other["people"]] != [p["name"] for p in tables["people"]]


def test_today_defaults_to_the_engine_clock() -> None:
    with clock.frozen(datetime(2025, 3, 1, 12, tzinfo=UTC)):
        b = generate(seed=3)
    assert b.today == date(2025, 3, 1)
    assert max(e["recorded_on"] for e in b.tables()["evidence"]) < "2025-03-01"


# ---------------------------------------------------------------------------------------- sizes and shape


@pytest.mark.parametrize("seed", [1, 7, 42])
def test_sizes_are_those_of_a_borough(seed: int) -> None:
    b = generate(seed=seed, today=TODAY)
    t = b.tables()
    primary = [p for p in t["people"] if p["person_id"].startswith("YP-")]
    assert len(primary) == 150
    assert 5 <= len(t["agencies"]) <= 7
    assert 15 <= len(t["locations"]) <= 25
    assert 30 <= len(t["incidents"]) <= 60
    assert 1000 <= len(t["evidence"]) <= 2000
    assert 6 <= len(b.groups) <= 10
    assert all(4 <= len(members) <= 14 for members in b.groups.values())
    assert all(10 <= _age(p["date_of_birth"], TODAY) <= 17 for p in primary)
    assert sum(1 for p in t["locations"] if p["of_concern"] == "true") >= 5
    kinds = {i["kind"] for i in t["incidents"]}
    assert {"peer_on_peer_abuse", "criminal_exploitation", "sexual_exploitation", "going_missing"} <= kinds
    assert {s["kind"] for s in t["strengths"]} >= {"trusted_adult", "sports_club", "engaged_in_education"}
    assert {c["kind"] for c in t["concerns"]} >= {
        "criminal_exploitation",
        "sexual_exploitation",
        "missing_episodes",
    }


def test_tables_have_exactly_the_interchange_columns(tables: dict[str, list[dict[str, str]]]) -> None:
    for name, rows in tables.items():
        want = COLUMNS[name].split()
        assert rows, name
        assert all(list(r) == want for r in rows), name
        assert all(isinstance(v, str) for r in rows for v in r.values()), name


def test_ids_are_unique_and_references_resolve(tables: dict[str, list[dict[str, str]]]) -> None:
    node_ids = [r["person_id"] for r in tables["people"]] + [r["location_id"] for r in tables["locations"]]
    node_ids += [r["incident_id"] for r in tables["incidents"]]
    assert len(node_ids) == len(set(node_ids))
    kind = {r["person_id"]: ObjectKind.PERSON for r in tables["people"]}
    kind |= {r["location_id"]: ObjectKind.LOCATION for r in tables["locations"]}
    kind |= {r["incident_id"]: ObjectKind.INCIDENT for r in tables["incidents"]}
    evidence = _by_id(tables["evidence"], "evidence_id")
    assert len(evidence) == len(tables["evidence"])
    agreements = _by_id(tables["agreements"], "agreement_id")
    agencies = {a["agency_id"] for a in tables["agencies"]}
    for e in tables["evidence"]:
        relation = Relation(e["relation"])
        assert kind[e["subject_id"]] is ObjectKind.PERSON
        assert kind[e["object_id"]] is OBJECT_KIND_OF_RELATION[relation], e
        assert e["subject_id"] != e["object_id"]
        assert e["polarity"] in ("supports", "refutes")
        assert e["agency"] in agencies
        assert e["agency"] in agreements[e["agreement_id"]]["agencies"].split(";")
        parse_grading(e["grading"], e["grading_scheme"])
        assert e["observed_on"] <= e["recorded_on"] < TODAY.isoformat()
        assert e["retraction"] in ("true", "false")
        if e["supersedes"]:
            assert e["supersedes"] in evidence
    for table in ("strengths", "concerns"):
        for r in tables[table]:
            assert kind[r["person_id"]] is ObjectKind.PERSON
            parse_grading(r["grading"], r["grading_scheme"])
            assert r["agency"] in agreements[r["agreement_id"]]["agencies"].split(";")
    locations = {r["location_id"] for r in tables["locations"]}
    assert all(i["location_id"] in locations for i in tables["incidents"])


def test_agencies_keep_their_own_grading_habits(tables: dict[str, list[dict[str, str]]]) -> None:
    schemes: dict[str, set[str]] = {}
    for e in tables["evidence"]:
        schemes.setdefault(e["agency"], set()).add(e["grading_scheme"])
    kinds = {a["agency_id"]: a["kind"] for a in tables["agencies"]}
    for agency, used in schemes.items():
        if kinds[agency] == "police":
            assert used <= {"admiralty", "5x5x5", "3x5x2"}
        else:
            assert used == {"record"}
    assert {"admiralty", "5x5x5", "3x5x2", "record"} == set().union(*schemes.values())
    record_types = {e["grading"] for e in tables["evidence"] if e["grading_scheme"] == "record"}
    assert record_types == {"first_hand", "disclosure", "second_hand", "anonymous"}


def test_evidence_spans_eighteen_months(tables: dict[str, list[dict[str, str]]]) -> None:
    recorded = sorted(e["recorded_on"] for e in tables["evidence"])
    first, last = date.fromisoformat(recorded[0]), date.fromisoformat(recorded[-1])
    assert (TODAY - first).days > 500
    assert (TODAY - last).days < 15


def test_batches_are_monthly_and_self_contained(borough: DemoBorough) -> None:
    assert 17 <= len(borough.batches) <= 19
    times = [at for at, _ in borough.batches]
    assert times == sorted(times)
    assert times[-1].date() <= TODAY
    defined: set[str] = set()
    for at, tables in borough.batches:
        for key, table in (
            ("person_id", "people"),
            ("location_id", "locations"),
            ("incident_id", "incidents"),
            ("agreement_id", "agreements"),
            ("agency_id", "agencies"),
        ):
            defined |= {r[key] for r in tables.get(table, [])}
        for e in tables.get("evidence", []):
            assert date.fromisoformat(e["recorded_on"]) < at.date()
            assert {e["subject_id"], e["object_id"], e["agreement_id"], e["agency"]} <= defined
        for r in tables.get("strengths", []) + tables.get("concerns", []):
            assert {r["person_id"], r["agreement_id"]} <= defined
        for i in tables.get("incidents", []):
            assert date.fromisoformat(i["date"]) < at.date()


def test_agreements_have_lawful_basis_and_the_planted_gaps(tables: dict[str, list[dict[str, str]]]) -> None:
    agreements = tables["agreements"]
    assert all("UK GDPR Art 6(1)(e)" in a["lawful_basis"] and a["purpose"] for a in agreements)
    assert any(a["valid_to"] and a["valid_to"] < TODAY.isoformat() for a in agreements)  # one expired
    assert sum(1 for a in agreements if not a["dpia_ref"]) == 1  # one without a DPIA reference


# ---------------------------------------------------------------------------------------- the hard cases


def test_every_hard_case_is_planted(borough: DemoBorough) -> None:
    for name in (
        "bystander_tip",
        "uninvolved_sibling",
        "harmed",
        "harming",
        "single_source",
        "corroborated",
        "refuted",
        "retracted",
        "corrected",
        "stale",
        "outside_agreement",
        "victim_blaming_notes",
        "same_person_records",
        "similar_different_people",
        "under_13",
        "overdue_review",
    ):
        assert borough.cases[name], name


def test_bystanders_are_named_once_in_an_anonymous_tip(borough: DemoBorough, tables) -> None:
    refs = set()
    for pid in borough.cases["bystander_tip"]:
        items = _about(tables, pid)
        assert len(items) == 1
        (item,) = items
        assert item["grading"] == "anonymous" and item["grading_scheme"] == "record"
        assert item["object_id"] == borough.cases["tip_incident"][0]
        refs.add(item["source_ref"])
    assert len(refs) == 1  # one tip named them all


def test_uninvolved_siblings_have_only_a_sibling_link(borough: DemoBorough, tables) -> None:
    grouped = {pid for members in borough.groups.values() for pid in members}
    for pid, sibling in zip(borough.cases["uninvolved_sibling"], borough.cases["sibling_of_uninvolved"], strict=True):
        items = _about(tables, pid)
        # issue 12 plants one school record of a sibling pair as "association" (sibling_recorded_as_associate)
        planted = pid in borough.cases["sibling_recorded_as_associate"]
        assert items and all(e["relation"] == "sibling" or (planted and e["relation"] == "association") for e in items)
        assert pid not in grouped
        assert sibling in grouped
        assert any(sibling in (e["subject_id"], e["object_id"]) for e in items)


def test_harmed_and_harming_share_an_incident_and_a_group(borough: DemoBorough, tables) -> None:
    (harmed,), (harming,), (incident,) = (
        borough.cases["harmed"],
        borough.cases["harming"],
        borough.cases["harm_incident"],
    )
    inc = _by_id(tables["incidents"], "incident_id")[incident]
    assert inc["kind"] == "peer_on_peer_abuse"
    roles = {(e["subject_id"], e["relation"]) for e in tables["evidence"] if e["object_id"] == incident}
    assert (harmed, "harmed") in roles and (harming, "harming") in roles
    assert (harmed, "harming") not in roles and (harming, "harmed") not in roles
    assert any(harmed in m and harming in m for m in borough.groups.values())
    agencies = {e["agency"] for e in tables["evidence"] if e["object_id"] == incident and e["subject_id"] == harmed}
    assert len(agencies) >= 2


def test_corroborated_and_single_source_links(borough: DemoBorough, tables) -> None:
    for link in borough.cases["corroborated_links"]:
        subject, obj, relation = link.split("|")
        items = [
            e
            for e in tables["evidence"]
            if (e["subject_id"], e["object_id"], e["relation"]) == (subject, obj, relation)
        ]
        assert len({e["agency"] for e in items}) >= 3
    for pid in borough.cases["single_source"]:
        items = _about(tables, pid)
        assert len(items) >= 2
        assert len({e["agency"] for e in items}) == 1 and len({e["source_ref"] for e in items}) == 1
        obj = items[0]["object_id"]
        assert _by_id(tables["locations"], "location_id")[obj]["of_concern"] == "true"


def test_refuted_claims_answer_an_earlier_claim(borough: DemoBorough, tables) -> None:
    evidence = _by_id(tables["evidence"], "evidence_id")
    for eid in borough.cases["refuted"]:
        r = evidence[eid]
        assert r["polarity"] == "refutes" and not r["supersedes"]
        earlier = [
            e
            for e in tables["evidence"]
            if e["polarity"] == "supports"
            and (e["subject_id"], e["object_id"], e["relation"]) == (r["subject_id"], r["object_id"], r["relation"])
            and e["recorded_on"] <= r["recorded_on"]
        ]
        assert earlier
    assert {e["polarity"] for e in tables["evidence"]} == {"supports", "refutes"}
    assert sum(e["polarity"] == "refutes" for e in tables["evidence"]) == len(borough.cases["refuted"])


def test_retractions_and_corrections_name_the_row_they_withdraw(borough: DemoBorough, tables) -> None:
    evidence = _by_id(tables["evidence"], "evidence_id")
    rows = {e["supersedes"]: e for e in tables["evidence"] if e["supersedes"]}
    same = ("subject_id", "object_id", "relation", "agency", "agreement_id")
    for eid in borough.cases["retracted"] + borough.cases["corrected"]:
        row, orig = rows[eid], evidence[eid]
        assert all(row[k] == orig[k] for k in same)
        assert row["recorded_on"] > orig["recorded_on"]
        assert row["retraction"] == ("true" if eid in borough.cases["retracted"] else "false")
    assert sorted(r["evidence_id"] for r in rows.values()) == borough.cases["withdrawal_rows"]


def test_stale_young_people_have_only_old_evidence(borough: DemoBorough, tables) -> None:
    cutoff = (TODAY - timedelta(days=365)).isoformat()
    for pid in borough.cases["stale"]:
        items = _about(tables, pid)
        assert items and all(e["recorded_on"] < cutoff for e in items)
    ids = {e["evidence_id"] for pid in borough.cases["stale"] for e in _about(tables, pid)}
    assert ids == set(borough.cases["stale_evidence"])


def test_outside_agreement_items_are_exactly_those_no_agreement_covers(borough: DemoBorough, tables) -> None:
    from peermap.engine.models import SharingAgreement

    agreements = {
        a["agreement_id"]: SharingAgreement(
            agreement_id=a["agreement_id"],
            agencies=a["agencies"],
            purpose=a["purpose"],
            lawful_basis=a["lawful_basis"],
            valid_from=date.fromisoformat(a["valid_from"]),
            valid_to=date.fromisoformat(a["valid_to"]) if a["valid_to"] else None,
        )
        for a in tables["agreements"]
    }
    outside = {
        e["evidence_id"]
        for e in tables["evidence"]
        if not agreement_covers(agreements[e["agreement_id"]], e["agency"], date.fromisoformat(e["recorded_on"]))
    }
    assert outside == set(borough.cases["outside_agreement"])
    for table in ("strengths", "concerns"):
        for r in tables[table]:
            assert agreement_covers(agreements[r["agreement_id"]], r["agency"], date.fromisoformat(r["recorded_on"]))


def test_victim_blaming_language_is_planted_and_nowhere_else(borough: DemoBorough, tables) -> None:
    planted = set(borough.cases["victim_blaming_notes"]) | set(borough.cases["victim_blaming_concerns"])

    def flagged(text: str) -> bool:
        return any(p in text.lower() for p in FLAGGED_PHRASES)

    for table, key in (("evidence", "evidence_id"), ("concerns", "concern_id"), ("strengths", "strength_id")):
        for r in tables[table]:
            assert flagged(r["note"]) == (r[key] in planted), r


def test_victim_blaming_notes_are_what_the_language_guide_flags(borough: DemoBorough, tables) -> None:
    labelling = pytest.importorskip("peermap.engine.labelling")
    guide = labelling.load_language_guide()
    hits = {e["evidence_id"] for e in tables["evidence"] if guide.find(e["note"], 15)}
    assert hits == set(borough.cases["victim_blaming_notes"])
    concerns = _by_id(tables["concerns"], "concern_id")
    people = _by_id(tables["people"], "person_id")
    for cid in borough.cases["under_13_sexually_active"]:
        note = concerns[cid]["note"]
        age = _age(people[concerns[cid]["person_id"]]["date_of_birth"], TODAY)
        assert age < 13
        # "sexually active" is flagged for any child (issue 12 item 9), and under 13 it is rape in law
        assert guide.find(note, age) and guide.find(note, 15)


def test_identity_duplicates_are_one_child_keyed_differently(borough: DemoBorough, tables) -> None:
    people = _by_id(tables["people"], "person_id")
    variants = Counter(v.split(": ")[1] for v in borough.cases["same_person_variants"])
    assert {"nickname", "transposed_dob", "surname_typo", "year_only_dob", "missing_fields"} <= set(variants)
    assert any(
        people[a]["name"].startswith("Jayden ") and people[b]["name"].startswith("Jay ")
        for a, b in borough.cases["same_person_records"]
    )
    for a, b in borough.cases["same_person_records"]:
        pa, pb = people[a], people[b]
        assert pa["agency"] != pb["agency"]
        assert b.startswith(pb["agency"] + "-")
        assert pa["sex"] == pb["sex"]
        if pb["date_of_birth"]:
            assert pb["date_of_birth"][:4] == pa["date_of_birth"][:4]
        assert (
            (pa["name"], pa["date_of_birth"], pa["area"]) != (pb["name"], pb["date_of_birth"], pb["area"])
            or not pb["school"]
            or not pb["ethnicity"]
        )
        assert _about(tables, b), f"{b} carries none of the child's evidence"


def test_similar_but_different_children(borough: DemoBorough, tables) -> None:
    people = _by_id(tables["people"], "person_id")
    duplicates = {tuple(p) for p in borough.cases["same_person_records"]}
    twins = 0
    for a, b in borough.cases["similar_different_people"]:
        pa, pb = people[a], people[b]
        assert a != b and (a, b) not in duplicates
        assert pa["name"].split()[-1] == pb["name"].split()[-1]
        assert pa["name"] != pb["name"]
        assert pa["area"] == pb["area"]
        twins += pa["date_of_birth"] == pb["date_of_birth"]
    assert twins >= 1
    names = [p["name"] for p in tables["people"] if p["person_id"].startswith("YP-")]
    assert len(names) == len(set(names))


def test_under_13s_and_overdue_reviews(borough: DemoBorough, tables) -> None:
    people = _by_id(tables["people"], "person_id")
    grouped = {pid for members in borough.groups.values() for pid in members}
    assert all(_age(people[p]["date_of_birth"], TODAY) < 13 for p in borough.cases["under_13"])
    assert set(borough.cases["under_13"]) & grouped
    assert all(people[p]["review_by"] < TODAY.isoformat() for p in borough.cases["overdue_review"])
    assert len(set(borough.cases["overdue_review"]) & grouped) >= 3


def test_scales_to_a_larger_partnership() -> None:
    started = time.perf_counter()
    b = generate(seed=5, people=1000, today=TODAY)
    assert time.perf_counter() - started < 30
    t = b.tables()
    assert sum(p["person_id"].startswith("YP-") for p in t["people"]) == 1000
    assert 6000 <= len(t["evidence"]) <= 14000
    ids = [r["evidence_id"] for r in t["evidence"]]
    assert len(ids) == len(set(ids)) and ids == sorted(ids)
    assert len(b.cases["bystander_tip"]) >= 3 and b.cases["harmed"]


# ---------------------------------------------------------------------------------------- the city


def _check_table(table: EvidenceTable, n_people: int, n_nodes: int) -> None:
    n = len(table)
    for name, dtype in ARRAY_DTYPES.items():
        arr = getattr(table, name)
        assert arr.shape == (n,), name
        assert arr.dtype == np.dtype(dtype), name  # type: ignore[call-overload]
    assert table.subject.min() >= 0 and table.subject.max() < n_people
    assert table.object.min() >= 0 and table.object.max() < n_nodes
    person_obj = table.object < n_people
    assert np.all(table.subject[person_obj] < table.object[person_obj])
    assert table.agencies == sorted(table.agencies)
    assert table.agency.max() < len(table.agencies)
    assert table.source_ref.max() < len(table.source_refs) and table.source_ref.min() >= -1


def test_city_evidence_matches_the_evidence_table_contract() -> None:
    table, nodes = city_evidence(people=3000, seed=7, today=TODAY)
    assert nodes.n_people == 3000
    _check_table(table, nodes.n_people, len(nodes.ids))
    assert 8 <= len(table) / 3000 <= 12
    kinds = nodes.kinds[table.object]
    for relation, kind in OBJECT_KIND_OF_RELATION.items():
        rows = table.relation == RELATION_CODE[relation]
        assert rows.any(), relation
        assert np.all(kinds[rows] == {"person": 0, "location": 1, "incident": 2}[kind.value]), relation
    assert 0 < (~table.agreement_ok).sum() < len(table) * 0.05
    assert 0 < table.withdrawn.sum() < len(table) * 0.02
    assert 0 < table.refutes.sum() < len(table) * 0.1
    assert len(set(table.scheme.tolist())) == 4
    again, _ = city_evidence(people=3000, seed=7, today=TODAY)
    assert all(np.array_equal(getattr(table, k), getattr(again, k)) for k in ARRAY_DTYPES)


@pytest.mark.slow
def test_city_evidence_for_100k_people_is_fast() -> None:
    started = time.perf_counter()
    table, _ = city_evidence(people=100_000, seed=7, today=TODAY)
    elapsed = time.perf_counter() - started
    assert 900_000 <= len(table) <= 1_100_000
    assert elapsed < 20, f"city_evidence(100000) took {elapsed:.1f}s"


@pytest.mark.slow
def test_city_tables_import_to_the_same_evidence_table(store: Store, practitioner: Actor) -> None:
    today = clock.today()
    table, nodes = city_evidence(people=400, seed=3, today=today)
    tables = city_tables(400, seed=3, today=today)
    import_tables(store, tables, practitioner, source="city", quarantine_outside_agreement=True)
    snap = load_snapshot(store, today)
    assert snap.nodes.ids == nodes.ids
    for name in ARRAY_DTYPES:
        assert np.array_equal(getattr(snap.evidence, name), getattr(table, name)), name
    assert snap.evidence.agencies == table.agencies


# ---------------------------------------------------------------------------------------- into the store


@pytest.mark.slow
def test_build_demo_imports_every_month(any_store: Store, practitioner: Actor) -> None:
    store = any_store
    seen: list[tuple[int, int, str]] = []
    with clock.frozen(datetime(2026, 6, 15, 14, tzinfo=UTC)):
        b = build_demo(store, practitioner, seed=7, progress=lambda d, t, s: seen.append((d, t, s)))
        snap = load_snapshot(store)
    t = b.tables()
    assert store.get_meta("demo") == "7"
    assert seen and seen[-1][0] == seen[-1][1]
    claims = [e for e in t["evidence"] if e["retraction"] == "false"]
    assert len(snap.people) == len(t["people"])
    assert len(snap.locations) == len(t["locations"])
    assert len(snap.incidents) == len(t["incidents"])
    assert len(snap.evidence) == len(claims)
    assert len(snap.strengths) == len(t["strengths"]) and len(snap.concerns) == len(t["concerns"])
    assert int((~snap.evidence.agreement_ok).sum()) == len(b.cases["outside_agreement"])
    assert int(snap.evidence.withdrawn.sum()) == len(b.cases["retracted"]) + len(b.cases["corrected"])
    assert verify(store).ok


@pytest.mark.slow
def test_build_demo_replays_as_at_a_past_month(store: Store, practitioner: Actor) -> None:
    with clock.frozen(datetime(2026, 6, 15, 14, tzinfo=UTC)):
        b = build_demo(store, practitioner, seed=7)
    k = 6
    as_at = b.batches[k][0].date() - timedelta(days=1)  # batch k is imported the next day
    snap = load_snapshot(store, as_at)
    known = [e for _, tables in b.batches[:k] for e in tables.get("evidence", []) if e["retraction"] == "false"]
    assert len(snap.evidence) == len(known)
    assert set(snap.evidence.evidence_id.tolist()) == {e["evidence_id"] for e in known}


# ---------------------------------------------------------------------------------------- the command


def _cli(args: list[str]):
    from peermap.cli import app

    return CliRunner().invoke(app, args)


@pytest.mark.slow
def test_demo_command_builds_and_refuses_to_overwrite(tmp_path: Path) -> None:
    db = str(tmp_path / "demo.db")
    first = _cli(["--db", db, "demo", "--no-tui", "--seed", "4"])
    assert first.exit_code == 0, first.output
    assert "demo borough" in first.output and "fictional" in first.output
    again = _cli(["--db", db, "demo", "--no-tui"])
    assert again.exit_code == 2
    assert "--force" in again.output
    forced = _cli(["--db", db, "demo", "--no-tui", "--force", "--seed", "5"])
    assert forced.exit_code == 0, forced.output
    store = Store.open(db)
    try:
        assert store.get_meta("demo") == "5"
        assert len(load_snapshot(store).people) == 160
    finally:
        store.dispose()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _user_database(path: Path, practitioner: Actor) -> Path:
    store = Store.open(str(path))
    import_tables(
        store,
        {"agencies": [{"agency_id": "X", "name": "Real agency", "kind": "police"}]},
        practitioner,
        source="real.csv",
    )
    store.dispose()
    return path


@pytest.mark.parametrize("force", [False, True])
def test_demo_command_never_touches_a_database_with_other_data(
    tmp_path: Path, practitioner: Actor, force: bool
) -> None:
    db = _user_database(tmp_path / "real.db", practitioner)
    before = _sha(db)
    refused = _cli(["--db", str(db), "demo", "--no-tui", *(["--force"] if force else [])])
    assert refused.exit_code == 2
    assert "holds imports from real.csv" in refused.output and "even with --force" in refused.output
    assert _sha(db) == before


@pytest.mark.slow
def test_demo_force_refuses_a_demo_database_someone_imported_into(tmp_path: Path, practitioner: Actor) -> None:
    db = tmp_path / "demo.db"
    assert _cli(["--db", str(db), "demo", "--no-tui", "--seed", "4"]).exit_code == 0
    store = Store.open(str(db))
    import_tables(
        store,
        {"agencies": [{"agency_id": "X", "name": "Real agency", "kind": "police"}]},
        practitioner,
        source="our-agency.xlsx",
    )
    store.dispose()
    before = _sha(db)
    refused = _cli(["--db", str(db), "demo", "--no-tui", "--force"])
    assert refused.exit_code == 2 and "our-agency.xlsx" in refused.output
    assert _sha(db) == before


def test_demo_force_refuses_a_file_that_is_not_peermap(tmp_path: Path) -> None:
    import sqlite3

    db = tmp_path / "other.db"
    with sqlite3.connect(db) as con:
        con.execute("create table invoices (id integer, amount real)")
        con.execute("insert into invoices values (1, 9.5)")
    db.chmod(0o600)  # private, as peermap requires of any SQLite file it opens: the refusal is for what it holds
    before = _sha(db)
    refused = _cli(["--db", str(db), "demo", "--no-tui", "--force"])
    assert refused.exit_code == 2 and "not a peermap database" in refused.output
    assert _sha(db) == before


@pytest.mark.slow
def test_demo_builds_into_its_own_file_next_to_a_user_database(
    tmp_path: Path, practitioner: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PEERMAP_DB", raising=False)
    user = _user_database(tmp_path / "peermap.db", practitioner)
    before = _sha(user)
    built = _cli(["demo", "--no-tui", "--seed", "4"])
    assert built.exit_code == 0, built.output
    assert "demo.db" in built.output
    assert _sha(user) == before
    rebuilt = _cli(["demo", "--no-tui", "--force", "--seed", "4"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert _sha(user) == before


@pytest.mark.slow
def test_demo_command_without_the_terminal_ui(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "peermap.tui.app", None)  # makes `from peermap.tui.app import run_app` fail
    result = _cli(["--db", str(tmp_path / "d.db"), "demo"])
    assert result.exit_code == 0, result.output
    assert "The terminal UI is not available yet" in result.output


@pytest.mark.parametrize("people", [60, 61, 75, 98, 101, 126])
def test_small_boroughs_plant_every_case(people: int) -> None:
    """Sizes where the estate group had too few free members for the exploited-child case (it crashed)."""
    b = generate(seed=7, people=people, today=date(2026, 11, 28))
    assert len(b.tables()["people"]) >= people
