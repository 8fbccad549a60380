"""Every report on the demo borough: all formats render, planted cases are found, no left-out name leaks."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from sqlmodel import select

from peermap import reports
from peermap.engine.access import Actor, Role
from peermap.engine.demo import DemoBorough, build_demo
from peermap.engine.labelling import run_checks
from peermap.engine.map_model import MapResult
from peermap.engine.mapping import compute_map
from peermap.engine.models import YoungPerson
from peermap.engine.store import Store

ROOT = Path(__file__).resolve().parents[1]
AUDITOR = Actor("dee.auditor", Role.AUDITOR)
PRACTITIONER = Actor("pat.practitioner", Role.PRACTITIONER)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, DemoBorough, MapResult]]:
    store = Store.open(f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}")
    borough = build_demo(store, AUDITOR)
    yield store, borough, compute_map(store)
    store.dispose()


@pytest.fixture(scope="module")
def rendered(
    demo: tuple[Store, DemoBorough, MapResult], tmp_path_factory: pytest.TempPathFactory
) -> dict[tuple[str, str, str], str]:
    """Every report in every format, for a practitioner and for the auditor."""
    store, borough, result = demo
    out_dir = tmp_path_factory.mktemp("reports")
    subject = _shown(result, borough.cases["harmed"])[0]
    texts = {}
    for actor in (PRACTITIONER, AUDITOR):
        for kind in reports.KINDS:
            if kind == "subject" and actor is PRACTITIONER:
                continue
            for fmt in reports.FORMATS:
                path = out_dir / f"{actor.role.value}-{kind}.{fmt}"
                reports.produce(store, actor, kind, fmt, out=path, recipient="demo DPO", person=subject, result=result)
                texts[(actor.role.value, kind, fmt)] = path.read_text(encoding="utf-8")
    return texts


def _shown(result: MapResult, ids: list[str]) -> list[str]:
    shown = {s.person_id for s in result.shown_people()}
    return [result.snapshot.canonical.get(i, i) for i in ids if result.snapshot.canonical.get(i, i) in shown]


def _left_out_names(store: Store, result: MapResult) -> set[str]:
    """Names of every record of a left-out young person (less names a shown young person also has)."""
    with store.read() as s:
        records = list(s.exec(select(YoungPerson)))
    shown = {s.person_id for s in result.shown_people()}
    hidden = {r.name for r in records if result.snapshot.canonical.get(r.person_id, r.person_id) not in shown}
    return hidden - {r.name for r in records if result.snapshot.canonical.get(r.person_id, r.person_id) in shown}


@pytest.mark.slow
def test_all_four_reports_render_in_all_three_formats(rendered: dict[tuple[str, str, str], str]) -> None:
    for (role, kind, fmt), text in rendered.items():
        assert len(text) > 500, (role, kind, fmt)
        if fmt == "json":
            schema = json.loads((ROOT / "docs" / "schema" / f"report-{kind}.schema.json").read_text())
            jsonschema.Draft202012Validator(schema).validate(json.loads(text))
    assert len(rendered) == 2 * 3 * 4 - 3


def test_no_left_out_name_appears_in_any_report(
    demo: tuple[Store, DemoBorough, MapResult], rendered: dict[tuple[str, str, str], str]
) -> None:
    store, _, result = demo
    names = _left_out_names(store, result)
    assert len(names) > 20
    for key, text in rendered.items():
        lowered = text.lower()
        leaked = sorted(n for n in names if n.lower() in lowered)
        assert not leaked, (key, leaked[:5])


def test_left_out_ids_only_for_the_auditor(
    demo: tuple[Store, DemoBorough, MapResult], rendered: dict[tuple[str, str, str], str]
) -> None:
    _, _, result = demo
    left_out = result.left_out_ids
    practitioner_audit = json.loads(rendered[("practitioner", "audit", "json")])
    auditor_audit = json.loads(rendered[("auditor", "audit", "json")])
    assert practitioner_audit["left_out"]["ids"] is None
    assert auditor_audit["left_out"]["ids"] == left_out
    assert practitioner_audit["left_out"]["count"] == len(left_out)
    for (role, _kind, _fmt), text in rendered.items():
        if role == "practitioner":
            assert not any(f'"{i}"' in text or f">{i}<" in text for i in left_out)


def test_labelling_report_finds_the_planted_hard_cases(demo: tuple[Store, DemoBorough, MapResult]) -> None:
    store, borough, result = demo
    report = run_checks(result, store)
    cases = borough.cases
    assert set(_shown(result, cases["single_source"])) <= set(report.check("single_source").affected)
    assert set(_shown(result, cases["stale"])) <= set(report.check("stale_evidence").affected)
    assert report.check("association_only").affected
    assert set(_shown(result, cases["under_13"])) <= set(report.check("under_13").affected)
    assert set(_shown(result, cases["overdue_review"])) <= set(report.check("review_overdue").affected)
    assert set(_shown(result, cases["harmed"])) <= set(report.check("harmed_shown_as_concern").affected)
    language = report.check("victim_blaming_language")
    found = {f.refs[0] for f in language.findings}
    planted = set(cases["victim_blaming_notes"]) | set(cases["victim_blaming_concerns"])
    shown_planted = {x for x in planted if x in found}
    assert shown_planted and language.flagged
    assert all(f.suggestion for f in language.findings)
    eth = report.check("disproportionality_ethnicity")
    assert eth.table and sum(r["cohort_n"] for r in eth.table) == len(result.snapshot.people)


def test_subject_access_report_shows_disclosures(
    demo: tuple[Store, DemoBorough, MapResult], rendered: dict[tuple[str, str, str], str]
) -> None:
    data: dict[str, Any] = json.loads(rendered[("auditor", "subject", "json")])
    assert data["evidence"] and data["sources"] and data["records"]
    assert any(d["action"] == "report" for d in data["disclosures"])  # the earlier reports that named them
