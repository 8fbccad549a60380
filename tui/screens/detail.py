"""What the group and place screens share: a heading, a profile, a list of members to open, suggestions."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Footer, Header, Static

from peermap.engine import visible_lines

from ..safe import plain
from ..workspace import Loaded, Workspace, decision_of
from .base import PeermapScreen


def kinds(values: dict[str, Any], fmt: str = "{}") -> str:
    """'a (0.81), b (0.60)' from a {kind: value} profile, strongest first."""
    items = sorted(values.items(), key=lambda kv: (-float(kv[1]), kv[0]))
    return ", ".join(f"{k.replace('_', ' ')} ({fmt.format(v)})" for k, v in items) or "none recorded"


def suggestion_lines(loaded: Loaded, kind: str, target_id: str) -> Text:
    """The suggestions aimed at one group or place, held-back ones with their reason."""
    out = Text()
    for s in loaded.suggestions:
        if Workspace.target_of(loaded, s) != (kind, target_id):
            continue
        if s.held_back:
            out.append("✗ ", style="dim")
            out.append(visible_lines(s.title), style="dim strike")
            out.append("  held back: ", style="dim")
            out.append(visible_lines(s.held_back), style="dim italic")
        else:
            out.append("• ")
            out.append(visible_lines(s.title), style="bold")
            out.append(f"  ({decision_of(s) or 'awaiting decision'})", style="dim")
            out.append("\n   ")
            out.append(visible_lines(s.because), style="italic")
        out.append("\n")
    out.rstrip()
    return out or plain("No suggestions for this one.", "dim")


class DetailScreen(PeermapScreen):
    """A profile on the left, the young people and places it ties together on the right."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back"),
    ]

    AUTO_FOCUS = "#detail-members"

    def __init__(self, node_id: str) -> None:
        super().__init__()
        self.node_id = node_id

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(classes="detail-body"):
            with VerticalScroll(classes="detail-left"):
                yield Static(id="detail-title", classes="banner")
                yield Static(id="detail-profile", classes="panel-box")
                yield Static(id="detail-suggestions", classes="panel-box")
            yield DataTable(id="detail-members", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#detail-profile", Static).border_title = "Profile"
        self.query_one("#detail-suggestions", Static).border_title = "Suggested interventions"
        table = self.query_one("#detail-members", DataTable)
        table.border_title = "Members (enter opens)"
        for label, width in (("Kind", 6), ("Name", 22), ("Status", 10), ("Id", 8)):
            table.add_column(label, width=width)

    def fill_members(self, loaded: Loaded, people: list[str], places: list[str]) -> None:
        table = self.query_one("#detail-members", DataTable)
        table.clear()
        snap = loaded.result.snapshot
        for pid in people:
            st = self.workspace.status(loaded, pid)
            if st is None:
                continue
            style = "dim" if st.status == "greyed" else ""
            table.add_row(
                plain("person"),
                plain(snap.people[pid].name, style),
                plain(st.status, style),
                plain(pid, "dim"),
                key=f"person:{pid}",
            )
        for loc in places:
            if loc in snap.locations:
                table.add_row(
                    plain("place"),
                    plain(snap.locations[loc].name, "yellow"),
                    plain("of concern" if snap.locations[loc].of_concern else ""),
                    plain(loc, "dim"),
                    key=f"place:{loc}",
                )

    @on(DataTable.RowSelected, "#detail-members")
    def _open(self, event: DataTable.RowSelected) -> None:
        kind, _, node_id = str(event.row_key.value).partition(":")
        self.open_record("person" if kind == "person" else "place", node_id)
