"""Databases for the TUI tests: the demo borough (seed 7, fixed clock) and a world of hostile record text."""

from __future__ import annotations

import asyncio
import functools
import shutil
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ParamSpec

from peermap.engine import clock
from peermap.engine.access import Actor, Role
from peermap.engine.store import Store

P = ParamSpec("P")
NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
BUILDER = Actor("demo.builder", Role.PANEL)

HOSTILE_NAME = "[bold red]Mallory[/] [@click=app.quit]Quit[/]"
HOSTILE_NOTE = "[link=https://example.invalid]click me[/link] \\[b]not bold[/b]"
HOSTILE_PLACE = "[reverse]Park[/reverse]"

AGENCIES = [
    {"agency_id": "POL", "name": "Police", "kind": "police"},
    {"agency_id": "SCH", "name": "[i]Northgate[/i] School", "kind": "school"},
    {"agency_id": "YW", "name": "Youth Service", "kind": "youth_work"},
]
AGREEMENTS = [
    {
        "agreement_id": "ISA-1",
        "agencies": "POL;SCH;YW",
        "purpose": "extra-familial harm panel",
        "lawful_basis": "UK GDPR 6(1)(e); DPA 2018 Sch 1 para 18",
        "valid_from": "2020-01-01",
    }
]


def _ev(eid: str, s: str, o: str, rel: str, agency: str, grading: str, scheme: str = "admiralty") -> dict:
    return {
        "evidence_id": eid,
        "subject_id": s,
        "object_id": o,
        "relation": rel,
        "agency": agency,
        "grading": grading,
        "grading_scheme": scheme,
        "observed_on": "2026-10-02",
        "agreement_id": "ISA-1",
    }


def hostile_tables() -> dict[str, list[dict]]:
    """Three young people around one incident at a place of concern; names and notes full of markup."""
    evidence = [
        _ev("E1", "H1", "INC-1", "harmed", "POL", "B2"),
        _ev("E2", "H1", "INC-1", "harmed", "SCH", "first_hand", "record"),
        _ev("E3", "H2", "INC-1", "witness", "POL", "B2"),
        _ev("E4", "H2", "INC-1", "witness", "YW", "first_hand", "record"),
        _ev("E5", "H1", "H2", "association", "POL", "B2"),
        _ev("E6", "H1", "H2", "association", "YW", "first_hand", "record"),
        _ev("E7", "H1", "L1", "present_at", "POL", "B2"),
        _ev("E8", "H1", "L1", "present_at", "YW", "first_hand", "record"),
        _ev("E9", "H3", "H1", "association", "POL", "C3"),
    ]
    return {
        "agencies": AGENCIES,
        "agreements": AGREEMENTS,
        "people": [
            {"person_id": "H1", "name": HOSTILE_NAME, "review_by": "2026-11-01"},
            {"person_id": "H2", "name": "Robin [Hood]"},
            {"person_id": "H3", "name": "Left [Out] Person"},
        ],
        "locations": [{"location_id": "L1", "name": HOSTILE_PLACE, "kind": "park", "of_concern": "true"}],
        "incidents": [
            {
                "incident_id": "INC-1",
                "date": "2026-10-01",
                "kind": "peer_on_peer_abuse",
                "location_id": "L1",
                "summary": "[blink]summary[/blink]",
            }
        ],
        "evidence": evidence,
        "concerns": [
            {
                "concern_id": "C1",
                "person_id": "H1",
                "kind": "criminal_exploitation",
                "agency": "SCH",
                "grading_scheme": "record",
                "grading": "first_hand",
                "recorded_on": "2026-10-02",
                "agreement_id": "ISA-1",
                "note": HOSTILE_NOTE,
            }
        ],
        "strengths": [
            {
                "strength_id": "S1",
                "person_id": "H1",
                "kind": "trusted_adult",
                "agency": "YW",
                "grading_scheme": "record",
                "grading": "first_hand",
                "recorded_on": "2026-10-02",
                "agreement_id": "ISA-1",
                "note": "[green]plays football[/green]",
            }
        ],
    }


def build_hostile(path: Path) -> Path:
    from peermap.engine.ingest import import_tables

    with clock.frozen(NOW):
        store = Store.open(f"sqlite:///{path}")
        import_tables(
            store,
            hostile_tables(),
            BUILDER,
            source="tui hostile world",
            imported_at=datetime(2026, 10, 3, tzinfo=UTC),
        )
        store.dispose()
    return path


def build_demo_db(path: Path) -> Path:
    """The demo borough, seed 7, built with the clock fixed so every run (and snapshot) is identical."""
    from peermap.engine.demo import build_demo

    with clock.frozen(NOW):
        store = Store.open(f"sqlite:///{path}")
        build_demo(store, BUILDER, seed=7)
        store.dispose()
    return path


def copy_db(template: Path, dest: Path) -> Store:
    """A private copy of a prebuilt database (tests write audit events; the template stays clean)."""
    shutil.copyfile(template, dest)
    dest.chmod(0o600)  # peermap refuses a database file other users could read
    return Store.open(f"sqlite:///{dest}")


def run_async(test: Callable[P, Coroutine[Any, Any, None]]) -> Callable[P, None]:
    """Run an async Pilot test without an asyncio pytest plugin (fixtures still arrive by name)."""

    @functools.wraps(test)
    def run(*args: P.args, **kwargs: P.kwargs) -> None:
        asyncio.run(test(*args, **kwargs))

    return run
