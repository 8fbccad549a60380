"""One labelled number on the overview."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class Stat(Static):
    """A big number over a short label; `value` None shows a placeholder while loading."""

    def __init__(self, label: str, *, id: str, classes: str = "") -> None:
        super().__init__(id=id, classes=f"stat {classes}".strip())
        self.border_title = label

    def show_value(self, value: int | str | None, note: str = "") -> None:
        text = Text("…" if value is None else str(value), style="bold")
        if note:
            text.append("\n" + note, style="dim")
        self.update(text)
