"""`peermap identities`: list, show, confirm, reject, unsure, unlink; errors exit 2 with a message."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from peermap.cli import app
from peermap.engine.models import YoungPerson
from peermap.engine.store import Store

runner = CliRunner()


def _canonical(store: Store) -> dict[str, str]:
    from peermap.engine.snapshot import load_snapshot  # after peermap.cli has loaded the engine

    return load_snapshot(store).canonical


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("PEERMAP_NOW", "2026-02-01T09:00:00+00:00")
    path = str(tmp_path / "peermap.db")
    store = Store.open(path)
    with store.transaction() as s:
        s.add(
            YoungPerson(
                person_id="SCH-1",
                name="Tom Hughes",
                date_of_birth=date(2010, 4, 3),
                area="Peckham",
                agency="school",
            )
        )
        s.add(
            YoungPerson(
                person_id="POL-7",
                name="Thomas Hughes",
                date_of_birth=date(2010, 3, 4),
                area="Peckham",
                agency="police",
            )
        )
        s.add(
            YoungPerson(
                person_id="POL-8",
                name="Leah Okafor",
                date_of_birth=date(2009, 1, 30),
                area="Brixton",
                agency="police",
            )
        )
    store.dispose()
    return path


def _run(db: str, *args: str, role: str = "practitioner") -> tuple[int, str, str]:
    result = runner.invoke(app, ["--db", db, "--actor", "sam", "--role", role, "identities", *args])
    return result.exit_code, result.stdout, result.stderr


def test_list_json_and_text(db: str) -> None:
    purpose = ("--purpose", "panel 3 Dec: resolve duplicate records")
    code, out, _ = _run(db, "--json", *purpose, role="panel")
    assert code == 0
    proposals = json.loads(out)["proposals"]
    assert [p["id"] for p in proposals] == ["M-POL-7-SCH-1"]
    assert proposals[0]["name_a"] == "Thomas Hughes"
    assert {t["field"]: t["level"] for t in proposals[0]["terms"]}["date_of_birth"] == "transposed"
    code, out, _ = _run(db, *purpose, role="panel")
    assert code == 0 and "M-POL-7-SCH-1" in out and "nickname" in out


def test_practitioners_see_matches_about_young_people_not_on_the_map_withheld(db: str) -> None:
    """Neither record is about anyone on the map: no name, no date of birth, no record id (issue 12 item 6)."""
    code, out, _ = _run(db, "--json")
    assert code == 0
    (p,) = json.loads(out)["proposals"]
    assert p["withheld"] is True and p["id"].startswith("M-withheld-")
    assert p["record_a"] is None and p["record_b"] is None
    assert "not on the map" in p["name_a"] and "Hughes" not in out and "Tom" not in out
    assert {t["field"]: t["level"] for t in p["terms"]}["date_of_birth"] == "transposed"
    code, out, _ = _run(db)
    assert code == 0 and "Hughes" not in out and "POL-7" not in out and "not on the map" in out


def test_auditor_list_has_no_names(db: str) -> None:
    code, out, _ = _run(db, "--json", role="auditor")
    assert code == 0 and "Hughes" not in out and "M-POL-7-SCH-1" in out


def test_confirm_then_unlink_by_proposal_id(db: str) -> None:
    code, out, _ = _run(db, "confirm", "M-POL-7-SCH-1", "--reason", "school and police records agree")
    assert code == 0 and "confirmed" in out
    store = Store.open(db)
    assert _canonical(store)["SCH-1"] == "POL-7"
    code, out, _ = _run(db, "--json")
    assert json.loads(out)["proposals"] == []
    code, out, _ = _run(db, "unlink", "SCH-1,POL-7", "--reason", "entered in error")
    assert code == 0 and "unlinked" in out
    assert _canonical(store)["SCH-1"] == "SCH-1"
    store.dispose()


def test_errors_exit_2_with_a_message(db: str) -> None:
    code, _, err = _run(db, "confirm", "M-POL-7-SCH-1", "--reason", "x", role="auditor")
    assert code == 2 and "may not confirm" in err
    code, _, err = _run(db, "reject", "M-POL-7-NOPE", "--reason", "x")
    assert code == 2 and "not a match proposal id" in err
    code, _, err = _run(db, "confirm", "POL-7,SCH-1", "--reason", " ")
    assert code == 2 and "reason is required" in err
    _run(db, "reject", "POL-7,POL-8", "--reason", "different children")
    _run(db, "confirm", "POL-7,SCH-1", "--reason", "same")
    code, _, err = _run(db, "confirm", "SCH-1,POL-8", "--reason", "same")
    assert code == 2 and "never fuses" in err


@pytest.mark.slow
def test_show_explains_any_pair(db: str) -> None:
    code, out, _ = _run(db, "show", "POL-8,SCH-1")
    assert code == 0 and "Leah Okafor (POL-8)" in out and "match probability" in out
    code, out, _ = _run(db, "show", "M-POL-7-SCH-1", "--json")
    assert code == 0 and json.loads(out)["record_b"] == "SCH-1"


def test_auto_link_is_refused_while_the_policy_turns_it_off(db: str) -> None:
    code, _, err = _run(db, "auto-link", role="panel")
    assert code == 2 and "auto-linking is off" in err
