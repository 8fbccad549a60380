"""Importing the interchange format: CSV folder, JSON, XLSX, idempotence, conflicts, quarantine, order."""

from __future__ import annotations

import csv
import hashlib
import json
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlmodel import select

from peermap.engine import audit, clock
from peermap.engine.access import Actor
from peermap.engine.errors import ImportRejected
from peermap.engine.ingest import TABLES, import_path, import_tables, json_schema, summary
from peermap.engine.models import (
    Agency,
    Concern,
    Evidence,
    ImportBatch,
    Incident,
    Location,
    SharingAgreement,
    Strength,
    YoungPerson,
)
from peermap.engine.snapshot import load_snapshot
from peermap.engine.store import Store

GOOD = Path(__file__).parent / "data" / "good"
MODELS = (Agency, SharingAgreement, YoungPerson, Location, Incident, Evidence, Strength, Concern)
EXPECTED_COUNTS = {
    "agencies": 5,
    "agreements": 2,
    "people": 6,
    "locations": 3,
    "incidents": 2,
    "evidence": 14,
    "strengths": 2,
    "concerns": 2,
}


def good_tables() -> dict[str, list[dict[str, Any]]]:
    """The good folder as dicts of text (blank cells left out, as a JSON export would)."""
    out = {}
    for f in sorted(GOOD.glob("*.csv")):
        with f.open(encoding="utf-8", newline="") as fh:
            out[f.stem] = [{k: v for k, v in row.items() if v != ""} for row in csv.DictReader(fh)]
    return out


def dump(store: Store) -> dict[str, list[dict[str, Any]]]:
    """Every data row, sorted by primary key (everything the import stored)."""
    out = {}
    with store.read() as s:
        for model in MODELS:
            rows = [r.model_dump() for r in s.exec(select(model))]
            out[model.__name__] = sorted(rows, key=lambda r: json.dumps(r, sort_keys=True, default=str))
    return out


@pytest.mark.slow
def test_good_folder_imports_everything(any_store: Store, practitioner: Actor) -> None:
    seen: list[tuple[int, int, str]] = []
    report = import_path(any_store, GOOD, practitioner, progress=lambda d, t, s: seen.append((d, t, s)))
    assert not report.unchanged and report.import_id is not None
    assert report.counts == EXPECTED_COUNTS
    assert len(report.digest) == 64 and report.warnings == []
    assert {s for _, _, s in seen} >= {"validate", "write"} and seen[-1][0] == seen[-1][1]
    with any_store.read() as s:
        p2 = s.get(YoungPerson, "P002")
        p1 = s.get(YoungPerson, "P001")
        assert p2 is not None and p2.name == "O'Neill, Kai" and p2.date_of_birth is None and p2.birth_year == 2008
        assert p1 is not None and p1.date_of_birth == date(2009, 3, 14) and p1.birth_year == 2009
        loc = s.get(Location, "L01")
        assert loc is not None and loc.of_concern is True and loc.latitude == pytest.approx(51.5074)
        e3 = s.get(Evidence, "E003")
        assert e3 is not None and e3.recorded_on == e3.observed_on and e3.polarity == "supports"
        assert e3.object_kind == "location" and e3.grading_scheme == "record"
        e12 = s.get(Evidence, "E012")
        assert e12 is not None and e12.retraction and e12.supersedes == "E011"
        cgl = s.get(Agency, "cgl")
        assert cgl is not None and cgl.kind == "unknown" and cgl.name == "cgl"
        batch = s.get(ImportBatch, report.import_id)
        assert batch is not None and batch.role == "practitioner" and batch.digest == report.digest
        assert json.loads(batch.counts) == EXPECTED_COUNTS
        assert all(r.import_id == report.import_id for r in s.exec(select(Evidence)))
    events = audit.events(any_store, Actor("a", audit.Role.AUDITOR), action="import")
    assert len(events) == 1 and json.loads(events[0].payload)["import_id"] == report.import_id
    assert audit.verify(any_store).ok
    info = summary(any_store)
    assert info["tables"] == EXPECTED_COUNTS
    assert {a["agency_id"]: a["kind"] for a in info["agencies"]}["pol"] == "police"
    assert info["evidence_dates"] == {
        "observed_from": "2024-01-15",
        "observed_to": "2024-07-10",
        "recorded_from": "2024-01-15",
        "recorded_to": "2024-07-11",
    }
    assert [b["import_id"] for b in info["imports"]] == [report.import_id]


def test_snapshot_reads_the_import(store: Store, practitioner: Actor) -> None:
    with clock.frozen(datetime(2024, 8, 1, 12, tzinfo=UTC)):
        import_path(store, GOOD, practitioner)
    snap = load_snapshot(store, date(2024, 8, 1))
    assert len(snap.people) == 6
    assert snap.withdrawn_by == {"E009": "E010", "E011": "E012"}
    assert len(snap.evidence) == 13  # 14 rows, one of them a retraction


def test_json_and_xlsx_store_the_same_as_csv(tmp_path: Path, practitioner: Actor) -> None:
    tables = good_tables()
    # JSON as the published schema types it (booleans, numbers), which must validate against the schema
    typed = {
        name: [TABLES[name].model.model_validate(r).model_dump(mode="json", exclude_none=True) for r in rows]
        for name, rows in tables.items()
    }
    jsonschema.validate(typed, json_schema())
    as_json = tmp_path / "good.json"
    as_json.write_text(json.dumps(typed), encoding="utf-8")
    book = Workbook()
    book.remove(book.active)
    for name in tables:
        sheet = book.create_sheet(name)
        with (GOOD / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
            for i, values in enumerate(csv.reader(fh)):
                # numbers and dates as spreadsheet cells, as an agency's workbook would hold them
                sheet.append([_cell(v) if i else v for v in values])
    as_xlsx = tmp_path / "good.xlsx"
    book.save(as_xlsx)
    dumps = []
    for source in (GOOD, as_json, as_xlsx):
        store = Store.open(f"sqlite:///{tmp_path / (source.name + '.db')}")
        report = import_path(store, source, practitioner)
        assert report.counts == EXPECTED_COUNTS
        dumps.append(dump(store))
        store.dispose()
    assert dumps[0] == dumps[1] == dumps[2]


def _cell(text: str) -> Any:
    if text == "":
        return None
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        return datetime.fromisoformat(text)
    try:
        return float(text) if "." in text else text
    except ValueError:
        return text


@pytest.mark.slow
def test_same_content_twice_changes_nothing_but_is_audited(
    any_store: Store, practitioner: Actor, auditor: Actor
) -> None:
    first = import_path(any_store, GOOD, practitioner)
    before = dump(any_store)
    again = import_tables(any_store, good_tables(), practitioner, source="again as dicts")
    assert again.unchanged and again.import_id is None and again.counts == {}
    assert again.digest == first.digest
    assert again.already_present == EXPECTED_COUNTS | {"agencies": 4}  # cgl was created, not listed
    assert dump(any_store) == before
    with any_store.read() as s:
        assert len(list(s.exec(select(ImportBatch)))) == 1
    events = audit.events(any_store, auditor, action="import")
    assert [json.loads(e.payload)["unchanged"] for e in events] == [False, True]


@pytest.mark.slow
def test_partly_new_import_writes_only_the_new_rows(any_store: Store, practitioner: Actor) -> None:
    import_path(any_store, GOOD, practitioner)
    tables = good_tables()
    tables["people"].append({"person_id": "P007", "name": "New Person", "date_of_birth": "2010"})
    report = import_tables(any_store, {"people": tables["people"]}, practitioner, source="more people")
    assert report.counts == {"people": 1} and report.already_present == {"people": 6}


def test_same_id_with_different_content_is_a_conflict(any_store: Store, practitioner: Actor) -> None:
    import_path(any_store, GOOD, practitioner)
    tables = {"people": [{"person_id": "P001", "name": "Jay Smith", "date_of_birth": "2009-03-15"}]}
    with pytest.raises(ImportRejected) as info:
        import_tables(any_store, tables, practitioner, source="changed")
    [problem] = info.value.problems
    assert (problem.file, problem.row, problem.field) == ("changed#people", 0, "date_of_birth")
    assert "P001" in problem.reason and "already imported" in problem.reason


@pytest.mark.slow
def test_evidence_may_refer_to_earlier_imports(any_store: Store, practitioner: Actor) -> None:
    import_path(any_store, GOOD, practitioner)
    later = {
        "evidence": [
            {
                "evidence_id": "E200",
                "subject_id": "P003",
                "object_id": "I02",
                "relation": "witness",
                "agency": "sch",
                "grading": "first_hand",
                "grading_scheme": "record",
                "observed_on": "2024-07-10",
                "agreement_id": "ISA-1",
                "supersedes": None,
            },
            {
                "evidence_id": "E201",
                "subject_id": "P002",
                "object_id": "P001",
                "relation": "association",
                "polarity": "refutes",
                "agency": "pol",
                "grading": "B2",
                "observed_on": "2024-08-01",
                "agreement_id": "ISA-1",
                "supersedes": "E001",
            },
        ]
    }
    report = import_tables(any_store, later, practitioner, source="later")
    assert report.counts == {"evidence": 2}


def test_quarantine_accepts_evidence_outside_agreement_with_a_warning(store: Store, practitioner: Actor) -> None:
    import_path(store, GOOD, practitioner)
    row = {
        "evidence_id": "E300",
        "subject_id": "P001",
        "object_id": "P006",
        "relation": "association",
        "agency": "yw",
        "grading": "C3",
        "observed_on": "2025-02-01",
        "agreement_id": "ISA-2",
    }
    with pytest.raises(ImportRejected, match="not in force"):
        import_tables(store, {"evidence": [row]}, practitioner, source="late")
    report = import_tables(store, {"evidence": [row]}, practitioner, source="late", quarantine_outside_agreement=True)
    assert report.counts == {"evidence": 1}
    [warning] = report.warnings
    assert warning.row == 0 and warning.field == "agreement_id" and "quarantine" in warning.reason
    snap = load_snapshot(store, clock.today())
    i = list(snap.evidence.evidence_id).index("E300")
    assert not snap.evidence.agreement_ok[i]


def test_problems_are_capped_and_counted(store: Store, practitioner: Actor) -> None:
    rows = [{"person_id": f"P{i}", "name": "", "date_of_birth": "soon"} for i in range(150)]
    with pytest.raises(ImportRejected) as info:
        import_tables(store, {"people": rows}, practitioner, source="many")
    assert len(info.value.problems) == 200 and info.value.truncated == 100
    assert "and 100 more problems" in str(info.value)


def test_imported_at_sets_the_batch_time_and_the_future_limit(store: Store, practitioner: Actor) -> None:
    at = datetime(2024, 4, 30, 9, 0, tzinfo=UTC)
    tables = good_tables()
    with pytest.raises(ImportRejected, match="in the future"):
        import_tables(store, tables, practitioner, source="too early", imported_at=at)
    report = import_tables(store, tables, practitioner, source="demo", imported_at=datetime(2024, 8, 1))
    assert report.imported_at == datetime(2024, 8, 1, tzinfo=UTC)
    with store.read() as s:
        batch = s.get(ImportBatch, report.import_id)
        assert batch is not None and batch.imported_at.replace(tzinfo=UTC) == datetime(2024, 8, 1, tzinfo=UTC)


def test_rejected_import_of_a_large_file_changes_nothing(tmp_path: Path, practitioner: Actor) -> None:
    db = tmp_path / "peermap.db"
    store = Store.open(f"sqlite:///{db}")
    import_path(store, GOOD, practitioner)
    folder = tmp_path / "big"
    folder.mkdir()
    with (folder / "evidence.csv").open("w", encoding="utf-8") as fh:
        fh.write("evidence_id,subject_id,object_id,relation,agency,grading,observed_on,agreement_id\n")
        for i in range(5000):
            fh.write(f"X{i},P001,P00{2 + i % 5},association,pol,B2,2024-08-01,ISA-1\n")
        fh.write("X-last,P001,P002,association,pol,B2,2024-08-01,ISA-404\n")
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    with pytest.raises(ImportRejected, match="ISA-404"):
        import_path(store, folder, practitioner)
    store.dispose()
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before


@pytest.mark.slow
@settings(max_examples=15, deadline=None)
@given(st.randoms(use_true_random=False))
def test_row_and_column_order_in_the_files_do_not_change_what_is_stored(rnd: Any) -> None:
    actor = Actor("prop", audit.Role.PRACTITIONER)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "shuffled"
        folder.mkdir()
        for f in GOOD.glob("*.csv"):
            with f.open(encoding="utf-8", newline="") as fh:
                reader = csv.DictReader(fh)
                columns = list(reader.fieldnames or [])
                rows = list(reader)
            rnd.shuffle(rows)
            rnd.shuffle(columns)
            with (folder / f.name).open("w", encoding="utf-8", newline="") as fh:
                writer = csv.DictWriter(fh, fieldnames=columns)
                writer.writeheader()
                writer.writerows(rows)
        results = []
        for i, source in enumerate((GOOD, folder)):
            store = Store.open(f"sqlite:///{tmp}/{i}.db")
            report = import_path(store, source, actor)
            results.append((report.digest, report.counts, dump(store)))
            store.dispose()
    assert results[0] == results[1]


def test_single_csv_file_and_placeholder_agencies(store: Store, practitioner: Actor) -> None:
    report = import_path(store, GOOD / "people.csv", practitioner)
    assert report.counts == {"people": 6, "agencies": 4}
    with store.read() as s:
        pol = s.get(Agency, "pol")
        assert pol is not None and (pol.name, pol.kind) == ("pol", "unknown")
    with pytest.raises(ImportRejected, match="created with kind 'unknown' when import 1 first named it"):
        import_path(store, GOOD / "agencies.csv", practitioner)


@pytest.mark.slow
def test_large_import_is_written_in_bulk_with_progress(tmp_path: Path, store: Store, practitioner: Actor) -> None:
    import_path(store, GOOD, practitioner)
    n = 50_000
    rows = [
        {
            "evidence_id": f"B{i}",
            "subject_id": f"P00{1 + i % 6}",
            "object_id": "L01",
            "relation": "present_at",
            "agency": "yw",
            "grading": "C3",
            "observed_on": "2024-08-01",
            "agreement_id": "ISA-1",
        }
        for i in range(n)
    ]
    seen: list[tuple[int, int, str]] = []
    report = import_tables(
        store,
        {"evidence": rows},
        practitioner,
        source="bulk",
        progress=lambda d, t, s: seen.append((d, t, s)),
    )
    assert report.counts == {"evidence": n}
    writes = [d for d, t, s in seen if s == "write"]
    assert writes == sorted(writes) and writes[-1] == n and 1 < len(writes) < 10
    validates = [d for d, t, s in seen if s == "validate"]
    assert validates[-1] == n and len(validates) > 2
    assert summary(store)["tables"]["evidence"] == 14 + n
