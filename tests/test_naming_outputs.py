"""Every output that names young people is logged with its recipient (issue 12 item 10), and identity review
never names a young person who is not on the map to practitioners (issue 12 item 6)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from test_tui_data import NOW, build_demo_db
from typer.testing import CliRunner

from peermap.cli import app
from peermap.engine import Store, audit, compute_map, identity_review, os_login, run_checks, young_person_records
from peermap.engine.access import Actor
from peermap.engine.review_queue import records_not_on_map

PRACTITIONER = Actor.parse("pat", "practitioner")
PANEL = Actor.parse("chair", "panel")
AUDITOR = Actor.parse("dpo", "auditor")


@pytest.fixture(autouse=True)
def _clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PEERMAP_NOW", NOW.isoformat())


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo_db(tmp_path_factory.mktemp("naming") / "demo.db")


@pytest.fixture
def demo(template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "demo.db"
    shutil.copy(template, path)
    return path


def _cli(db: Path, *args: str) -> str:
    result = CliRunner().invoke(app, ["--db", str(db), *args])
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.slow
def test_practitioners_never_see_a_left_out_young_persons_records_in_identity_review(demo: Path) -> None:
    store = Store.open(str(demo))
    result = compute_map(store)
    hidden = records_not_on_map(result)
    rows = identity_review(store, PRACTITIONER)
    withheld = [r for r in rows if r.get("withheld")]
    assert withheld, "the demo borough proposes matches with records of young people not on the map"
    text = json.dumps(rows)
    records = young_person_records(store)
    for record in hidden:
        person = records[record]
        for r in withheld:
            assert record not in (r["record_a"], r["record_b"])
        # neither the name nor the date of birth of a record held back appears anywhere in the review
        if not any(person.name == records[o].name for o in records if o not in hidden):
            assert person.name not in text, person.name
        if person.date_of_birth is not None:
            assert person.date_of_birth.isoformat() not in text
    sentence = str(withheld[0]["name_a"] if withheld[0]["record_a"] is None else withheld[0]["name_b"])
    assert sentence.startswith("a record held by ") and sentence.endswith("about a young person not on the map")
    assert all(": " in line for line in str(withheld[0]["explanation"]).splitlines()[1:])


def test_the_panel_resolves_withheld_matches_with_a_logged_purpose(demo: Path) -> None:
    store = Store.open(str(demo))
    without = identity_review(store, PANEL)
    assert any(r.get("withheld") for r in without)
    full = identity_review(store, PANEL, purpose="MACE panel 3 Dec: resolve duplicate records")
    assert not any(r.get("withheld") for r in full)
    assert all(r["name_a"] and r["record_a"] for r in full)
    last = audit.events(store, AUDITOR, action="identity.review")[-1]
    payload = json.loads(last.payload)
    assert payload["purpose"] == "MACE panel 3 Dec: resolve duplicate records"
    assert payload["recipient"] == "chair (on screen)" and payload["person_ids"]


@pytest.mark.slow
@pytest.mark.parametrize(
    "command",
    [
        ["map"],
        ["map", "--json"],
        ["interventions"],
        ["identities"],
    ],
)
def test_every_naming_output_counts_towards_shadow_lists(demo: Path, command: list[str]) -> None:
    """Named once anywhere, then left off the map: the labelling report flags the earlier output."""
    _cli(demo, "--actor", "pat", *command)
    store = Store.open(str(demo))
    event = audit.events(store, AUDITOR)[-1]
    payload = json.loads(event.payload)
    assert payload["recipient"] == f"{os_login()} (on screen)"  # the login; "pat" is a label beside it
    named = set(payload["person_ids"])
    assert named, f"{command} named young people"
    before = run_checks(compute_map(store), store=store).check("shadow_lists")
    assert before.status != "flag"
    _cli(
        demo,
        "--actor",
        "chair",
        "--role",
        "panel",
        "policy",
        "set",
        "--include",
        "0.99",
        "--grey",
        "0.98",
        "--reason",
        "test: everyone leaves the map",
    )
    after = run_checks(compute_map(store), store=store).check("shadow_lists")
    assert after.status == "flag"
    assert f"event:{event.seq}" in {ref for f in after.findings for ref in f.refs}


def test_the_map_names_its_recipient_when_given(demo: Path) -> None:
    _cli(demo, "map", "--recipient", "Northbridge MACE panel")
    store = Store.open(str(demo))
    payload = json.loads(audit.events(store, AUDITOR, action="view_map")[-1].payload)
    assert payload["recipient"] == "Northbridge MACE panel"
