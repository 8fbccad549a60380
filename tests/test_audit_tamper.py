"""Audit tampering of each kind is detected by audit.verify and `peermap audit verify` (SQLite, Postgres)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from peermap.cli import app
from peermap.engine import audit
from peermap.engine.access import Actor
from peermap.engine.store import Store

runner = CliRunner()


def _url(store: Store) -> str:
    return store.engine.url.render_as_string(hide_password=False)


def _seed(store: Store, actor: Actor, n: int = 6) -> None:
    for i in range(n):
        audit.log_event(store, actor, "test_event", {"i": i, "note": f"event {i}"})


def _sql(store: Store, statement: str, **params: object) -> None:
    with store.engine.begin() as conn:
        conn.execute(sa.text(statement), params)


def _row(store: Store, seq: int) -> dict:
    with store.engine.connect() as conn:
        return dict(conn.execute(sa.text("SELECT * FROM audit_event WHERE seq=:s"), {"s": seq}).mappings().one())


def edit_payload(store: Store) -> None:
    _sql(store, "UPDATE audit_event SET payload=:p WHERE seq=3", p='{"i":99,"note":"event 3"}')


def edit_actor(store: Store) -> None:
    _sql(store, "UPDATE audit_event SET actor='someone.else' WHERE seq=4")


def delete_middle(store: Store) -> None:
    _sql(store, "DELETE FROM audit_event WHERE seq=3")


def insert_forged_middle(store: Store) -> None:
    """Replace event 3 by a forged one with a correctly recomputed own hash: event 4 no longer links to it."""
    prev = _row(store, 2)["hash"]
    at, payload = "2026-01-01T00:00:00.000000+00:00", '{"forged":true}'
    h = audit.event_hash(prev, 3, at, "forger", "panel", "policy_set", payload)
    _sql(store, "DELETE FROM audit_event WHERE seq=3")
    _sql(
        store,
        "INSERT INTO audit_event (seq, at, actor, role, action, payload, prev_hash, hash) "
        "VALUES (3, :at, 'forger', 'panel', 'policy_set', :p, :prev, :h)",
        at=at,
        p=payload,
        prev=prev,
        h=h,
    )


def insert_forged_end(store: Store) -> None:
    """Append a perfectly chained forged event without going through the engine (the head does not move)."""
    prev = _row(store, 6)["hash"]
    at, payload = "2026-01-01T00:00:00.000000+00:00", '{"forged":true}'
    h = audit.event_hash(prev, 7, at, "forger", "panel", "policy_set", payload)
    _sql(
        store,
        "INSERT INTO audit_event (seq, at, actor, role, action, payload, prev_hash, hash) "
        "VALUES (7, :at, 'forger', 'panel', 'policy_set', :p, :prev, :h)",
        at=at,
        p=payload,
        prev=prev,
        h=h,
    )


def insert_gap(store: Store) -> None:
    _sql(
        store,
        "INSERT INTO audit_event (seq, at, actor, role, action, payload, prev_hash, hash) "
        "VALUES (40, 'x', 'forger', 'panel', 'view_map', '{}', 'x', 'x')",
    )


def swap_rows(store: Store) -> None:
    _sql(store, "UPDATE audit_event SET seq=-1 WHERE seq=2")
    _sql(store, "UPDATE audit_event SET seq=2 WHERE seq=3")
    _sql(store, "UPDATE audit_event SET seq=3 WHERE seq=-1")


def truncate_last(store: Store) -> None:
    _sql(store, "DELETE FROM audit_event WHERE seq=6")


def truncate_everything(store: Store) -> None:
    _sql(store, "DELETE FROM audit_event")


TAMPERING: dict[str, tuple[Callable[[Store], None], set[int]]] = {
    "edit a payload": (edit_payload, {3}),
    "edit an actor": (edit_actor, {4}),
    "delete a middle row": (delete_middle, {3, 4}),
    "insert a forged row in the middle": (insert_forged_middle, {3, 4}),
    "insert a forged row at the end": (insert_forged_end, {7}),
    "insert a row out of sequence": (insert_gap, {40}),
    "reorder (swap two rows' seq)": (swap_rows, {2}),
    "truncate the last row": (truncate_last, {6}),
    "truncate everything": (truncate_everything, {1}),
}


@pytest.mark.slow
def test_an_untouched_chain_verifies(any_store: Store, panel: Actor) -> None:
    _seed(any_store, panel)
    result = audit.verify(any_store)
    assert result.ok and result.checked == 6
    out = runner.invoke(app, ["--db", _url(any_store), "audit", "verify"])
    assert out.exit_code == 0, out.output
    assert "intact: 6 events" in out.output


@pytest.mark.slow
@pytest.mark.parametrize("kind", list(TAMPERING))
def test_tampering_is_detected(any_store: Store, panel: Actor, kind: str) -> None:
    _seed(any_store, panel)
    tamper, first_bad = TAMPERING[kind]
    tamper(any_store)
    result = audit.verify(any_store)
    assert not result.ok, kind
    # engine.audit.verify names the head (6) for a row appended past it; the CLI names the appended row (7)
    assert result.first_bad_seq in first_bad | ({6} if kind == "insert a forged row at the end" else set())
    assert result.problem
    as_json = runner.invoke(app, ["--db", _url(any_store), "audit", "verify", "--json"])
    assert as_json.exit_code != 0
    doc = json.loads(as_json.output)
    assert doc["ok"] is False and doc["first_bad_seq"] in first_bad, (kind, doc)
    out = runner.invoke(app, ["--db", _url(any_store), "audit", "verify"])
    assert out.exit_code != 0
    assert f"BROKEN at event {doc['first_bad_seq']}" in out.output
    assert doc["problem"] in out.output


@pytest.mark.slow
def test_audit_log_is_for_panel_and_auditor_and_reading_it_is_audited(any_store: Store, panel: Actor) -> None:
    _seed(any_store, panel, 3)
    url = _url(any_store)
    refused = runner.invoke(app, ["--db", url, "--actor", "pat", "--role", "practitioner", "audit", "log"])
    assert refused.exit_code != 0 and "may not read the audit log" in refused.output
    out = runner.invoke(
        app,
        [
            "--db",
            url,
            "--actor",
            "dee",
            "--role",
            "auditor",
            "audit",
            "log",
            "--json",
            "--action",
            "test_event",
            "--limit",
            "2",
        ],
    )
    assert out.exit_code == 0, out.output
    rows = json.loads(out.output)
    assert [r["payload"]["i"] for r in rows] == [1, 2]
    assert {"seq", "at", "actor", "role", "action", "payload", "hash", "prev_hash"} <= set(rows[0])
    text = runner.invoke(app, ["--db", url, "--actor", "chair", "--role", "panel", "audit", "log"])
    assert text.exit_code == 0 and "view_audit_log" in text.output and "test_event" in text.output
    assert audit.verify(any_store).ok
