"""Issue 12 item 11: the breach register (`peermap breach record|list`), audited, feeding the labelling report."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from reports_helpers import MapBuilder
from typer.testing import CliRunner

from peermap.cli import app
from peermap.engine import PeermapError, PermissionDenied, clock, list_breaches, record_breach
from peermap.engine.access import Actor
from peermap.engine.audit import verify
from peermap.engine.labelling import run_checks
from peermap.engine.store import Store

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
runner = CliRunner()


def test_breach_record_and_list_are_audited_and_feed_the_labelling_report(
    any_store: Store, practitioner: Actor, panel: Actor
) -> None:
    with clock.frozen(NOW):
        late = record_breach(
            any_store,
            practitioner,
            occurred_on=date(2026, 10, 20),
            discovered_on=date(2026, 10, 21),
            description="  Map report emailed   to 44 recipients  ",
            agreement_id="AGR-01",
            people_affected=31,
        )
        told = record_breach(
            any_store,
            practitioner,
            occurred_on=date(2026, 10, 31),
            description="A laptop left on a train",
            reported_to_ico=True,
            ico_reference="ICO-123",
        )
        rows = list_breaches(any_store, panel)
    assert [r.id for r in rows] == [late.id, told.id]
    assert rows[0].description == "Map report emailed to 44 recipients" and rows[0].people_affected == 31
    with any_store.read() as s:
        from sqlmodel import select

        from peermap.engine.models import AuditEvent

        actions = [e.action for e in s.exec(select(AuditEvent))]
    assert actions.count("breach_recorded") == 2 and "breach_register_viewed" in actions
    assert verify(any_store).ok
    b = MapBuilder()
    b.agency("police").agreement("ISA-1", "police").person("A", "Ann One")
    with clock.frozen(NOW):
        report = run_checks(b.build(any_store), any_store)
    check = report.check("breach_register")
    assert check.flagged and check.affected == [f"breach:{late.id}", f"breach:{told.id}"]
    assert "2 breach(es) recorded, 1 not reported to the ICO after 72 hours" in check.summary


def test_breach_register_is_for_panel_and_auditors_and_refuses_bad_records(
    store: Store, practitioner: Actor, panel: Actor
) -> None:
    with pytest.raises(PermissionDenied):
        list_breaches(store, practitioner)
    with clock.frozen(NOW):
        for kw, problem in (
            ({"description": "  "}, "needs a description"),
            ({"description": "x", "occurred_on": date(2026, 12, 1)}, "future"),
            ({"description": "x", "discovered_on": date(2026, 1, 1)}, "before it occurred"),
            ({"description": "x", "ico_reference": "ICO-1"}, "--reported-to-ico"),
        ):
            args = {"occurred_on": date(2026, 10, 1), **kw}
            with pytest.raises(PeermapError, match=problem):
                record_breach(store, panel, **args)  # type: ignore[arg-type]
    assert list_breaches(store, panel) == []


def test_breach_cli(tmp_path) -> None:
    db = str(tmp_path / "b.db")
    Store.open(db).dispose()
    base = ["--db", db, "--actor", "sam"]
    out = runner.invoke(
        app,
        [
            *base,
            "--role",
            "practitioner",
            "breach",
            "record",
            "--occurred",
            "2026-10-02",
            "--description",
            "Sent to the wrong school",
            "--affected",
            "3",
            "--json",
        ],
    )
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["people_affected"] == 3
    bad = runner.invoke(app, [*base, "breach", "record", "--occurred", "2 Oct", "--description", "x"])
    assert bad.exit_code == 2 and "--occurred: '2 Oct' is not a date" in bad.output
    denied = runner.invoke(app, [*base, "--role", "practitioner", "breach", "list"])
    assert denied.exit_code == 2 and "may not read the breach register" in denied.output
    listed = runner.invoke(app, [*base, "--role", "panel", "breach", "list"])
    assert listed.exit_code == 0 and "NOT reported" in listed.stdout and "Sent to the wrong school" in listed.stdout
