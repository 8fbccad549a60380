"""Panel: try inclusion thresholds and options, see at once who would move, and commit with a reason."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.timer import Timer
from textual.widgets import (
    Button,
    Checkbox,
    DataTable,
    Footer,
    Header,
    Input,
    Label,
    LoadingIndicator,
    Select,
    SelectionList,
    Static,
)

from peermap.engine import PeermapError, PolicyConflict, Role, require

from ..safe import count, describe, join, plain
from ..widgets.reason import ReasonModal
from ..workspace import Loaded
from .base import PeermapScreen

NUMBERS: tuple[tuple[str, str, str], ...] = (
    ("include_threshold", "Include at confidence ≥", "number"),
    ("grey_threshold", "Grey at confidence ≥", "number"),
    ("min_agencies", "Independent agencies needed", "integer"),
    ("max_age_days", "Evidence no older than (days)", "integer"),
)
SWITCHES: tuple[tuple[str, str], ...] = (
    ("locations_of_concern", "Links to places of concern count"),
    ("co_offending_direct", "Co-offending includes directly"),
    ("flag_overdue_review", "Flag overdue reviews"),
)
CHOICES: tuple[tuple[str, str], ...] = (
    ("incident_roles", "Incident roles that count"),
    ("association_relations", "Relations that count as association"),
)
PREVIEW_DELAY = 0.4
STATUS_ORDER = ("included", "greyed", "left_out")


def _field_id(name: str) -> str:
    return f"pol-{name.replace('_', '-')}"


class PanelScreen(PeermapScreen):
    """Edit a proposed policy on the left; the preview on the right follows every change."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "commit", "Commit…"),
        Binding("ctrl+z", "reset", "Reset to policy in force"),
        Binding("escape", "leave_form", "Leave form", show=False),
    ]

    AUTO_FOCUS = "#pol-include-threshold"

    def __init__(self) -> None:
        super().__init__()
        self._seeded = False
        self._timer: Timer | None = None
        self._last_previewed: Any = None
        self._proposed: Any = None

    def compose(self) -> ComposeResult:
        from peermap.engine import INCIDENT_ROLES, PEER_RELATION_NAMES, default_policy_notes

        choices = {"incident_roles": INCIDENT_ROLES, "association_relations": PEER_RELATION_NAMES}
        notes = default_policy_notes()
        yield Header()
        with Horizontal(id="panel-body"):
            with VerticalScroll(id="policy-form", can_focus=False):
                yield Static(id="policy-current", classes="banner")
                for name, label, kind in NUMBERS:
                    with Horizontal(classes="field-row"):
                        yield Label(label, classes="field-label")
                        field = Input(id=_field_id(name), type=kind, classes="field", compact=True)  # type: ignore[arg-type]
                        field.tooltip = notes.get(name) or None
                        yield field
                with Horizontal(classes="field-row"):
                    yield Label("Linked only by association:", classes="field-label")
                    assoc = Select(
                        [("greyed", "greyed"), ("included", "included")],
                        allow_blank=False,
                        id=_field_id("association_only"),
                        classes="field",
                        compact=True,
                    )
                    assoc.tooltip = notes.get("association_only") or None
                    yield assoc
                for name, label in SWITCHES:
                    box = Checkbox(label, id=_field_id(name), classes="field", compact=True)
                    box.tooltip = notes.get(name) or None
                    yield box
                for name, label in CHOICES:
                    yield Label(label, classes="choices-label")
                    choice: SelectionList[str] = SelectionList(
                        *[(o.replace("_", " "), o) for o in choices[name]],
                        id=_field_id(name),
                        classes="field choices",
                        compact=True,
                    )
                    choice.tooltip = notes.get(name) or None
                    yield choice
                yield Static(id="form-error", classes="error")
                with Horizontal(classes="dialog-buttons"):
                    yield Button("Commit…", variant="primary", id="commit")
                    yield Button("Reset", id="reset")
            with Vertical(id="preview-pane"):
                yield Static(id="preview-summary", classes="panel-box")
                yield LoadingIndicator(id="preview-loading")
                yield DataTable(id="preview-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#preview-loading").display = False
        self.query_one("#preview-summary", Static).border_title = "Preview: who would move"
        table = self.query_one("#preview-table", DataTable)
        for label in ("Id", "Name", "From", "To"):
            table.add_column(label)
        self.query_one("#preview-summary", Static).update(
            plain(
                "Change a threshold or option on the left: the preview shows who would move before anything "
                "is committed.",
                "italic",
            )
        )

    def show_loaded(self, loaded: Loaded) -> None:
        pol = loaded.policy
        self.query_one("#policy-current", Static).update(
            join(
                ("Policy in force: version ", "dim"),
                (str(pol.version), "bold"),
                ("  by ", "dim"),
                pol.actor,
                ("\nYou: ", "dim"),
                self.workspace.actor.name,
                f" ({self.workspace.actor.role.value})",
                "" if self.workspace.actor.role is Role.PANEL else "  — preview only: committing needs the panel role",
            )
        )
        if not self._seeded:
            self._seed(pol.body)

    def _seed(self, policy: Any) -> None:
        """Fill the form from a policy (the one in force, at start and after a commit or reset)."""
        self._seeded = True
        self._last_previewed = policy
        with self.prevent(Input.Changed, Checkbox.Changed, Select.Changed, SelectionList.SelectedChanged):
            for name, _label, _kind in NUMBERS:
                self.query_one(f"#{_field_id(name)}", Input).value = str(getattr(policy, name))
            self.query_one(f"#{_field_id('association_only')}", Select).value = policy.association_only
            for name, _label in SWITCHES:
                self.query_one(f"#{_field_id(name)}", Checkbox).value = bool(getattr(policy, name))
            for name, _label in CHOICES:
                choice = self.query_one(f"#{_field_id(name)}", SelectionList)
                choice.deselect_all()
                for value in getattr(policy, name):
                    choice.select(value)
        self.query_one("#form-error", Static).update("")

    def _form_values(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, _label, kind in NUMBERS:
            raw = self.query_one(f"#{_field_id(name)}", Input).value.strip()
            values[name] = (float(raw) if kind == "number" else int(raw)) if raw else None
        values["association_only"] = self.query_one(f"#{_field_id('association_only')}", Select).value
        for name, _label in SWITCHES:
            values[name] = self.query_one(f"#{_field_id(name)}", Checkbox).value
        for name, _label in CHOICES:
            values[name] = list(self.query_one(f"#{_field_id(name)}", SelectionList).selected)
        return values

    def proposed_policy(self) -> Any:
        """The form as a validated policy; raises PeermapError (or ValueError) saying what is wrong."""
        loaded = self.loaded
        if loaded is None:
            raise PeermapError("the map is still being computed")
        values = self._form_values()
        missing = [n for n, v in values.items() if v is None]
        if missing:
            raise PeermapError(f"{', '.join(missing)}: a value is needed")
        from peermap.engine import validate_policy

        return validate_policy({**loaded.policy.body.model_dump(), **values})

    @on(Input.Changed, ".field")
    @on(Select.Changed, ".field")
    @on(Checkbox.Changed, ".field")
    @on(SelectionList.SelectedChanged, ".field")
    def _form_changed(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(PREVIEW_DELAY, self.refresh_preview)

    def refresh_preview(self) -> None:
        """Validate the form and, if it changed since the last preview, ask the engine who would move."""
        error = self.query_one("#form-error", Static)
        try:
            proposed = self.proposed_policy()
        except (PeermapError, ValueError) as exc:
            error.update(plain(str(exc), "bold red"))
            self._proposed = None
            return
        error.update("")
        self._proposed = proposed
        if proposed == self._last_previewed:
            return
        self._last_previewed = proposed
        if self.loaded is not None and proposed == self.loaded.policy.body:
            self._show_no_change()
            return
        self.query_one("#preview-loading").display = True
        self._preview(proposed)

    def _show_no_change(self) -> None:
        self.query_one("#preview-table", DataTable).clear()
        self.query_one("#preview-summary", Static).update(plain("Same as the policy in force: nobody moves.", "italic"))

    @work(thread=True, exclusive=True, group="preview")
    def _preview(self, proposed: Any) -> None:
        try:
            preview = self.workspace.preview(proposed)
        except Exception as exc:  # shown, the UI stays up
            self.app.call_from_thread(self._preview_failed, describe(exc))
            return
        self.app.call_from_thread(self._show_preview, proposed, preview)

    def _preview_failed(self, message: str) -> None:
        self.query_one("#preview-loading").display = False
        self.query_one("#preview-summary", Static).update(join(("Preview failed: ", "bold red"), message))

    def _show_preview(self, proposed: Any, preview: Any) -> None:
        if proposed != self._last_previewed:
            return  # a newer preview is on its way
        self.query_one("#preview-loading").display = False
        counts = preview.counts
        summary = Text()
        for status in STATUS_ORDER:
            before, after = counts["before"].get(status, 0), counts["after"].get(status, 0)
            delta = after - before
            summary.append(f"{status.replace('_', ' '):<9} ", style="bold")
            summary.append(f"{before:>5} → {after:<5}")
            if delta:
                summary.append(f" ({delta:+d})", style="bold")
            summary.append("\n")
        moving = count(int(counts.get("changed", 0)), "young person", "young people")
        summary.append(f"{moving} would move.", style="bold")
        left_out_moves = sum(1 for c in preview.changes if "left_out" in (c["from"], c["to"]))
        if left_out_moves:
            summary.append(f"\n{left_out_moves} of them move to or from left out: listed by id only.", style="dim")
        if getattr(preview, "withheld", 0):
            summary.append(
                f"\n{preview.withheld} moves to or from left out are counted but not listed for your role.",
                style="dim",
            )
        self.query_one("#preview-summary", Static).update(summary)
        table = self.query_one("#preview-table", DataTable)
        table.clear()
        for change in preview.changes:
            name = change.get("name")
            table.add_row(
                plain(change["id"]),
                plain(name) if name else plain("(id only)", "dim"),
                plain(change["from"].replace("_", " ")),
                plain(change["to"].replace("_", " "), "bold"),
            )

    # -- commit --------------------------------------------------------------------------------

    @on(Button.Pressed, "#commit")
    def _commit_pressed(self) -> None:
        self.action_commit()

    @on(Button.Pressed, "#reset")
    def _reset_pressed(self) -> None:
        self.action_reset()

    def action_leave_form(self) -> None:
        """Escape from a field so the screen keys (o, m, i, r, ?) work again."""
        self.query_one("#preview-table", DataTable).focus()

    def action_reset(self) -> None:
        if self.loaded is not None:
            self._seed(self.loaded.policy.body)
            self._show_no_change()

    def action_commit(self) -> None:
        try:
            require(self.workspace.actor, Role.PANEL, to="change the inclusion policy")
            proposed = self.proposed_policy()
        except (PeermapError, ValueError) as exc:
            self.peermap.refused(exc)
            return
        if self.loaded is not None and proposed == self.loaded.policy.body:
            self.notify("Nothing to commit: the form matches the policy in force.", markup=False)
            return
        changed = [
            k
            for k, v in proposed.model_dump().items()
            if self.loaded is not None and getattr(self.loaded.policy.body, k) != v
        ]

        based_on = self.loaded.policy.version if self.loaded is not None else None

        def done(reason: str | None) -> None:
            if reason:
                self._commit(proposed, reason, based_on)

        self.app.push_screen(
            ReasonModal("Commit a new inclusion policy", "Changing: " + ", ".join(changed), confirm="Commit"),
            done,
        )

    @work(thread=True, exclusive=True, group="commit")
    def _commit(self, proposed: Any, reason: str, based_on: int | None = None) -> None:
        try:
            record = self.workspace.commit_policy(proposed, reason, based_on)
        except PolicyConflict as exc:
            self.app.call_from_thread(self._conflict, exc)
            return
        except Exception as exc:  # shown, the UI stays up
            self.app.call_from_thread(self.peermap.refused, exc)
            return
        self.app.call_from_thread(self._committed, record.version)

    def _conflict(self, exc: PolicyConflict) -> None:
        """Another panel member committed first: say so, keep the form, and preview again against theirs."""
        self.peermap.refused(exc)
        self.notify("Reloading the map with the newer policy: check the preview again before committing.", markup=False)
        self._last_previewed = None
        self.peermap.reload_map()

    def _committed(self, version: int) -> None:
        self.notify(f"Policy version {version} is now in force. Recomputing the map…", markup=False)
        self._seeded = False
        self._last_previewed = None
        self._show_no_change()
        self.peermap.reload_map()
