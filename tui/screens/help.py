"""Help (?): every key binding, by screen, and what the line styles on the map mean."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        "Everywhere",
        (
            ("o m p i r y", "Overview · Map · Panel · Interventions · Reports & audit · Identities"),
            ("ctrl+p", "Command palette: jump to a screen, find a young person, group or place"),
            ("?", "This help"),
            ("escape", "Back (close a record or dialog)"),
            ("f5", "Recompute the map"),
            ("tab / shift+tab", "Move between parts of a screen"),
            ("q", "Quit"),
        ),
    ),
    (
        "Map",
        (
            ("/", "Filter the list by name, id or group"),
            ("enter", "Open the selected young person, place or group (or click a name or a box)"),
            ("v", "Switch between graph and list (both side by side on a wide terminal)"),
            ("+", "Draw more groups on a large map"),
        ),
    ),
    (
        "Young person",
        (
            ("w or enter", "Why? The evidence and trace behind the selected link"),
            ("g", "Open the young person or place at the other end of the link"),
        ),
    ),
    (
        "Panel",
        (
            ("type / space", "Change a threshold or option: the preview follows"),
            ("ctrl+s", "Commit the proposed policy (panel role; asks for a reason)"),
            ("ctrl+z", "Reset the form to the policy in force"),
        ),
    ),
    (
        "Interventions",
        (("a / x / d", "Accept / reject / defer the selected suggestion (asks for a reason)"),),
    ),
    (
        "Identities",
        (("c / x / u", "Confirm / reject / mark unsure the selected proposed match (asks for a reason)"),),
    ),
    (
        "Reports & audit",
        (
            ("g", "Generate the chosen report to the file named"),
            ("n / d / l", "Reports tab / import data tab / audit log tab"),
            ("v", "Verify the audit chain"),
        ),
    ),
)

LEGEND = (
    ("───", "bold", "link confidence at or above the inclusion threshold"),
    ("╌╌╌", "dim", "link confidence in the grey band"),
    ("●", "bold", "included young person"),
    ("○ name", "dim", "greyed young person: drawn faded, never a target of suggestions"),
    ("◆", "yellow", "place (bold when of concern)"),
)


def help_table() -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for section, rows in KEYS:
        table.add_row(Text(section.upper(), style="bold"), "")
        for key, what in rows:
            table.add_row(key, what)
        table.add_row("", "")
    table.add_row(Text("ON THE MAP", style="bold"), "")
    for sample, style, what in LEGEND:
        table.add_row(Text(sample, style=style), what)
    table.add_row("", "")
    table.add_row(
        Text("Left out", style="bold"),
        "young people below the grey threshold are never drawn or named: counts only",
    )
    return table


class HelpScreen(ModalScreen[None]):
    """Key bindings and the map legend; escape, ? or q closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "dismiss", "Close"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog help"):
            yield Static(Text("peermap keys", style="bold"), classes="dialog-title")
            with VerticalScroll():
                yield Static(help_table())

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
