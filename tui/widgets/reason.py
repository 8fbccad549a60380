"""Ask for the reason behind a change; the change happens only if a reason is given."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from ..safe import plain


class ReasonModal(ModalScreen[str | None]):
    """Dismisses with the reason typed, or None when cancelled. An empty reason is refused."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, title: str, detail: str = "", confirm: str = "Commit") -> None:
        super().__init__(classes="reason")
        self._title = title
        self._detail = detail
        self._confirm = confirm

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(plain(self._title, "bold"), classes="dialog-title")
            if self._detail:
                yield Static(plain(self._detail), classes="dialog-detail")
            yield Input(placeholder="Reason (recorded with your name and role)", id="reason")
            yield Static("", id="reason-error", classes="error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self._confirm, variant="primary", id="confirm")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#reason", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._confirm_reason()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "confirm":
            self._confirm_reason()
        else:
            self.dismiss(None)

    def _confirm_reason(self) -> None:
        reason = self.query_one("#reason", Input).value.strip()
        if not reason:
            self.query_one("#reason-error", Static).update("A reason is needed: it is kept in the audit trail.")
            return
        self.dismiss(reason)

    def action_cancel(self) -> None:
        self.dismiss(None)
