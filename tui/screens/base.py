"""What every peermap screen shares: the header with actor and role, the footer, and the computed map."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.screen import Screen

from ..workspace import Loaded, Workspace

if TYPE_CHECKING:
    from ..app import PeermapApp


class PeermapScreen(Screen[None]):
    """A screen that redraws whenever the app finishes (re)computing the map."""

    @property
    def peermap(self) -> PeermapApp:
        return cast("PeermapApp", self.app)

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
