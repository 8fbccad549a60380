"""Interventions: suggestions per group and place with their "because"; decide on each with a reason."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Footer, Header, LoadingIndicator, Static

from peermap.engine import visible_lines

from ..safe import join, plain
from ..widgets.reason import ReasonModal
from ..workspace import Loaded, decision_of
from .base import PeermapScreen

if TYPE_CHECKING:
    from peermap.engine import Suggestion
DECISIONS = {"accept": "Accept", "reject": "Reject", "defer": "Defer"}
DECISION_STYLE = {"accept": "bold green", "reject": "bold red", "defer": "bold yellow"}


class InterventionsScreen(PeermapScreen):
    """Every suggestion, held-back ones included (with why), and the decision on each."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "decide('accept')", "Accept"),
        Binding("x", "decide('reject')", "Reject"),
        Binding("d", "decide('defer')", "Defer"),
    ]

    AUTO_FOCUS = "#suggestions"

    def __init__(self) -> None:
        super().__init__()
        self._by_key: dict[str, Suggestion] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="interventions-body"):
            yield DataTable(id="suggestions", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="suggestion-detail", classes="panel-box"):
                yield LoadingIndicator(id="suggestions-loading")
                yield Static(id="suggestion-text")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#suggestions", DataTable)
        table.border_title = "Suggestions (a accept · x reject · d defer)"
        for label, width in (("Decision", 9), ("For", 14), ("Intervention", 40)):
            table.add_column(label, width=width)
        self.query_one("#suggestion-detail").border_title = "Because"

    @staticmethod
    def target_label(suggestion: Suggestion) -> str:
        prefix = {"group": "Group ", "location": "", "school": "School: "}.get(suggestion.target_kind, "")
        return prefix + suggestion.target_label

    def show_loaded(self, loaded: Loaded) -> None:
        self.query_one("#suggestions-loading").display = False
        table = self.query_one("#suggestions", DataTable)
        keep = table.cursor_row
        table.clear()
        self._by_key.clear()
        # Grouped by what they are for (groups, then places, then schools), best-ranked first within each.
        order = {"group": 0, "location": 1, "school": 2}
        ranked = sorted(
            enumerate(loaded.suggestions),
            key=lambda p: (order.get(p[1].target_kind, 3), p[1].target_label, p[0]),
        )
        for _rank, s in ranked:
            self._by_key[s.id] = s
            decided = decision_of(s)
            if s.held_back:
                cells = [
                    plain("held back", "dim italic"),
                    plain(self.target_label(s), "dim"),
                    plain(s.title, "dim strike"),
                ]
            else:
                cells = [
                    plain(decided or "awaiting", DECISION_STYLE.get(decided, "italic")),
                    plain(self.target_label(s)),
                    plain(s.title),
                ]
            table.add_row(*cells, key=s.id)
        if table.row_count:
            table.move_cursor(row=min(keep, table.row_count - 1))
            self._show_detail()
        else:
            self.query_one("#suggestion-text", Static).update(
                plain("No suggestions: nobody included is in a group or tied to a place of concern.", "italic")
            )

    def selected(self) -> Suggestion | None:
        table = self.query_one("#suggestions", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self._by_key.get(str(key))

    @on(DataTable.RowHighlighted, "#suggestions")
    def _show_detail(self) -> None:
        s = self.selected()
        loaded = self.loaded
        if s is None or loaded is None:
            return
        text = join(
            (s.title, "bold"),
            ("\nfor ", "dim"),
            self.target_label(s),
            (f"  ·  {s.level} level", "dim"),
            "\n\n",
            s.because,
        )
        if s.held_back:
            text.append("\n\nHeld back: ", style="bold red")
            text.append(visible_lines(s.held_back))
        if s.decision is not None:
            d = s.decision
            text.append("\n\nDecision: ", style="bold")
            text.append(d.decision, style=DECISION_STYLE.get(d.decision, ""))
            text.append(visible_lines(f" by {d.actor} ({d.role}) on {d.decided_at:%Y-%m-%d %H:%M}: "), style="dim")
            text.append(visible_lines(self.workspace.text(loaded, d.reason)), style="italic")
        if s.members and loaded is not None:
            names = [loaded.result.snapshot.people[m].name for m in s.members if m in loaded.result.snapshot.people]
            text.append("\n\nFor: ", style="bold")
            text.append(visible_lines(", ".join(names)))
        for label, value in (
            ("Partners", ", ".join(s.partners)),
            ("Builds on", ", ".join(s.builds_on)),
            ("Guidance", s.guidance),
        ):
            if value:
                text.append(f"\n\n{label}: ", style="bold")
                text.append(visible_lines(value.replace("_", " ") if label == "Builds on" else value))
        self.query_one("#suggestion-text", Static).update(text)

    def action_decide(self, decision: str) -> None:
        s = self.selected()
        if s is None:
            return
        detail = f"{DECISIONS[decision]}: {s.title} (for {self.target_label(s)})"

        def done(reason: str | None) -> None:
            if reason:
                self._decide(str(s.id), decision, reason)

        self.app.push_screen(
            ReasonModal(f"{DECISIONS[decision]} this suggestion", detail, confirm=DECISIONS[decision]), done
        )

    @work(thread=True, exclusive=True, group="decide")
    def _decide(self, suggestion_id: str, decision: str, reason: str) -> None:
        try:
            loaded = self.loaded
            if loaded is None:
                return
            self.workspace.decide(loaded, suggestion_id, decision, reason)
        except Exception as exc:  # the refusal (or fault) is shown, the UI stays up
            self.app.call_from_thread(self.peermap.refused, exc)
            return
        self.app.call_from_thread(self._decided, decision)

    def _decided(self, decision: str) -> None:
        self.notify(f"Decision recorded: {decision}.", markup=False)
        self.peermap.refresh_suggestions()
