"""`peermap explain`: one link, or a young person's links; audit events; clear errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from test_rules_trace import AS_AT, populate
from typer.testing import CliRunner

from peermap.cli import app
from peermap.engine import audit, clock
from peermap.engine.access import Actor, Role
from peermap.engine.identity_source import os_login
from peermap.engine.policy import load_default_policy, set_policy, with_changes
from peermap.engine.store import Store

runner = CliRunner()


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'peermap.db'}"
    store = Store.open(url)
    populate(store)
    # A panel policy under which P1 (present at a place of concern) and P2 (associated) are on the map.
    with clock.frozen(datetime(2026, 5, 31, 12, tzinfo=UTC)):
        policy = with_changes(
            load_default_policy(),
            include_threshold=0.3,
            grey_threshold=0.1,
            min_agencies=1,
            association_only="included",
            presence_only="included",  # issue 12: P1 is only present at the place; the panel includes that
        )
        set_policy(store, Actor("chair", Role.PANEL), policy, reason="test: show P1 and P2")
    store.dispose()
    return url


def run(db: str, *args: str):
    return runner.invoke(app, ["--db", db, "--actor", "sam", *args])


def view_events(db: str) -> list[dict]:
    store = Store.open(db)
    try:
        events = audit.events(store, Actor("aud", Role.AUDITOR), action="view_person")
        # The login is the operating system's; --actor is only a label recorded beside it (SQLite).
        out = []
        for e in events:
            p = json.loads(e.payload)
            assert e.actor == os_login() and p["who"] == {"label": "sam", "role_basis": "self-declared"}
            out.append({k: v for k, v in p.items() if k != "who"} | {"actor": p["who"]["label"]})
        return out
    finally:
        store.dispose()


def test_explain_one_link_text_and_audit(db: str) -> None:
    result = run(db, "explain", "P1", "P2", "--relation", "association", "--as-at", AS_AT.isoformat())
    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        "Confidence 0.75 (uncertainty 0.31, conflict 0.00) that Aisha Khan and Ben Ortiz are associated"
    )
    assert "Cara Doyle" not in result.output
    assert view_events(db) == [
        {
            "person_id": "P1",
            "person_ids": ["P1"],
            "what": "explain",
            "other_id": "P2",
            "actor": "sam",
            "recipient": f"{os_login()} (on screen)",
        },
        {
            "person_id": "P2",
            "person_ids": ["P2"],
            "what": "explain",
            "other_id": "P1",
            "actor": "sam",
            "recipient": f"{os_login()} (on screen)",
        },
    ]


def test_explain_one_link_json(db: str) -> None:
    result = run(db, "explain", "P1", "L1", "--json", "--as-at", AS_AT.isoformat())
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["object"]["name"] == "Northgate Park"
    assert [x["relation"] for x in data["links"]] == ["present_at"]
    assert view_events(db) == [
        {
            "person_id": "P1",
            "person_ids": ["P1"],
            "what": "explain",
            "other_id": "L1",
            "actor": "sam",
            "recipient": f"{os_login()} (on screen)",
        }
    ]


def test_explain_person_lists_links(db: str) -> None:
    result = run(db, "explain", "P1", "--as-at", AS_AT.isoformat())
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Aisha Khan (P1): 4 links as at 2026-06-01 (rule pack 2026.2)"
    assert "Ben Ortiz (P2)" in lines[2] and "association" in lines[2]
    assert "Northgate Park (L1) [location]" in result.output
    data = json.loads(run(db, "explain", "P1", "--json", "--as-at", AS_AT.isoformat()).output)
    assert len(data["links"]) == 4 and data["person"] == {"id": "P1", "name": "Aisha Khan"}
    assert [e["person_id"] for e in view_events(db)] == ["P1", "P1"]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["explain", "P9"], "unknown young person id 'P9'"),
        (["explain", "L1"], "unknown young person id 'L1'"),
        (["explain", "P1", "P9"], "unknown young person, location or incident id 'P9'"),
        (["explain", "P1", "P2", "--relation", "friends"], "--relation: 'friends' is not a relation"),
        (["explain", "P1", "--as-at", "yesterday"], "--as-at: 'yesterday' is not a date"),
        (["explain", "P1", "--pack", "/nonexistent/pack.yaml"], "/nonexistent/pack.yaml: rule pack not found"),
    ],
)
def test_errors_are_clear_and_not_audited(db: str, args: list[str], message: str) -> None:
    result = run(db, *args)
    assert result.exit_code != 0
    assert message in result.output
    assert view_events(db) == []


@pytest.mark.slow
def test_left_out_young_person_is_never_explained_to_practitioners(db: str) -> None:
    # P4 has no evidence at all: left out, so neither explainable nor named.
    for args in (["explain", "P4"], ["explain", "P1", "P4"]):
        result = run(db, *args, "--as-at", AS_AT.isoformat())
        assert result.exit_code != 0
        assert "not on the map" in result.output and "Dan Fox" not in result.output
    assert view_events(db) == []


def test_auditor_sees_left_out_young_people_by_id_only(db: str) -> None:
    # P3 (Cara Doyle) is linked to P1 by one C3 association item (confidence 0.40): below a grey threshold of 0.5.
    store = Store.open(db)
    with clock.frozen(datetime(2026, 5, 31, 13, tzinfo=UTC)):
        stricter = with_changes(load_default_policy(), include_threshold=0.5, grey_threshold=0.5, min_agencies=1)
        set_policy(store, Actor("chair", Role.PANEL), stricter, reason="test: leave P3 out")
    store.dispose()
    result = runner.invoke(
        app, ["--db", db, "--actor", "dee", "--role", "auditor", "explain", "P1", "P3", "--as-at", AS_AT.isoformat()]
    )
    assert result.exit_code == 0, result.output
    assert "a left-out young person (P3)" in result.output
    assert "Cara Doyle" not in result.output
    listing = runner.invoke(
        app, ["--db", db, "--actor", "dee", "--role", "auditor", "explain", "P1", "--as-at", AS_AT.isoformat()]
    )
    assert "P3" in listing.output and "Cara Doyle" not in listing.output


def test_explain_records_its_purpose_and_refuses_one_not_on_the_list(db: str) -> None:
    bad = run(db, "explain", "P1", "--as-at", AS_AT.isoformat(), "--purpose", "curiosity")
    assert bad.exit_code == 2 and "start with one of" in bad.output
    ok = run(db, "explain", "P1", "--as-at", AS_AT.isoformat(), "--purpose", "safeguarding: strategy meeting")
    assert ok.exit_code == 0, ok.output
    bare = run(db, "explain", "P1", "--as-at", AS_AT.isoformat())
    assert bare.exit_code == 0  # a view without a purpose is recorded without the key
    purposes = [v.get("purpose") for v in view_events(db)]
    assert purposes == [{"code": "safeguarding", "text": "strategy meeting"}, None]
