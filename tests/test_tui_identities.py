"""The Identities screen driven by Pilot: review proposed record matches and decide on them with a reason."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import select
from test_tui_data import (
    AGENCIES,
    AGREEMENTS,
    BUILDER,
    HOSTILE_NAME,
    NOW,
    build_demo_db,
    copy_db,
    run_async,
)
from textual.command import CommandList
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from peermap.engine import clock, compute_map, identity
from peermap.engine.access import Actor, Role
from peermap.engine.models import AuditEvent, IdentityDecision
from peermap.engine.review_queue import records_not_on_map
from peermap.engine.store import Store
from peermap.tui.app import PeermapApp
from peermap.tui.screens.identities import IdentitiesScreen
from peermap.tui.widgets.notice import NoticeModal
from peermap.tui.widgets.reason import ReasonModal

SMALL = (80, 24)
PRACTITIONER = Actor("pat.practitioner", Role.PRACTITIONER)
PANEL = Actor("chair.panel", Role.PANEL)
AUDITOR = Actor("dee.auditor", Role.AUDITOR)
REASON = "same date of birth and school; surname misspelt at the clinic"


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PEERMAP_NOW", NOW.isoformat())


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo_db(tmp_path_factory.mktemp("tui-identities") / "demo.db")


@pytest.fixture
def demo(demo_template: Path, tmp_path: Path) -> Iterator[Store]:
    store = copy_db(demo_template, tmp_path / "demo.db")
    yield store
    store.dispose()


@pytest.fixture
def look_alikes(tmp_path: Path) -> Iterator[Store]:
    """Two agencies' records of one young person whose name is full of markup, and a third record."""
    from peermap.engine.ingest import import_tables

    person = {"name": HOSTILE_NAME, "date_of_birth": "2011-03-04", "sex": "f", "area": "riverside"}
    with clock.frozen(NOW):
        store = Store.open(f"sqlite:///{tmp_path / 'look-alikes.db'}")
        import_tables(
            store,
            {
                "agencies": AGENCIES,
                "agreements": AGREEMENTS,
                "people": [
                    {"person_id": "SCH-1", "agency": "SCH", **person},
                    {"person_id": "POL-1", "agency": "POL", **person},
                    {"person_id": "YW-1", "agency": "YW", "name": "Robin [Hood]", "date_of_birth": "2010-01-01"},
                ],
            },
            BUILDER,
            source="tui identities test",
            imported_at=datetime(2026, 10, 3, tzinfo=UTC),
        )
    yield store
    store.dispose()


async def settle(pilot: Pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def until(pilot: Pilot, condition: Callable[[], bool], timeout: float = 15.0) -> None:
    waited = 0.0
    while not condition():
        assert waited < timeout, "the screen did not get there in time"
        await pilot.pause(0.1)
        await pilot.app.workers.wait_for_complete()
        waited += 0.1


async def open_identities(pilot: Pilot) -> IdentitiesScreen:
    await settle(pilot)
    await pilot.press("y")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, IdentitiesScreen)
    return screen


def rows(screen: IdentitiesScreen) -> list[list[str]]:
    table = screen.query_one("#proposals", DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def detail(screen: IdentitiesScreen) -> str:
    return str(screen.query_one("#proposal-text", Static).render())


async def decide_selected(pilot: Pilot, key: str, reason: str) -> None:
    await pilot.press(key)
    await pilot.pause()
    assert isinstance(pilot.app.screen, ReasonModal)
    pilot.app.screen.query_one("#reason", Input).value = reason
    await pilot.press("enter")
    await settle(pilot)


def visible(demo: Store) -> list[identity.MatchProposal]:
    """The proposals a practitioner sees in full: none with a record about a young person not on the map."""
    hidden = records_not_on_map(compute_map(demo))
    return [p for p in identity.propose_matches(demo) if p.record_a not in hidden and p.record_b not in hidden]


def first_open(screen: IdentitiesScreen) -> str:
    return next(r[-1] for r in rows(screen) if not r[-1].startswith("M-withheld-"))


@pytest.mark.slow
@run_async
async def test_proposals_listed_best_first_with_the_engines_explanation(demo: Store) -> None:
    expected = identity.propose_matches(demo)
    assert expected, "the demo borough plants duplicate records"
    hidden = records_not_on_map(compute_map(demo))
    app = PeermapApp(demo, PRACTITIONER)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_identities(pilot)
        shown = rows(screen)
        assert len(shown) == len(expected)  # best first, as the engine ranks them
        for row, p in zip(shown, expected, strict=True):
            if p.record_a in hidden or p.record_b in hidden:
                assert row[-1].startswith("M-withheld-")
                assert "not on the map" in row[2] + row[3]
            else:
                assert row[-1] == p.id
        text = detail(screen)  # the first proposal holds a record about a young person not on the map
        assert "not on the map" in text and expected[0].name_a not in text and expected[0].record_a not in text
        open_ = visible(demo)
        best = open_[0]
        table = screen.query_one("#proposals", DataTable)
        table.move_cursor(row=table.get_row_index(best.id))
        await pilot.pause()
        row = rows(screen)[table.get_row_index(best.id)]
        assert row[2] == f"{best.name_a} ({best.agency_a})"
        assert row[1] == ("yes" if best.auto_link else "-")
        text = detail(screen)
        assert best.name_a in text and best.record_b in text
        for line in best.explanation.splitlines()[1:]:  # term by term, in the engine's words
            assert line.strip() in text
        # Moving the cursor to the next open proposal shows its explanation.
        table.move_cursor(row=table.get_row_index(open_[1].id))
        await pilot.pause()
        assert open_[1].explanation.splitlines()[2].strip() in detail(screen)
    with demo.read() as s:
        assert [e.action for e in s.exec(select(AuditEvent).where(AuditEvent.action == "identity.review"))]


@pytest.mark.slow
@run_async
async def test_confirm_with_reason_links_records_and_recomputes_the_map(demo: Store) -> None:
    app = PeermapApp(demo, PRACTITIONER)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_identities(pilot)
        before = rows(screen)
        target = [r[-1] for r in before if not r[-1].startswith("M-withheld-")][1]
        table = screen.query_one("#proposals", DataTable)
        table.move_cursor(row=table.get_row_index(target))
        map_before = app.loaded
        await decide_selected(pilot, "c", REASON)
        assert not isinstance(app.screen, NoticeModal)
        await until(pilot, lambda: len(rows(screen)) == len(before) - 1 and app.loaded is not map_before)
        assert target not in [r[-1] for r in rows(screen)]
        assert app.loaded is not None and app.loaded is not map_before  # the map was recomputed
    a, b = identity.resolve_pair(demo, target)
    with demo.read() as s:
        decisions = list(s.exec(select(IdentityDecision)))
        events = list(s.exec(select(AuditEvent).where(AuditEvent.action == "identity.confirm")))
    assert [(d.record_a, d.record_b, d.status, d.actor, d.role, d.reason) for d in decisions] == [
        (a, b, "confirmed", PRACTITIONER.name, "practitioner", REASON)
    ]
    assert len(events) == 1
    payload = json.loads(events[0].payload)
    assert (payload["record_a"], payload["record_b"], payload["status"]) == (a, b, "confirmed")


@pytest.mark.slow
@run_async
async def test_a_withheld_match_cannot_be_decided_by_a_practitioner(demo: Store) -> None:
    app = PeermapApp(demo, PRACTITIONER)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_identities(pilot)
        assert rows(screen)[0][-1].startswith("M-withheld-")
        await pilot.press("c")
        await pilot.pause()
        assert not isinstance(app.screen, ReasonModal)  # nothing to decide: the panel resolves it
    with demo.read() as s:
        assert list(s.exec(select(IdentityDecision))) == []


@pytest.mark.slow
@run_async
async def test_cancelled_or_empty_reason_records_nothing(demo: Store) -> None:
    app = PeermapApp(demo, PRACTITIONER)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_identities(pilot)
        table = screen.query_one("#proposals", DataTable)
        table.move_cursor(row=table.get_row_index(first_open(screen)))
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ReasonModal)
        await pilot.press("enter")  # no reason: refused in the dialog
        await pilot.pause()
        assert isinstance(app.screen, ReasonModal)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, IdentitiesScreen)
    with demo.read() as s:
        assert list(s.exec(select(IdentityDecision))) == []


@pytest.mark.slow
@run_async
async def test_auditor_sees_record_ids_only_and_is_refused_a_decision(demo: Store) -> None:
    expected = identity.propose_matches(demo)
    app = PeermapApp(demo, AUDITOR)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_identities(pilot)
        shown = rows(screen)
        assert shown[0][2] == f"{expected[0].record_a} ({expected[0].agency_a})"
        assert expected[0].name_a not in detail(screen)
        assert "Names are not shown to your role" in detail(screen)
        await decide_selected(pilot, "c", "looks the same to me")
        assert isinstance(app.screen, NoticeModal)
        message = str(app.screen.query_one("#notice-message", Static).render())
        assert "may not confirm an identity match" in message
        await pilot.press("escape")
        await settle(pilot)
        assert len(rows(screen)) == len(shown)
    with demo.read() as s:
        assert list(s.exec(select(IdentityDecision))) == []


@pytest.mark.slow
@run_async
async def test_conflict_with_a_decision_made_meanwhile_is_shown(demo: Store) -> None:
    app = PeermapApp(demo, PRACTITIONER)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_identities(pilot)
        target = first_open(screen)
        table = screen.query_one("#proposals", DataTable)
        table.move_cursor(row=table.get_row_index(target))
        await pilot.pause()
        a, b = identity.resolve_pair(demo, target)
        identity.reject(demo, Actor("sam.colleague", Role.PANEL), a, b, "different children: checked with school")
        await decide_selected(pilot, "c", "same child")
        assert isinstance(app.screen, NoticeModal)
        message = str(app.screen.query_one("#notice-message", Static).render())
        assert "rejected as different people by sam.colleague" in message
    with demo.read() as s:
        assert [d.status for d in s.exec(select(IdentityDecision))] == ["rejected"]


@pytest.mark.slow
@run_async
async def test_hostile_names_are_shown_literally(look_alikes: Store) -> None:
    app = PeermapApp(look_alikes, PANEL)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_identities(pilot)
        assert rows(screen)[0][-1].startswith("M-withheld-")  # neither record is about anyone on the map
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, ReasonModal)
        app.screen.query_one("#reason", Input).value = "panel 3 Dec: duplicate records"
        await pilot.press("enter")
        await settle(pilot)
        await until(pilot, lambda: rows(screen)[0][-1] == "M-POL-1-SCH-1")
        shown = rows(screen)
        assert [r[-1] for r in shown] == ["M-POL-1-SCH-1"]
        assert shown[0][2] == f"{HOSTILE_NAME} (POL)" and shown[0][3] == f"{HOSTILE_NAME} (SCH)"
        assert HOSTILE_NAME in detail(screen)
        await pilot.click("#proposal-text")  # the "[@click=app.quit]" in the name must not run
        await decide_selected(pilot, "u", "[b]ask[/b] the school")
        assert app.is_running
        assert [r[4] for r in rows(screen)] == ["unsure"]  # still listed, labelled
    with look_alikes.read() as s:
        assert [(d.status, d.reason) for d in s.exec(select(IdentityDecision))] == [("unsure", "[b]ask[/b] the school")]
        purposes = [
            json.loads(e.payload).get("purpose")
            for e in s.exec(select(AuditEvent).where(AuditEvent.action == "identity.review"))
        ]
    assert "panel 3 Dec: duplicate records" in purposes


@pytest.mark.slow
@run_async
async def test_palette_opens_identities(demo: Store) -> None:
    app = PeermapApp(demo, PRACTITIONER)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"Identities")
        await until(pilot, lambda: app.screen.query_one(CommandList).option_count > 0)
        await pilot.press("enter")
        await settle(pilot)
        assert app.current_mode == "identities"
