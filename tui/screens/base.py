"""What every peermap screen shares: the header with actor and role, the footer, and the computed map."""

from __future__ import annotations

from typing import cast

from textual.screen import Screen

from ..host import Host
from ..messages import Navigate
from ..workspace import Loaded, Workspace


class PeermapScreen(Screen[None]):
    """A screen that redraws whenever the app finishes (re)computing the map."""

    @property
    def peermap(self) -> Host:
        return cast(Host, self.app)

    @property
    def workspace(self) -> Workspace:
        return self.peermap.workspace

    @property
    def loaded(self) -> Loaded | None:
        return self.peermap.loaded

    def on_mount(self) -> None:
        # Textual runs the on_mount of every class in the MRO (subclass first), so subclasses set up their
        # widgets in their own on_mount without calling this one; it then fills them from the map.
        self.watch(self.app, "loaded", self._on_loaded, init=True)

    def _on_loaded(self, loaded: Loaded | None) -> None:
        if loaded is not None:
            self.show_loaded(loaded)

    def show_loaded(self, loaded: Loaded) -> None:
        """Fill the screen from a freshly computed map."""

    def open_record(self, kind: str, node_id: str) -> None:
        """Ask the app to open a person, group or place screen (tui.router knows which class)."""
        self.post_message(Navigate(kind, node_id))
