"""What screens may ask of the app that hosts them, as a protocol: screens depend on this, never on the
app module, so the app can import its screens without a cycle."""

from __future__ import annotations

from typing import Protocol

from textual.worker import Worker

from .workspace import Loaded, Workspace


class Host(Protocol):
    """The peermap app as its screens and the command palette see it (tui.app.PeermapApp implements it)."""

    workspace: Workspace

    @property
    def loaded(self) -> Loaded | None: ...

    def reload_map(self) -> Worker[None]: ...

    def refresh_suggestions(self) -> Worker[None]: ...

    def action_reload(self) -> None: ...

    def action_go(self, mode: str) -> None: ...

    def refused(self, exc: Exception) -> None: ...
