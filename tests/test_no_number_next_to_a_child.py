"""Confidence belongs to a link: no output puts a bare number next to a young person (issue 12 item 7)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_tui_data import NOW, build_demo_db
from typer.testing import CliRunner

from peermap.cli import app
from peermap.engine.figures import beside

unit = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


@given(unit, unit, st.integers(min_value=0, max_value=4))
def test_a_figure_shown_beside_its_threshold_never_contradicts_the_test(
    value: float, threshold: float, places: int
) -> None:
    v, t = beside(value, threshold, places)
    assert (float(v) < float(t)) == (value < threshold)


def test_worked_figures() -> None:
    assert beside(0.74, 0.70) == ("0.74", "0.70")
    assert beside(0.6999, 0.70) == ("0.6999", "0.7000")  # not "0.70 is below the threshold of 0.70"
    assert beside(0.704, 0.705) == ("0.704", "0.705")
    assert beside(0.70, 0.70) == ("0.70", "0.70")
    v, t = beside(0.69999999999, 0.70)
    assert float(v) < float(t)


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo_db(tmp_path_factory.mktemp("numbers") / "demo.db")


def _map(db: Path, *args: str) -> str:
    result = CliRunner().invoke(app, ["--db", str(db), *args], env={"PEERMAP_NOW": NOW.isoformat()})
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.slow
def test_map_json_and_table_carry_no_per_person_number(demo_template: Path) -> None:
    body = json.loads(_map(demo_template, "map", "--json"))
    assert body["people"], "the demo borough puts young people on the map"
    for person in body["people"]:
        numbers = {k for k, v in person.items() if isinstance(v, int | float) and not isinstance(v, bool)}
        assert numbers == set(), f"{person['id']} carries {numbers}"
    table = _map(demo_template, "map").splitlines()
    header = next(line for line in table if line.startswith("id "))
    assert "conf" not in header.lower()
    ids = {p["id"] for p in body["people"]}
    for line in table:
        first = line.split(" ", 1)[0]
        if first in ids:
            # columns: id, name, status, then the first reason; a figure may appear only inside that reason,
            # which names the link it belongs to ("confidence 0.74 from 2 independent agencies").
            before_reason = re.split(r"\s(included|greyed)\s", line, maxsplit=1)[0]
            assert not re.search(r"\b\d\.\d\d\b", before_reason), line


def test_greyed_reasons_never_contradict_their_threshold(demo_template: Path) -> None:
    body = json.loads(_map(demo_template, "map", "--json"))
    for person in body["people"]:
        for reason in person["reasons"]:
            m = re.search(r"confidence (\d\.\d+) .*below the inclusion threshold of (\d\.\d+)", reason["text"])
            if m:
                assert float(m[1]) < float(m[2]), reason["text"]


def test_report_headings_for_young_people_carry_no_number(demo_template: Path, tmp_path: Path) -> None:
    out = tmp_path / "audit.md"
    result = CliRunner().invoke(
        app,
        ["--db", str(demo_template), "--role", "auditor", "report", "audit", "--format", "md", "--out", str(out)],
        env={"PEERMAP_NOW": NOW.isoformat()},
    )
    assert result.exit_code == 0, result.output
    headings = [line for line in out.read_text(encoding="utf-8").splitlines() if line.startswith("### ")]
    person_headings = [h for h in headings if re.search(r"\((YP|[A-Z]+)-?[\w-]*\) — (included|greyed)", h)]
    assert person_headings, "the audit report has a heading per young person"
    for heading in person_headings:
        assert not re.search(r"\d\.\d", heading), heading
