"""Snapshots of the main screens on the demo borough (seed 7, fixed clock): check the SVGs, then update."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from test_tui_data import NOW, build_demo_db, build_hostile, copy_db
from textual.pilot import Pilot
from textual.widgets import DataTable, Input

from peermap.engine.access import Actor, Role
from peermap.engine.store import Store
from peermap.tui.app import PeermapApp
from peermap.tui.screens.panel import PanelScreen

SIZE = (100, 30)
WIDE = (150, 40)
PANEL = Actor("chair.panel", Role.PANEL)
PRACTITIONER = Actor("pat.practitioner", Role.PRACTITIONER)
AUDITOR = Actor("dee.auditor", Role.AUDITOR)
Snap = Callable[..., bool]


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PEERMAP_NOW", NOW.isoformat())


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo_db(tmp_path_factory.mktemp("tui-snap") / "demo.db")


@pytest.fixture
def demo(demo_template: Path, tmp_path: Path) -> Iterator[Store]:
    store = copy_db(demo_template, tmp_path / "demo.db")
    yield store
    store.dispose()


def steps(*keys: str, then: Callable[[Pilot], Awaitable[None]] | None = None) -> Callable[[Pilot], Awaitable[None]]:
    """Wait for the map, press keys (waiting for workers after each), then run `then`."""

    async def run(pilot: Pilot) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        if then is not None:
            await then(pilot)
            await settle(pilot)

    return run


async def settle(pilot: Pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.slow
def test_overview(snap_compare: Snap, demo: Store) -> None:
    assert snap_compare(PeermapApp(demo, PANEL), terminal_size=SIZE, run_before=steps())


@pytest.mark.slow
def test_overview_80x24(snap_compare: Snap, demo: Store) -> None:
    assert snap_compare(PeermapApp(demo, PRACTITIONER), terminal_size=(80, 24), run_before=steps())


@pytest.mark.slow
def test_map_graph(snap_compare: Snap, demo: Store) -> None:
    assert snap_compare(PeermapApp(demo, PRACTITIONER), terminal_size=SIZE, run_before=steps("m"))


@pytest.mark.slow
def test_map_wide_graph_and_list(snap_compare: Snap, demo: Store) -> None:
    assert snap_compare(PeermapApp(demo, PRACTITIONER), terminal_size=WIDE, run_before=steps("m"))


@pytest.mark.slow
def test_person(snap_compare: Snap, demo: Store) -> None:
    async def open_person(pilot: Pilot) -> None:
        table = pilot.app.screen.query_one("#map-list", DataTable)
        loaded = pilot.app.loaded  # type: ignore[attr-defined]
        person = next(s.person_id for s in loaded.shown if s.status == "included")
        table.move_cursor(row=table.get_row_index(f"person:{person}"))
        table.focus()
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("w")

    assert snap_compare(
        PeermapApp(demo, PRACTITIONER), terminal_size=WIDE, run_before=steps("m", "v", then=open_person)
    )


@pytest.mark.slow
def test_panel_preview(snap_compare: Snap, demo: Store) -> None:
    async def try_threshold(pilot: Pilot) -> None:
        screen = pilot.app.screen
        assert isinstance(screen, PanelScreen)
        field = screen.query_one("#pol-include-threshold", Input)
        field.cursor_blink = False  # a blinking cursor makes the picture depend on timing
        field.value = "0.6"
        screen.refresh_preview()  # what the typing pause would trigger; no timing in a snapshot

    assert snap_compare(PeermapApp(demo, PANEL), terminal_size=SIZE, run_before=steps("p", then=try_threshold))


@pytest.mark.slow
def test_interventions(snap_compare: Snap, demo: Store) -> None:
    assert snap_compare(PeermapApp(demo, PRACTITIONER), terminal_size=SIZE, run_before=steps("i"))


@pytest.mark.slow
def test_identities_80x24(snap_compare: Snap, demo: Store) -> None:
    assert snap_compare(PeermapApp(demo, PRACTITIONER), terminal_size=(80, 24), run_before=steps("y"))


@pytest.mark.slow
def test_audit_log_verified(snap_compare: Snap, demo: Store) -> None:
    assert snap_compare(PeermapApp(demo, AUDITOR), terminal_size=SIZE, run_before=steps("r", "l", "v"))


@pytest.mark.slow
def test_help(snap_compare: Snap, demo: Store) -> None:
    assert snap_compare(PeermapApp(demo, PRACTITIONER), terminal_size=SIZE, run_before=steps("question_mark"))


@pytest.mark.slow
def test_hostile_names_on_the_map(snap_compare: Snap, tmp_path: Path) -> None:
    store = copy_db(build_hostile(tmp_path / "template.db"), tmp_path / "hostile.db")
    try:
        assert snap_compare(PeermapApp(store, PRACTITIONER), terminal_size=WIDE, run_before=steps("m"))
    finally:
        store.dispose()
