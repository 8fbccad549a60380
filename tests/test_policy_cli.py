"""`peermap map` and `peermap policy show|history|set` through the console script."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from test_inclusion_world import base_tables
from typer.testing import CliRunner

from peermap.cli import app
from peermap.engine import audit
from peermap.engine.access import Actor
from peermap.engine.identity_source import os_login
from peermap.engine.ingest import import_tables
from peermap.engine.policy import policy_history
from peermap.engine.store import Store

runner = CliRunner()
NOW = "2026-11-01T12:00:00+00:00"


@pytest.fixture
def seeded(store: Store, practitioner: Actor, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.setenv("PEERMAP_NOW", NOW)
    import_tables(store, base_tables(), practitioner, source="seed", imported_at=datetime(2026, 10, 5, tzinfo=UTC))
    return store


def run(store: Store, role: str, *args: str):
    url = store.engine.url.render_as_string(hide_password=False)
    return runner.invoke(app, ["--db", url, "--actor", f"x.{role}", "--role", role, *args])


def test_map_json_and_text(seeded: Store, auditor: Actor) -> None:
    out = run(seeded, "practitioner", "map", "--json")
    assert out.exit_code == 0, out.output
    doc = json.loads(out.output)
    assert doc["as_at"] == "2026-11-01" and doc["left_out_count"] == 3
    assert [(p["id"], p["status"]) for p in doc["people"]] == [
        ("P1", "included"),
        ("P4", "included"),
        ("P2", "greyed"),
        ("P5", "greyed"),
        ("P7", "greyed"),
    ]
    for hidden in ("P3", "P6", "P8", "Child 3", "Child 6", "Child 8"):
        assert f'"{hidden}"' not in out.output
    text = run(seeded, "practitioner", "map")
    assert text.exit_code == 0
    assert "included 2, greyed 3, left out 3 (not named)" in text.output
    assert "Child 1" in text.output and "Child 3" not in text.output and "P3" not in text.output
    views = audit.events(seeded, auditor, action="view_map")
    assert len(views) == 2 and sorted(json.loads(views[0].payload)["person_ids"]) == ["P1", "P2", "P4", "P5", "P7"]


def test_map_as_at_and_bad_date(seeded: Store) -> None:
    out = run(seeded, "practitioner", "map", "--as-at", "2026-10-01", "--json")
    assert out.exit_code == 0 and json.loads(out.output)["people"] == []
    bad = run(seeded, "practitioner", "map", "--as-at", "yesterday")
    assert bad.exit_code != 0 and "YYYY-MM-DD" in bad.output


@pytest.mark.slow
def test_policy_show_and_history(seeded: Store) -> None:
    out = run(seeded, "practitioner", "policy", "show", "--json")
    assert out.exit_code == 0, out.output
    doc = json.loads(out.output)
    assert doc["version"] == 1 and doc["in_force"] and doc["policy"]["include_threshold"] == 0.7
    assert "include_threshold" in run(seeded, "practitioner", "policy", "show").output
    set_ = run(seeded, "panel", "policy", "set", "--include", "0.8", "--reason", "quarterly review", "--json")
    assert set_.exit_code == 0, set_.output
    assert json.loads(set_.output)["version"] == 2
    hist = json.loads(run(seeded, "auditor", "policy", "history", "--json").output)
    assert [(h["version"], h["replaces"], h["in_force"]) for h in hist] == [(1, None, False), (2, 1, True)]
    assert "quarterly review" in run(seeded, "auditor", "policy", "history").output


def test_dry_run_changes_nothing_and_hides_names_of_people_dropping_off(seeded: Store) -> None:
    before = policy_history(seeded)
    out = run(seeded, "panel", "policy", "set", "--include", "0.74", "--dry-run", "--json")
    assert out.exit_code == 0, out.output
    doc = json.loads(out.output)
    assert doc["changes"] == [
        {"id": "P4", "from": "included", "to": "greyed", "name": "Child 4"},
        {"id": "P7", "from": "greyed", "to": "left_out"},
    ]
    assert doc["counts"]["changed"] == 2 and "Child 7" not in out.output
    assert policy_history(seeded) == before
    practitioner_view = json.loads(
        run(seeded, "practitioner", "policy", "set", "--include", "0.74", "--dry-run").output
    )
    assert [c["id"] for c in practitioner_view["changes"]] == ["P4"]
    assert practitioner_view["counts"]["withheld"] == 1
    assert policy_history(seeded) == before


@pytest.mark.slow
@pytest.mark.parametrize(
    ("role", "args", "message"),
    [
        ("practitioner", ["--include", "0.8", "--reason", "x"], "needs the panel role"),
        ("auditor", ["--include", "0.8", "--reason", "x"], "needs the panel role"),
        ("panel", ["--include", "0.8"], "--reason is required"),
        ("panel", ["--include", "0.8", "--reason", "   "], "--reason is required"),
        ("panel", ["--include", "1.4", "--reason", "x"], "include_threshold"),
        ("panel", ["--grey", "0.9", "--reason", "x"], "grey_threshold"),
        ("panel", ["--min-agencies", "0", "--reason", "x"], "min_agencies"),
        ("panel", ["--association-only", "always", "--reason", "x"], "association_only"),
        ("panel", ["--reason", "x"], "nothing to change"),
    ],
)
def test_refusals_change_nothing(seeded: Store, role: str, args: list[str], message: str) -> None:
    before = policy_history(seeded)
    n_events = audit.count(seeded)
    out = run(seeded, role, "policy", "set", *args)
    assert out.exit_code != 0
    assert message in out.output
    assert policy_history(seeded) == before and audit.count(seeded) == n_events


def test_commit_then_map_uses_new_version(seeded: Store) -> None:
    out = run(
        seeded,
        "panel",
        "policy",
        "set",
        "--association-only",
        "included",
        "--max-age-days",
        "200",
        "--reason",
        "panel minute 14",
    )
    assert out.exit_code == 0 and "version 2" in out.output
    doc = json.loads(run(seeded, "practitioner", "map", "--json").output)
    assert doc["policy"]["version"] == 2 and doc["policy"]["association_only"] == "included"
    assert doc["policy"]["reason"] == "panel minute 14" and doc["policy"]["set_by"] == os_login()
    p7 = next(p for p in doc["people"] if p["id"] == "P7")
    assert p7["status"] == "included" and p7["reasons"][0]["code"] == "association_included"
