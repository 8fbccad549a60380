"""The terminal UI driven by Pilot: each workflow of a practitioner, a panel or an auditor, on real data."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlmodel import select
from test_tui_data import (
    HOSTILE_NAME,
    HOSTILE_NOTE,
    HOSTILE_PLACE,
    NOW,
    build_demo_db,
    build_hostile,
    copy_db,
    run_async,
)
from textual.command import CommandList
from textual.pilot import Pilot
from textual.widgets import Button, Checkbox, DataTable, Input, Static

from peermap.engine import audit, load_language_guide
from peermap.engine.access import Actor, Role
from peermap.engine.errors import PermissionDenied
from peermap.engine.identity_source import os_login
from peermap.engine.models import Decision
from peermap.engine.policy import policy_history, policy_in_force, set_policy, with_changes
from peermap.engine.store import Store
from peermap.tui.app import PeermapApp
from peermap.tui.safe import flagged
from peermap.tui.screens.group import GroupScreen
from peermap.tui.screens.help import HelpScreen
from peermap.tui.screens.map import MapScreen
from peermap.tui.screens.panel import PanelScreen
from peermap.tui.screens.person import PersonScreen
from peermap.tui.screens.place import PlaceScreen
from peermap.tui.widgets.arc import GroupBox
from peermap.tui.widgets.notice import NoticeModal
from peermap.tui.widgets.reason import ReasonModal

SIZE = (120, 40)
PANEL = Actor("chair.panel", Role.PANEL)
PRACTITIONER = Actor("pat.practitioner", Role.PRACTITIONER)
AUDITOR = Actor("dee.auditor", Role.AUDITOR)


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    # The environment (not engine.clock.frozen) so the UI's worker threads see the same "now".
    monkeypatch.setenv("PEERMAP_NOW", NOW.isoformat())


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo_db(tmp_path_factory.mktemp("tui-demo") / "demo.db")


@pytest.fixture(scope="session")
def hostile_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_hostile(tmp_path_factory.mktemp("tui-hostile") / "hostile.db")


@pytest.fixture
def demo(demo_template: Path, tmp_path: Path) -> Iterator[Store]:
    store = copy_db(demo_template, tmp_path / "demo.db")
    yield store
    store.dispose()


@pytest.fixture
def hostile(hostile_template: Path, tmp_path: Path) -> Iterator[Store]:
    store = copy_db(hostile_template, tmp_path / "hostile.db")
    yield store
    store.dispose()


async def settle(pilot: Pilot) -> None:
    """Let every worker finish and the screen repaint."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def until(pilot: Pilot, condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Wait (on a busy machine too) until `condition` holds; fail after `timeout` seconds."""
    waited = 0.0
    while not condition():
        assert waited < timeout, "the screen did not get there in time"
        await pilot.pause(0.1)
        await pilot.app.workers.wait_for_complete()
        waited += 0.1


def text_of(widget: Static) -> str:
    return str(widget.render())


def screen_text(app: PeermapApp) -> str:
    """Everything the current screen shows in Statics and tables (what a user could read)."""
    parts = [text_of(w) for w in app.screen.query(Static)]
    for table in app.screen.query(DataTable):
        for i in range(table.row_count):
            parts.extend(str(c) for c in table.get_row_at(i))
    return "\n".join(parts)


async def open_map_row(pilot: Pilot, key: str) -> None:
    table = pilot.app.screen.query_one("#map-list", DataTable)
    table.move_cursor(row=table.get_row_index(key))
    table.focus()
    await pilot.press("enter")
    await settle(pilot)


# --------------------------------------------------------------------------------------------- overview


@pytest.mark.slow
@run_async
async def test_overview_shows_counts_policy_and_who_is_acting(demo: Store) -> None:
    app = PeermapApp(demo, PANEL)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.loaded is not None
        counts = app.workspace.counts(app.loaded)
        assert text_of(app.screen.query_one("#stat-included", Static)).startswith(str(counts.included))
        assert text_of(app.screen.query_one("#stat-left_out", Static)).startswith(str(counts.left_out))
        assert text_of(app.screen.query_one("#stat-groups", Static)).startswith(str(counts.groups))
        assert counts.included > 0 and counts.left_out > 0 and counts.groups > 0
        assert app.sub_title == "chair.panel · panel"
        assert "panel" in text_of(app.screen.query_one("#acting", Static))
        assert "Version 1" in text_of(app.screen.query_one("#policy", Static))


# --------------------------------------------------------------------------------------------- map


@pytest.mark.slow
@run_async
async def test_map_draws_groups_and_lists_only_shown_people(demo: Store) -> None:
    app = PeermapApp(demo, PRACTITIONER)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        loaded = app.loaded
        assert loaded is not None and isinstance(app.screen, MapScreen)
        boxes = list(app.screen.query(GroupBox))
        assert len(boxes) >= len(loaded.result.groups)
        drawn = "\n".join(text_of(b) for b in boxes)
        assert "─" in drawn and "╌" in drawn  # both confidence bands appear on the demo map
        table = app.screen.query_one("#map-list", DataTable)
        keys = {str(k.value) for k in table.rows}
        shown = {s.person_id for s in loaded.shown}
        assert {k.split(":", 1)[1] for k in keys if k.startswith("person:")} == shown
        left_out = set(loaded.result.left_out_ids)
        names = {loaded.result.snapshot.people[p].name for p in left_out} - {
            loaded.result.snapshot.people[p].name for p in shown
        }
        everything = screen_text(app)
        assert not any(p in everything for p in left_out)
        assert not any(n in everything for n in names)


@pytest.mark.slow
@run_async
async def test_map_filter_and_open_group_and_place(demo: Store) -> None:
    app = PeermapApp(demo, PRACTITIONER)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        loaded = app.loaded
        assert loaded is not None
        group = loaded.result.groups[0]
        await open_map_row(pilot, f"group:{group.id}")
        assert isinstance(app.screen, GroupScreen)
        assert group.id in text_of(app.screen.query_one("#detail-title", Static))
        await pilot.press("escape")
        place = next(iter(loaded.places))
        await open_map_row(pilot, f"place:{place}")
        assert isinstance(app.screen, PlaceScreen)
        await pilot.press("escape")
        await pilot.press("slash")
        await pilot.press(*"G-01")
        await settle(pilot)
        table = app.screen.query_one("#map-list", DataTable)
        assert 0 < table.row_count < len(loaded.shown)


@pytest.mark.slow
@run_async
async def test_group_box_opens_its_group(demo: Store) -> None:
    app = PeermapApp(demo, PRACTITIONER)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        box = app.screen.query(GroupBox).first()
        box.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, GroupScreen)


@pytest.mark.slow
@run_async
async def test_small_terminal_shows_one_pane_at_a_time(demo: Store) -> None:
    app = PeermapApp(demo, PRACTITIONER)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        assert app.screen.has_class("-graph-only")
        assert not app.screen.query_one("#list-pane").display or not app.screen.query_one("#list-pane").region
        await pilot.press("v")
        await settle(pilot)
        assert app.screen.has_class("-list-only")
        assert isinstance(app.focused, DataTable)


# --------------------------------------------------------------------------------------------- young person


@pytest.mark.slow
@run_async
async def test_person_detail_records_the_view_and_explains_a_link(demo: Store) -> None:
    app = PeermapApp(demo, PRACTITIONER)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        loaded = app.loaded
        assert loaded is not None
        person = next(s.person_id for s in loaded.shown if s.status == "included")
        await open_map_row(pilot, f"person:{person}")
        assert isinstance(app.screen, PersonScreen)
        name = loaded.result.snapshot.people[person].name
        assert name in text_of(app.screen.query_one("#person-title", Static))
        assert "included" in text_of(app.screen.query_one("#person-title", Static))
        links = app.screen.query_one("#person-links", DataTable)
        assert links.row_count > 0
        await pilot.press("w")
        await settle(pilot)
        why = text_of(app.screen.query_one("#why", Static))
        assert "Confidence" in why
    views = audit.events(demo, AUDITOR, action="view_person")
    assert [ev.payload for ev in views] == [
        audit.canonical_json(
            {
                "person_id": person,
                "person_ids": [person],
                "recipient": f"{PRACTITIONER.name} (on screen)",
                "via": "tui",
                "who": {"role_basis": "self-declared"},
            }
        )
    ]
    assert views[0].actor == PRACTITIONER.name


@pytest.mark.slow
@run_async
async def test_flagged_wording_is_marked_where_a_note_is_shown(demo: Store) -> None:
    app = PeermapApp(demo, PRACTITIONER)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        loaded = app.loaded
        assert loaded is not None
        snap = loaded.result.snapshot
        guide = load_language_guide()
        shown = {s.person_id for s in loaded.shown}
        person = next(c.person_id for c in snap.concerns if c.person_id in shown and c.note and guide.find(c.note))
        await open_map_row(pilot, f"person:{person}")
        shown_text = text_of(app.screen.query_one("#person-factors", Static))
        assert "⚑" in shown_text and "say " in shown_text
        flagged_phrases = {
            h.phrase for c in snap.concerns if c.person_id == person and c.note for h in guide.find(c.note)
        }
        assert all(f"⚑ “{p}”" in shown_text for p in flagged_phrases)


def test_flagged_marks_each_phrase_and_keeps_markup_literal() -> None:
    out = flagged("[b]Streetwise[/b] and keeps going missing")
    assert out.plain.startswith("[b]Streetwise[/b] and keeps going missing")
    spans = [out.plain[s.start : s.end] for s in out.spans if "underline" in str(s.style)]
    assert spans == ["Streetwise", "keeps going missing"]
    assert flagged("Went to the library").plain == "Went to the library"


@pytest.mark.slow
@run_async
async def test_left_out_young_person_is_never_shown(demo: Store) -> None:
    app = PeermapApp(demo, PRACTITIONER)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        loaded = app.loaded
        assert loaded is not None
        left_out = loaded.result.left_out_ids[0]
        app.push_screen(PersonScreen(left_out))
        await settle(pilot)
        assert "not on the map" in text_of(app.screen.query_one("#person-title", Static))
        assert loaded.result.snapshot.people[left_out].name not in screen_text(app)
    assert audit.events(demo, AUDITOR, action="view_person") == []


# --------------------------------------------------------------------------------------------- panel


async def set_include_threshold(pilot: Pilot, value: str) -> None:
    screen = pilot.app.screen
    assert isinstance(screen, PanelScreen)
    field = screen.query_one("#pol-include-threshold", Input)
    field.focus()
    field.value = value
    await pilot.pause()
    screen.refresh_preview()  # what the pause after typing triggers (the timer is tested on its own below)
    await settle(pilot)


@pytest.mark.slow
@run_async
async def test_panel_previews_threshold_change_and_commits_with_reason(demo: Store) -> None:
    app = PeermapApp(demo, PANEL)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        await set_include_threshold(pilot, "0.6")
        table = app.screen.query_one("#preview-table", DataTable)
        assert table.row_count > 0
        first = [str(c) for c in table.get_row_at(0)]
        assert first[2] != first[3]  # from → to
        assert "would move." in text_of(app.screen.query_one("#preview-summary", Static))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ReasonModal)
        await pilot.press("enter")  # an empty reason is refused
        assert isinstance(app.screen, ReasonModal)
        await pilot.press(*"more included, agreed at MACE")
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, ReasonModal)
    record = policy_in_force(demo)
    assert record.version == 2
    assert record.body.include_threshold == 0.6
    assert record.reason == "more included, agreed at MACE"
    assert [e.action for e in audit.events(demo, AUDITOR, action="policy_set")] == ["policy_set"]


@run_async
async def test_a_commit_after_another_panel_members_is_refused_and_previewed_again(demo: Store) -> None:
    """Two panel members at once (issue 18.2): the second commit, based on the version she previewed, is refused."""
    app = PeermapApp(demo, PANEL)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        await set_include_threshold(pilot, "0.6")
        # meanwhile another panel member commits from another terminal
        other = Actor("second.panel", Role.PANEL)
        set_policy(demo, other, with_changes(policy_in_force(demo).body, min_agencies=3), "agreed elsewhere")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press(*"more included")
        await pilot.press("enter")
        await settle(pilot)
        notice = next(s for s in app.screen_stack if isinstance(s, NoticeModal))
        message = text_of(notice.query_one("#notice-message", Static))
        assert "based on policy version 1, but version 2 was committed since by second.panel" in message
        assert "preview your change again" in message
    history = policy_history(demo)
    assert [r.version for r in history] == [1, 2] and history[-1].actor == "second.panel"


@pytest.mark.slow
@run_async
async def test_practitioner_sees_a_clear_refusal_when_committing(demo: Store) -> None:
    app = PeermapApp(demo, PRACTITIONER)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        assert "committing needs the panel role" in text_of(app.screen.query_one("#policy-current", Static))
        await set_include_threshold(pilot, "0.6")
        assert app.screen.query_one("#preview-table", DataTable).row_count > 0  # preview is allowed
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, NoticeModal)
        message = text_of(app.screen.query_one("#notice-message", Static))
        assert "may not change the inclusion policy" in message and "panel" in message
        await pilot.press("enter")
        assert not isinstance(app.screen, NoticeModal)
    assert policy_in_force(demo).version == 1


@pytest.mark.slow
@run_async
async def test_panel_form_rejects_invalid_policy(demo: Store) -> None:
    app = PeermapApp(demo, PANEL)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        await set_include_threshold(pilot, "0.3")  # below the grey threshold
        assert "grey_threshold" in text_of(app.screen.query_one("#form-error", Static))
        app.screen.query_one("#pol-include-threshold", Input).value = "0.7"
        checkbox = app.screen.query_one("#pol-co-offending-direct", Checkbox)
        checkbox.value = not checkbox.value
        # No explicit refresh: the pause after the last change triggers validation and the preview.
        await until(pilot, lambda: "would move." in text_of(app.screen.query_one("#preview-summary", Static)))
        assert text_of(app.screen.query_one("#form-error", Static)) == ""


# --------------------------------------------------------------------------------------------- interventions


async def decide_selected(pilot: Pilot, key: str, reason: str) -> None:
    await pilot.press(key)
    await settle(pilot)
    assert isinstance(pilot.app.screen, ReasonModal)
    await pilot.press(*reason)
    await pilot.press("enter")
    await settle(pilot)


@pytest.mark.slow
@run_async
async def test_intervention_decision_is_recorded(demo: Store) -> None:
    app = PeermapApp(demo, PRACTITIONER)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        loaded = app.loaded
        assert loaded is not None
        table = app.screen.query_one("#suggestions", DataTable)
        target = next(s for s in loaded.suggestions if not s.held_back)
        table.move_cursor(row=table.get_row_index(target.id))
        await pilot.pause()
        assert target.because in text_of(app.screen.query_one("#suggestion-text", Static))
        await decide_selected(pilot, "a", "youth service has capacity")
        row = [str(c) for c in table.get_row_at(table.get_row_index(target.id))]
        assert row[0] == "accept"
    with demo.read() as s:
        decisions = list(s.exec(select(Decision)))
    assert [(d.suggestion_id, d.decision, d.reason) for d in decisions] == [
        (target.id, "accept", "youth service has capacity")
    ]


@pytest.mark.slow
@run_async
async def test_held_back_suggestion_shows_why_and_cannot_be_accepted(demo: Store) -> None:
    app = PeermapApp(demo, PRACTITIONER)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        loaded = app.loaded
        assert loaded is not None
        held = next(s for s in loaded.suggestions if s.held_back)
        table = app.screen.query_one("#suggestions", DataTable)
        table.move_cursor(row=table.get_row_index(held.id))
        await pilot.pause()
        assert "Held back" in text_of(app.screen.query_one("#suggestion-text", Static))
        await decide_selected(pilot, "a", "try anyway")
        assert isinstance(app.screen, NoticeModal)
        assert "held back" in text_of(app.screen.query_one("#notice-message", Static))
        await pilot.press("escape")
        await decide_selected(pilot, "d", "revisit after the strategy meeting")
        assert not isinstance(app.screen, NoticeModal)
    with demo.read() as s:
        assert [d.decision for d in s.exec(select(Decision))] == ["defer"]


@pytest.mark.slow
@run_async
async def test_auditor_may_not_decide(demo: Store) -> None:
    app = PeermapApp(demo, AUDITOR)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        await decide_selected(pilot, "x", "not my call")
        assert isinstance(app.screen, NoticeModal)
        assert "may not decide" in text_of(app.screen.query_one("#notice-message", Static))


# ------------------------------------------------------------------------------------ reports and audit


@pytest.mark.slow
@run_async
async def test_report_generation_writes_a_file(demo: Store, tmp_path: Path) -> None:
    out = tmp_path / "out" / "audit.html"
    app = PeermapApp(demo, AUDITOR)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        app.screen.query_one("#report-path", Input).value = str(out)
        app.screen.query_one("#report-recipient", Input).value = "DPO review"
        await pilot.click("#generate")
        await settle(pilot)
        assert "Written" in text_of(app.screen.query_one("#report-result", Static))
        assert not app.screen.query_one("#generate", Button).disabled
    assert out.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")
    reports = audit.events(demo, AUDITOR, action="report")
    assert len(reports) == 1 and '"recipient":"DPO review"' in reports[0].payload


@pytest.mark.slow
@run_async
async def test_reports_are_offered_in_the_reports_folder_not_the_working_folder(
    demo: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PEERMAP_REPORTS", str(tmp_path / "my-reports"))
    monkeypatch.chdir(tmp_path)
    app = PeermapApp(demo, AUDITOR)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        offered = Path(app.screen.query_one("#report-path", Input).value)
        assert offered.parent == tmp_path / "my-reports"
        await pilot.click("#generate")
        await settle(pilot)
        assert "Written" in text_of(app.screen.query_one("#report-result", Static))
    assert offered.exists()
    assert [p.name for p in tmp_path.iterdir() if p.suffix in {".html", ".md", ".json"}] == []


@pytest.mark.slow
@run_async
async def test_subject_report_refused_for_practitioner(demo: Store, tmp_path: Path) -> None:
    app = PeermapApp(demo, PRACTITIONER)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        loaded = app.loaded
        assert loaded is not None
        app.screen.query_one("#report-kind").value = "subject"  # type: ignore[attr-defined]
        app.screen.query_one("#report-subject", Input).value = loaded.shown[0].person_id
        app.screen.query_one("#report-path", Input).value = str(tmp_path / "sar.md")
        await pilot.pause()  # the subject field appears and the button moves down
        await pilot.click("#generate")
        await settle(pilot)
        assert "may not produce a subject-access report" in text_of(app.screen.query_one("#report-result", Static))
    assert not (tmp_path / "sar.md").exists()


@pytest.mark.slow
@run_async
async def test_audit_log_and_verify_intact_then_tampered(demo: Store, tmp_path: Path) -> None:
    app = PeermapApp(demo, AUDITOR)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        log = app.screen.query_one("#audit-log", DataTable)
        assert log.row_count == audit.count(demo)
        await pilot.press("v")
        await settle(pilot)
        assert "intact" in text_of(app.screen.query_one("#verify-result", Static))
        db = tmp_path / "demo.db"
        with sqlite3.connect(db) as conn:
            conn.execute("UPDATE audit_event SET payload = '{}' WHERE seq = 2")
        await pilot.press("v")
        await settle(pilot)
        verdict = text_of(app.screen.query_one("#verify-result", Static))
        assert "broken at event 2" in verdict and "edited" in verdict


@pytest.mark.slow
@run_async
async def test_practitioner_cannot_read_the_audit_log_but_can_verify(demo: Store) -> None:
    app = PeermapApp(demo, PRACTITIONER)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        assert "not open to your role" in text_of(app.screen.query_one("#verify-result", Static))
        await pilot.press("v")
        await settle(pilot)
        assert "intact" in text_of(app.screen.query_one("#verify-result", Static))


# --------------------------------------------------------------------------------------------- record text


@pytest.mark.slow
@run_async
async def test_hostile_record_text_is_shown_literally(hostile: Store) -> None:
    app = PeermapApp(hostile, PRACTITIONER)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        table = app.screen.query_one("#map-list", DataTable)
        row = [str(c) for c in table.get_row_at(table.get_row_index("person:H1"))]
        assert HOSTILE_NAME in row
        box = text_of(app.screen.query(GroupBox).first())
        assert "[bold red]Mallory[/" in box and "[reverse]Park" in box
        assert "Left [Out] Person" not in screen_text(app)  # left out: never named
        await open_map_row(pilot, "person:H1")
        assert isinstance(app.screen, PersonScreen)
        assert HOSTILE_NAME in text_of(app.screen.query_one("#person-title", Static))
        assert HOSTILE_NOTE in text_of(app.screen.query_one("#person-factors", Static))
        # Clicking the name must not run the "[@click=app.quit]" it contains.
        await pilot.click("#person-title")
        await pilot.press("escape")
        await pilot.click(GroupBox, offset=(4, 1))
        await settle(pilot)
        assert app.is_running
        assert isinstance(app.screen, PersonScreen)  # the click on the member's name opened that member


@pytest.mark.slow
@run_async
async def test_hostile_text_in_palette_and_notices_is_literal(hostile: Store) -> None:
    app = PeermapApp(hostile, PRACTITIONER)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"Mallory")

        def prompts() -> list[str]:
            options = app.screen.query_one(CommandList)
            return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]

        await until(pilot, lambda: any(HOSTILE_NAME in p for p in prompts()))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen)
        app.refused(PermissionDenied(HOSTILE_PLACE))
        await settle(pilot)
        assert text_of(app.screen.query_one("#notice-message", Static)) == HOSTILE_PLACE


# --------------------------------------------------------------------------------------------- shell


@pytest.mark.slow
@run_async
async def test_help_screen_and_navigation_keys(demo: Store) -> None:
    app = PeermapApp(demo, PANEL)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        for key, mode in (("m", "map"), ("i", "interventions"), ("r", "reports"), ("o", "overview")):
            await pilot.press(key)
            await settle(pilot)
            assert app.current_mode == mode
        await pilot.press("p")
        await settle(pilot)
        assert app.current_mode == "panel"
        await pilot.press("escape")  # out of the form field, so letters navigate again
        await pilot.press("m")
        assert app.current_mode == "map"


@pytest.mark.slow
@run_async
async def test_palette_jumps_to_screens(demo: Store) -> None:
    app = PeermapApp(demo, PANEL)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"Interventions")
        await until(pilot, lambda: app.screen.query_one(CommandList).option_count > 0)
        await pilot.press("enter")
        await settle(pilot)
        assert app.current_mode == "interventions"


def test_tui_command_opens_the_database_in_force(demo_template: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from peermap.cli import app as cli
    from peermap.tui import app as tui_app

    seen: list[tuple[str, Actor]] = []
    monkeypatch.setattr(tui_app, "run_app", lambda store, actor: seen.append((store.url, actor)))
    result = CliRunner().invoke(cli, ["--db", str(demo_template), "--actor", "chair", "--role", "panel", "tui"])
    assert result.exit_code == 0, result.output
    # SQLite: the login is the operating system's, "chair" only a label, the role a self-declared claim.
    assert seen == [(f"sqlite:///{demo_template}", Actor(os_login(), Role.PANEL, label="chair", held=(Role.PANEL,)))]


def test_tui_command_explains_a_missing_database(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from peermap.cli import app as cli

    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "none.db"), "tui"])
    assert result.exit_code == 2
    assert "peermap demo" in result.output


@pytest.mark.slow
@run_async
async def test_import_checks_everything_then_writes_and_recomputes(store: Store) -> None:
    data = Path(__file__).parent / "data"
    app = PeermapApp(store, PRACTITIONER)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.loaded is not None and app.loaded.shown == []  # an empty database opens on an empty map
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("d")
        app.screen.query_one("#import-path", Input).value = str(data / "bad" / "bad_date_format")
        await pilot.press("enter")
        await settle(pilot)
        refused = text_of(app.screen.query_one("#import-result", Static))
        assert refused.startswith("Nothing imported.") and "import rejected, nothing written" in refused
        app.screen.query_one("#import-path", Input).value = str(data / "good")
        await pilot.press("enter")
        await settle(pilot)
        assert text_of(app.screen.query_one("#import-result", Static)).startswith("Imported")
        assert app.loaded is not None and app.loaded.result.snapshot.people  # the map was recomputed
    assert [e.action for e in audit.events(store, AUDITOR, action="import")] == ["import"]


@pytest.mark.slow
@run_async
async def test_narrow_terminal_shows_the_why_in_place_of_the_record(demo: Store) -> None:
    app = PeermapApp(demo, PRACTITIONER)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        loaded = app.loaded
        assert loaded is not None
        app.push_screen(PersonScreen(next(s.person_id for s in loaded.shown)))
        await settle(pilot)
        assert app.screen.has_class("-narrow")
        await pilot.press("w")
        await settle(pilot)
        assert app.screen.has_class("-why")
        assert "Confidence" in text_of(app.screen.query_one("#why", Static))
        await pilot.press("escape")  # back to the record, not out of it
        assert isinstance(app.screen, PersonScreen) and not app.screen.has_class("-why")
        await pilot.press("escape")
        assert not isinstance(app.screen, PersonScreen)
