"""Identities: proposed matches between agencies' records of the same young person; decide with a reason."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Footer, Header, LoadingIndicator, Static
from textual.worker import get_current_worker

from ..safe import count, describe, join, plain
from ..widgets.reason import ReasonModal
from ..workspace import IdentityProposal, Loaded
from .base import PeermapScreen

DECISIONS = {"confirm": "Confirm", "reject": "Reject", "unsure": "Unsure"}
DECISION_TITLE = {
    "confirm": "Confirm: these records are the same young person",
    "reject": "Reject: these records are different young people",
    "unsure": "Unsure: reviewed, no conclusion (the records stay separate)",
}
STATUS_STYLE = {"new": "", "unsure": "yellow", "unlinked": "magenta"}


def record_label(name: str | None, record_id: str, agency: str | None) -> str:
    """'Name (AGENCY)' for roles that see names; 'RECORD-ID (AGENCY)' otherwise."""
    return f"{name if name is not None else record_id} ({agency or '?'})"


class IdentitiesScreen(PeermapScreen):
    """Every proposed match, best first, with the engine's term-by-term explanation of the selected one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "decide('confirm')", "Confirm"),
        Binding("x", "decide('reject')", "Reject"),
        Binding("u", "decide('unsure')", "Unsure"),
        Binding("w", "purpose", "Withheld (panel)"),
        Binding("f5", "reload", "Reload", show=False),
    ]

    AUTO_FOCUS = "#proposals"

    def __init__(self) -> None:
        super().__init__()
        self._by_id: dict[str, IdentityProposal] = {}
        self._stale = True  # the list is (re)read when the screen is shown and the data may have changed
        self._purpose: str | None = None  # the panel's stated purpose for seeing withheld matches (logged)

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="identities-body"):
            yield DataTable(id="proposals", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="proposal-detail", classes="panel-box"):
                yield LoadingIndicator(id="proposals-loading")
                yield Static(id="proposal-text")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#proposals", DataTable)
        table.border_title = "Proposed matches (c confirm · x reject · u unsure)"
        for label, width in (("Score", 6), ("Auto", 4), ("Record", 24), ("Record", 24), ("Status", 8), ("Id", 24)):
            table.add_column(label, width=width)
        self.query_one("#proposal-detail").border_title = "Why the engine proposes it"

    def on_screen_resume(self) -> None:
        if self._stale:
            self.load_proposals()

    def show_loaded(self, loaded: Loaded) -> None:
        # The map was recomputed (an import, a policy change, a decision): records may have changed. The list
        # is read again when the screen is next shown (each read is an audited view, so not in the background).
        if not self.is_active:
            self._stale = True

    def action_purpose(self) -> None:
        """The panel resolves matches withheld from practitioners, after saying why (logged with the view)."""

        def done(purpose: str | None) -> None:
            if purpose:
                self._purpose = purpose
                self.load_proposals()

        self.app.push_screen(
            ReasonModal(
                "See matches withheld because a record is about a young person not on the map",
                "Only the panel may; your purpose is recorded with the view.",
                confirm="Show",
            ),
            done,
        )

    def action_reload(self) -> None:
        self.load_proposals()
        self.peermap.action_reload()

    # -- the list ----------------------------------------------------------------------------------

    def load_proposals(self) -> None:
        self._stale = False
        self.query_one("#proposals-loading").display = True
        self._read_proposals()

    @work(thread=True, exclusive=True, group="identities", name="reading proposed matches")
    def _read_proposals(self) -> None:
        worker = get_current_worker()
        try:
            proposals = self.workspace.identity_proposals(purpose=self._purpose)
        except Exception as exc:  # the refusal (or fault) is shown in place, the UI stays up
            if not worker.is_cancelled:
                self.app.call_from_thread(self._show_error, exc)
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show_proposals, proposals)

    def _show_error(self, exc: Exception) -> None:
        self.query_one("#proposals-loading").display = False
        self.query_one("#proposals", DataTable).clear()
        self._by_id.clear()
        self.query_one("#proposal-text", Static).update(
            join(("Could not list the proposed matches: ", "bold red"), describe(exc))
        )

    def _show_proposals(self, proposals: list[IdentityProposal]) -> None:
        self.query_one("#proposals-loading").display = False
        table = self.query_one("#proposals", DataTable)
        keep = table.cursor_row
        table.clear()
        self._by_id = {p.id: p for p in proposals}
        for p in proposals:  # best first, as the engine ranks them
            table.add_row(
                plain(f"{p.score:.3f}"),
                plain("yes", "bold") if p.auto_link else plain("-", "dim"),
                plain(record_label(p.name_a, p.record_a, p.agency_a)),
                plain(record_label(p.name_b, p.record_b, p.agency_b)),
                plain(p.review_status, STATUS_STYLE.get(p.review_status, "")),
                plain(p.id, "dim"),
                key=p.id,
            )
        table.border_subtitle = count(len(proposals), "proposal", "proposals")
        if table.row_count:
            table.move_cursor(row=min(max(keep, 0), table.row_count - 1))
            self._show_detail()
        else:
            self.query_one("#proposal-text", Static).update(
                plain("No proposed matches: every pair of records scoring above the threshold is decided.", "italic")
            )

    def selected(self) -> IdentityProposal | None:
        table = self.query_one("#proposals", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self._by_id.get(str(key))

    @on(DataTable.RowHighlighted, "#proposals")
    def _show_detail(self) -> None:
        p = self.selected()
        if p is None:
            return
        text = Text()
        for name, record, agency in ((p.name_a, p.record_a, p.agency_a), (p.name_b, p.record_b, p.agency_b)):
            if name is not None:
                text.append_text(join((name, "bold"), (f"  {record} · {agency or 'agency not recorded'}\n", "dim")))
            else:
                text.append_text(join((record, "bold"), (f"  {agency or 'agency not recorded'}\n", "dim")))
        text.append(f"match probability {p.score:.3f} (log-odds {p.log_odds:+.1f} bits)", style="bold")
        text.append(
            "  ·  reaches auto-link" if p.auto_link else "  ·  below auto-link: needs a practitioner's decision",
            style="dim",
        )
        if p.review_status != "new":
            text.append(f"\nlast marked {p.review_status}", style=STATUS_STYLE.get(p.review_status, "bold"))
        text.append("\n\n")
        if p.explanation is not None:
            # The engine's own wording, term by term (its first line repeats the records: shown above).
            lines = p.explanation.splitlines()
            text.append("\n".join(lines[1:]).strip("\n") if len(lines) > 1 else p.explanation)
        else:
            text.append("Names are not shown to your role: each field's level and weight.\n", style="italic dim")
            for t in p.terms:
                if t.level != "missing":
                    text.append(f"  {t.label}: {t.level} ({t.bits:+.1f})\n")
        self.query_one("#proposal-text", Static).update(text)

    # -- decisions ---------------------------------------------------------------------------------

    def action_decide(self, decision: str) -> None:
        p = self.selected()
        if p is None:
            return
        if p.withheld:
            self.notify(
                "This match involves a record about a young person not on the map. The panel resolves it, "
                "giving a purpose: peermap --role panel identities --purpose '...'",
                severity="warning",
                markup=False,
            )
            return
        detail = (
            f"{record_label(p.name_a, p.record_a, p.agency_a)} [{p.record_a}]  and  "
            f"{record_label(p.name_b, p.record_b, p.agency_b)} [{p.record_b}]  ·  match probability {p.score:.3f}"
        )

        def done(reason: str | None) -> None:
            if reason:
                self._decide(p.record_a, p.record_b, decision, reason)

        self.app.push_screen(ReasonModal(DECISION_TITLE[decision], detail, confirm=DECISIONS[decision]), done)

    @work(thread=True, exclusive=True, group="identity-decide")
    def _decide(self, record_a: str, record_b: str, decision: str, reason: str) -> None:
        try:
            self.workspace.decide_identity(record_a, record_b, decision, reason)
        except Exception as exc:  # the engine's refusal (or a fault) is shown, the UI stays up
            self.app.call_from_thread(self.peermap.refused, exc)
            return
        self.app.call_from_thread(self._decided, decision, record_a, record_b)

    def _decided(self, decision: str, record_a: str, record_b: str) -> None:
        self.notify(f"Recorded: {record_a} and {record_b} {decision}.", markup=False)
        self.load_proposals()
        if decision == "confirm":
            # Linked records are one young person on the map: recompute it.
            self.peermap.action_reload()
