"""Reports: rendering in every format, record text as inert data, the map picture, roles, audit, CLI."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st
from reports_helpers import HOSTILE, MapBuilder, small_map
from typer.testing import CliRunner

from peermap import reports
from peermap.engine import NameMatcher, audit, clock
from peermap.engine.access import Actor, Role
from peermap.engine.errors import NotFound, PermissionDenied
from peermap.engine.map_model import MapResult
from peermap.engine.store import Store
from peermap.reports.render import md_escape, neutralise_formula
from peermap.reports.svg import compute_layout, render_svg

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ROOT / "docs" / "schema"
LEFT_OUT_NAME = "Zed Hidden-Leftout"


def schema(kind: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / f"report-{kind}.schema.json").read_text(encoding="utf-8"))


def validate(kind: str, text: str) -> dict[str, Any]:
    data = json.loads(text)
    jsonschema.Draft202012Validator(schema(kind)).validate(data)
    return data


class _Collect(HTMLParser):
    """Every element and attribute the browser would build: hostile text must never become one."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(attrs)


def _elements(html: str) -> _Collect:
    p = _Collect()
    p.feed(html)
    return p


@pytest.fixture
def hostile_map(store: Store) -> MapResult:
    return small_map(store, hostile=True)


def _produce_all(store: Store, actor: Actor, result: MapResult, tmp_path: Path) -> dict[tuple[str, str], str]:
    out = {}
    for kind in reports.KINDS:
        for fmt in reports.FORMATS:
            rep = reports.produce(
                store,
                actor,
                kind,
                fmt,
                out=tmp_path / f"{kind}.{fmt}",
                recipient="DPO",
                person="P2" if kind == "subject" else None,
                result=result,
            )
            out[(kind, fmt)] = (tmp_path / f"{kind}.{fmt}").read_text(encoding="utf-8")
            assert out[(kind, fmt)] == rep.text
    return out


# ----------------------------------------------------------------------------------------- formats


@pytest.mark.slow
def test_every_report_renders_in_every_format_and_json_matches_its_schema(
    store: Store, auditor: Actor, tmp_path: Path
) -> None:
    result = small_map(store)
    texts = _produce_all(store, auditor, result, tmp_path)
    for (kind, fmt), text in texts.items():
        assert text.strip(), (kind, fmt)
        if fmt == "json":
            data = validate(kind, text)
            stamp = data["stamp"]
            assert stamp["policy_version"] == 1 and stamp["rule_pack_version"] == "test-1"
            assert stamp["as_at"] == "2026-11-01" and stamp["recipient"] == "DPO"
            assert stamp["generated_by"] == {"actor": "dee.auditor", "role": "auditor"}
        if fmt == "html":
            assert text.startswith("<!DOCTYPE html>") and "<style>" in text and "<link" not in text
            assert "@media print" in text and "Inclusion policy" in text and "test-1" in text
            assert ("<svg" in text) == (kind in ("audit", "labelling", "map"))
            assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", text)  # self-contained
        if fmt == "md":
            assert text.startswith("# ") and "Evidence rule pack" in text


def test_audit_report_contents(store: Store, auditor: Actor, practitioner: Actor) -> None:
    result = small_map(store)
    data = reports.build_context("audit", result, store, auditor)
    people = {p["id"]: p for p in data["people"]}
    assert list(people) == ["P1", "P2", "P3"] and people["P3"]["status"] == "greyed"
    link = next(x for x in people["P1"]["links"] if x["relation"] == "harming")
    assert link["confidence"] == 0.82 and link["uncertainty"] == 0.2 and link["band"] == "solid"
    ev = link["evidence"][0]
    assert ev["agency"] == "police" and ev["grading"] == "B2" and ev["agreement"] == "ISA-1" and ev["rules"]
    assert data["agreements"][0]["lawful_basis"].startswith("UK GDPR")
    rule_ids = {r["id"] for r in data["rule_pack"]["rules"]}
    assert set(ev["rules"]) <= rule_ids
    hidden = next(x for x in people["P1"]["links"] if x["other"]["label"] == "another young person")
    assert hidden["other"]["id"] is None and hidden["band"] == "not drawn"
    assert data["left_out"] == {
        "count": 1,
        "ids": ["P9"],
        "note": "internal record ids, shown to the auditor role only",
    }
    assert reports.build_context("audit", result, store, practitioner)["left_out"]["ids"] is None


def test_audit_report_lists_policy_changes_imports_outputs_and_decisions(store: Store, auditor: Actor) -> None:
    from datetime import UTC, datetime

    from peermap.engine.models import Decision

    result = small_map(store)
    with clock.frozen(datetime(2026, 10, 30, 12, tzinfo=UTC)):  # events up to the as-at date are reported
        audit.log_event(store, auditor, "import", {"source": "police.csv", "digest": "abc", "counts": {"people": 3}})
        reports.produce(store, auditor, "map", "json", recipient="panel chair", result=result)
    reports.produce(store, auditor, "map", "json", recipient="after the as-at date", result=result)
    with store.transaction() as s:
        s.add(
            Decision(
                suggestion_id="S1",
                intervention_id="detached-youth-work",
                target_kind="group",
                target_id="G1",
                decision="accept",
                reason="agreed at panel",
                actor="pat",
                role="practitioner",
                decided_at=datetime(2026, 10, 1, tzinfo=UTC),
            )
        )
    data = reports.build_context("audit", result, store, auditor)
    assert data["imports"][0]["source"] == "police.csv" and data["imports"][0]["rows"] == 3
    assert [o["recipient"] for o in data["outputs"]] == ["panel chair"] and data["outputs"][0]["kind"] == "map"
    assert data["groups"][0]["decisions"][0]["reason"] == "agreed at panel"
    assert data["people"][0]["decisions"][0]["intervention"] == "detached-youth-work"


# ------------------------------------------------------------------------------------ record text is data


@pytest.mark.slow
def test_hostile_record_text_is_inert_in_html(
    store: Store, auditor: Actor, hostile_map: MapResult, tmp_path: Path
) -> None:
    texts = _produce_all(store, auditor, hostile_map, tmp_path)
    for kind in reports.KINDS:
        html = texts[(kind, "html")]
        found = _elements(html)
        assert "script" not in found.tags and "img" not in found.tags, kind
        assert not any(name.startswith("on") for name, _ in found.attrs), kind
        assert "&lt;script&gt;" in html or kind == "subject"
        assert ">=HYPERLINK" not in html and ("&#39;=HYPERLINK" in html or kind == "subject")  # neutralised
        assert "[bold red]boom[/]" in html  # Rich markup shown literally


@pytest.mark.slow
def test_hostile_record_text_is_inert_in_markdown(
    store: Store, auditor: Actor, hostile_map: MapResult, tmp_path: Path
) -> None:
    texts = _produce_all(store, auditor, hostile_map, tmp_path)
    for kind in reports.KINDS:
        md = texts[(kind, "md")]
        assert "<script" not in md and "<img" not in md, kind
        assert "\\*\\*bold\\*\\*" in md or kind == "subject"
        assert "\\[bold red\\]boom\\[/\\]" in md or kind == "subject"
        assert not re.search(r"(?<!\\)\| pipe", md)  # a pipe in a name never opens a table cell


def test_hostile_record_text_is_inert_in_svg(hostile_map: MapResult) -> None:
    svg = render_svg(compute_layout(hostile_map))
    found = _elements(svg)
    assert "script" not in found.tags and "img" not in found.tags
    assert not any(name.startswith("on") for name, _ in found.attrs)
    assert "&lt;script&gt;" in svg


def test_json_keeps_record_text_exactly(store: Store, auditor: Actor, hostile_map: MapResult) -> None:
    text = reports.produce(store, auditor, "audit", "json", result=hostile_map).text
    names = [p["name"] for p in validate("audit", text)["people"]]
    assert names[0].startswith(HOSTILE[2])


@given(st.text(min_size=1, max_size=40))
def test_markdown_escape_never_leaves_markup(value: str) -> None:
    out = md_escape(neutralise_formula(value))
    assert "<" not in out and ">" not in out and "\n" not in out
    for ch in "*_`[]|~#":
        assert re.search(r"(?<!\\)" + re.escape(ch), out.replace("\\\\", "")) is None


def test_formula_neutralising() -> None:
    assert neutralise_formula("=1+1") == "'=1+1" and neutralise_formula("@SUM(A1)") == "'@SUM(A1)"
    assert neutralise_formula("plain") == "plain" and neutralise_formula("-") == "-"


# ----------------------------------------------------------------------------------------- left-out people


@pytest.mark.slow
def test_left_out_name_appears_in_no_report_in_any_format(store: Store, auditor: Actor, tmp_path: Path) -> None:
    texts = _produce_all(store, auditor, small_map(store), tmp_path)
    for (kind, fmt), text in texts.items():
        assert LEFT_OUT_NAME not in text, (kind, fmt)
        assert "zed hidden" not in text.lower(), (kind, fmt)


@given(st.from_regex(r"[A-Z][a-z]{2,8} [A-Z][a-z]{2,10}", fullmatch=True))
def test_name_matcher_redacts_whole_names_only(name: str) -> None:
    m = NameMatcher([name])
    assert m.sub(f"Seen with {name}, twice.", "X") == "Seen with X, twice."
    assert m.sub(f"Seen with {name.upper()}.", "X") == "Seen with X."
    assert m.sub(f"Seen with {name}son.", "X") == f"Seen with {name}son."


def test_subject_access_report(store: Store, auditor: Actor, practitioner: Actor, panel: Actor) -> None:
    result = small_map(store)
    reports.produce(store, auditor, "audit", "json", recipient="ICO", result=result)
    data = reports.build_context("subject", result, store, panel, person="P3")
    assert data["subject"]["names"] == ["Cal Cole"] and data["map_status"]["status"] == "greyed"
    evidence = {e["id"]: e for e in data["evidence"]}
    assert evidence["E0005"]["note"] == "Seen with another young person and P1"
    assert evidence["E0005"]["other"] == {"id": "P1", "kind": "person", "label": "Alex Ample"}
    assert [d["action"] for d in data["disclosures"]] == ["report"] and data["disclosures"][0]["recipient"] == "ICO"
    # the left-out young person's own subject access shows their own name, and only theirs
    own = reports.build_context("subject", result, store, auditor, person="P9")
    assert own["subject"]["names"] == [LEFT_OUT_NAME] and own["map_status"]["status"] == "left_out"
    with pytest.raises(PermissionDenied):
        reports.build_context("subject", result, store, practitioner, person="P3")
    with pytest.raises(NotFound):
        reports.build_context("subject", result, store, auditor, person="NOBODY")


# ----------------------------------------------------------------------------------------- map picture


def test_map_svg_draws_i2_style(store: Store) -> None:
    result = small_map(store)
    layout = compute_layout(result)
    svg = render_svg(layout)
    ids = {n.id for n in layout.nodes}
    assert ids == {"P1", "P2", "P3", "L1", "I1"}  # the left-out P9 is absent
    assert 'class="link solid"' in svg and 'class="link dashed"' in svg and 'stroke-dasharray="5 4"' in svg
    assert 'class="node person greyed" opacity="0.45"' in svg and "<rect" in svg and "<polygon" in svg
    assert 'class="group"' in svg and 'class="legend"' in svg and LEFT_OUT_NAME not in svg
    assert render_svg(compute_layout(result)) == svg  # deterministic


def test_map_layout_is_readable_at_150_people(store: Store) -> None:
    b = MapBuilder()
    b.agency("police").agreement("ISA-1", "police").location("L1", "Park")
    for i in range(150):
        b.person(f"P{i:03d}", f"Young Person {i}", "included" if i % 3 else "greyed")
        b.link(
            f"P{i:03d}",
            "L1" if i % 10 == 0 else f"P{(i // 10) * 10:03d}",
            "present_at" if i % 10 == 0 else "association",
            0.8 if i % 2 else 0.6,
        )
    for g in range(15):
        b.group(f"G{g}", [f"P{g * 10 + k:03d}" for k in range(10)])
    layout = compute_layout(b.build(store))
    assert len([n for n in layout.nodes if n.kind == "person"]) == 150
    pts = [(n.x, n.y) for n in layout.nodes]
    closest = min(((a[0] - c[0]) ** 2 + (a[1] - c[1]) ** 2) ** 0.5 for i, a in enumerate(pts) for c in pts[i + 1 :])
    assert closest >= 8  # no two nodes drawn on top of each other
    assert all(0 <= x <= layout.width and 0 <= y <= layout.height for x, y in pts)


# ------------------------------------------------------------------------------------ roles, audit, files


def test_roles(store: Store, practitioner: Actor) -> None:
    result = small_map(store)
    for kind in ("audit", "labelling", "map"):
        reports.produce(store, practitioner, kind, "json", result=result)
    with pytest.raises(PermissionDenied, match="subject-access"):
        reports.produce(store, practitioner, "subject", "json", person="P1", result=result)


def test_every_report_is_audited_with_recipient_digest_and_people(store: Store, auditor: Actor, tmp_path: Path) -> None:
    result = small_map(store)
    rep = reports.produce(
        store, auditor, "audit", "html", out=tmp_path / "a.html", recipient="MACE panel", result=result
    )
    ev = audit.events(store, auditor, action="report")[-1]
    payload = json.loads(ev.payload)
    assert payload["kind"] == "audit" and payload["format"] == "html" and payload["recipient"] == "MACE panel"
    assert payload["digest"] == rep.digest and payload["out"] == str(tmp_path / "a.html")
    assert payload["person_ids"] == ["P1", "P2", "P3"]
    assert audit.verify(store).ok


def test_write_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "r.html"
    target.write_text("old report")

    def boom(*_: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(reports.os, "replace", boom)
    with pytest.raises(OSError):
        reports.write_atomic(target, "new report")
    assert target.read_text() == "old report"
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]  # no temporary file left behind


# ----------------------------------------------------------------------------------------- CLI


@pytest.mark.slow
def test_cli_report(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from peermap.cli import app

    small_map(store)
    db = store.url
    runner = CliRunner()
    out = tmp_path / "lab.md"
    r = runner.invoke(
        app,
        [
            "--db",
            db,
            "--role",
            "practitioner",
            "report",
            "labelling",
            "--format",
            "md",
            "--out",
            str(out),
            "--recipient",
            "DSL",
            "--as-at",
            "2026-11-01",
        ],
    )
    assert r.exit_code == 0, r.output
    assert out.read_text().startswith("# Labelling-risk report")
    r = runner.invoke(app, ["--db", db, "report", "subject", "--person", "P1", "--out", str(tmp_path / "s.html")])
    assert r.exit_code == 2 and "needs the auditor or panel role" in r.output
    r = runner.invoke(app, ["--db", db, "report", "bogus"])
    assert r.exit_code == 2 and "unknown report" in r.output
    r = runner.invoke(app, ["--db", db, "report", "map", "--format", "pdf"])
    assert r.exit_code == 2 and "--format" in r.output
    r = runner.invoke(
        app, ["--db", db, "--role", "auditor", "report", "map", "--format", "json", "--as-at", "2026-11-01"]
    )
    assert r.exit_code == 0 and json.loads(r.stdout)["stamp"]["report"] == "map"
    baseline = tmp_path / "b.csv"
    baseline.write_text("group_kind,group,share\nsex,F,2\n")
    r = runner.invoke(
        app,
        ["--db", db, "report", "labelling", "--baseline", str(baseline), "--out", str(tmp_path / "x.html")],
    )
    assert r.exit_code == 2 and "between 0 and 1" in r.output and not (tmp_path / "x.html").exists()
    actions = [e.action for e in audit.events(store, Actor("a", Role.AUDITOR))]
    assert actions.count("report") == 2
