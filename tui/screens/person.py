"""A young person's record as the map sees it: status and reasons, links, the trace behind each, strengths
and concerns. Opening it is recorded in the audit trail; left-out young people are never shown."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.events import Resize
from textual.widgets import DataTable, Footer, Header, LoadingIndicator, Static

from peermap.engine import visible_lines

from ..safe import describe, flagged, join, plain
from ..workspace import Loaded
from .base import PeermapScreen

NARROW = 100  # below this width the explanation replaces the record instead of sitting beside it
STATUS_STYLE = {"included": "bold reverse", "greyed": "dim reverse"}


class PersonScreen(PeermapScreen):
    """One young person; `w` (or Enter) on a link shows why the engine believes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("w", "why", "Why?"),
        Binding("g", "open_other", "Open linked"),
    ]

    AUTO_FOCUS = "#person-links"

    def __init__(self, person_id: str) -> None:
        super().__init__()
        self.person_id = person_id
        self._logged = False
        self._links: dict[str, tuple[str, str, str]] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="person-body"):
            with VerticalScroll(id="person-left", can_focus=False):
                yield Static(id="person-title", classes="banner")
                yield Static(id="person-reasons", classes="panel-box")
                yield DataTable(id="person-links", cursor_type="row", zebra_stripes=True)
                yield Static(id="person-factors", classes="panel-box")
            with Vertical(id="why-pane"):
                yield Static(
                    plain("Select a link and press w (or Enter) to see why it is on the map."),
                    id="why-hint",
                    classes="hint",
                )
                yield LoadingIndicator(id="why-loading")
                with VerticalScroll(id="why-scroll"):
                    yield Static(id="why")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#why-loading").display = False
        self.query_one("#person-reasons", Static).border_title = "Status and reasons"
        self.query_one("#person-factors", Static).border_title = "Strengths and concerns"
        self.query_one("#why-pane").border_title = "Why? (evidence and trace)"
        table = self.query_one("#person-links", DataTable)
        table.border_title = "Links"
        for label, width in (("Linked to", 24), ("Relation", 12), ("Conf.", 5), ("Uncert.", 7), ("Line", 4)):
            table.add_column(label, width=width)

    def show_loaded(self, loaded: Loaded) -> None:
        status = self.workspace.status(loaded, self.person_id)
        if status is None:
            # Left out (or unknown): never named, never drawn, nothing to record as viewed.
            self.query_one("#person-title", Static).update(
                plain("This young person is not on the map under the policy in force.", "bold")
            )
            self.query_one("#person-reasons").display = False
            self.query_one("#person-links").display = False
            self.query_one("#person-factors").display = False
            self.query_one("#why-pane").display = False
            return
        if not self._logged:
            self._logged = True
            self.workspace.log_view(self.person_id)
        snap = loaded.result.snapshot
        person = snap.people[self.person_id]
        title = join(
            (person.name, "bold"),
            ("  ", ""),
            (f" {status.status} ", STATUS_STYLE.get(status.status, "")),
            ("  id ", "dim"),
            self.person_id,
        )
        details = [v for v in (person.area, person.school) if v]
        if details:
            title.append("\n" + " · ".join(details), style="dim")
        if person.review_by is not None:
            overdue = person.review_by < loaded.as_at
            title.append(f"\nReview by {person.review_by.isoformat()}", style="bold red" if overdue else "")
            if overdue:
                title.append(" (overdue)", style="bold red")
        if status.status == "greyed":
            title.append("\nGreyed: drawn faded and never a target of intervention suggestions.", style="italic")
        self.query_one("#person-title", Static).update(title)

        reasons = Text()
        for reason in status.reasons:
            reasons.append("• ")
            reasons.append(visible_lines(self.workspace.text(loaded, reason.text)))
            reasons.append("\n")
        for incident, roles in sorted(status.roles.items()):
            reasons.append("• ")
            reasons.append(visible_lines(self.workspace.label(loaded, incident)), style="bold")
            reasons.append(": " + ", ".join(roles) + "\n")
        reasons.rstrip()
        self.query_one("#person-reasons", Static).update(reasons or plain("No reasons recorded.", "dim"))

        table = self.query_one("#person-links", DataTable)
        table.clear()
        self._links.clear()
        for i, link in enumerate(self.workspace.links_of(loaded, self.person_id)):
            other = link.target if link.source == self.person_id else link.source
            style = "" if link.band == "solid" else "dim"
            key = f"link-{i}"
            self._links[key] = (self.person_id, other, link.relation)
            table.add_row(
                plain(self.workspace.label(loaded, other), style),
                plain(link.relation.replace("_", " "), style),
                plain(f"{link.confidence:.2f}", style),
                plain(f"±{link.uncertainty:.2f}", style),
                plain("───" if link.band == "solid" else "╌╌╌", "bold" if link.band == "solid" else "dim"),
                key=key,
            )

        factors = Text()
        for heading, items in (
            ("Strengths", [x for x in snap.strengths if x.person_id == self.person_id]),
            ("Concerns", [x for x in snap.concerns if x.person_id == self.person_id]),
        ):
            factors.append(heading + "\n", style="bold")
            if not items:
                factors.append("  none recorded\n", style="dim")
            for item in items:
                factors.append("  • ")
                factors.append(visible_lines(item.kind.replace("_", " ")))
                factors.append(
                    visible_lines(f"  {item.agency} {item.grading or ''} {item.recorded_on.isoformat()}"), style="dim"
                )
                if item.note:
                    factors.append("\n    ")
                    factors.append(flagged(self.workspace.text(loaded, item.note), "italic"))
                factors.append("\n")
        factors.rstrip()
        self.query_one("#person-factors", Static).update(factors)

    def _selected_link(self) -> tuple[str, str, str] | None:
        table = self.query_one("#person-links", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self._links.get(str(key))

    @on(DataTable.RowSelected, "#person-links")
    def _row_selected(self) -> None:
        self.action_why()

    def action_why(self) -> None:
        link = self._selected_link()
        if link is None or self.loaded is None:
            return
        self.query_one("#why-hint").display = False
        self.add_class("-why")  # on a narrow terminal the explanation takes the whole screen until escape
        self.query_one("#why-loading").display = True
        self._explain(self.loaded, *link)

    @work(thread=True, exclusive=True, group="why")
    def _explain(self, loaded: Loaded, a: str, b: str, relation: str) -> None:
        try:
            text = self.workspace.explain(loaded, a, b, relation)
        except Exception as exc:  # shown in the pane, the UI stays up
            text = f"Could not explain this link: {describe(exc)}"
        self.app.call_from_thread(self._show_why, a, b, relation, text)

    def _show_why(self, a: str, b: str, relation: str, text: str) -> None:
        self.query_one("#why-loading").display = False
        loaded = self.loaded
        head = join(
            ("Why ", "dim"),
            (self.workspace.label(loaded, a) if loaded else a, "bold"),
            (f" — {relation.replace('_', ' ')} — ", "dim"),
            (self.workspace.label(loaded, b) if loaded else b, "bold"),
            "\n\n",
        )
        for line in text.splitlines(keepends=True):  # evidence notes in the trace: flagged wording marked in place
            head.append(flagged(line.rstrip("\n")))
            head.append("\n" if line.endswith("\n") else "")
        self.query_one("#why", Static).update(head)

    def action_back(self) -> None:
        if self.has_class("-narrow") and self.has_class("-why"):
            self.remove_class("-why")
        else:
            self.app.pop_screen()

    def on_resize(self, event: Resize) -> None:
        self.set_class(event.size.width < NARROW, "-narrow")

    def action_open_other(self) -> None:
        link = self._selected_link()
        if link is None or self.loaded is None:
            return
        other = link[1]
        snap = self.loaded.result.snapshot
        if self.workspace.status(self.loaded, other) is not None:
            self.open_record("person", other)
        elif other in snap.locations:
            self.open_record("place", other)
        else:
            self.notify("Incidents have no screen of their own; their roles are listed above.", markup=False)
