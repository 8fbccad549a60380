"""The peermap terminal UI: the app shell, its screens (as modes) and `run_app(store, actor)`."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.reactive import reactive
from textual.worker import get_current_worker

from peermap.engine import Actor, PeermapError, PermissionDenied, PolicyConflict, Store

from . import router
from .commands import ScreensProvider
from .messages import Navigate
from .safe import describe
from .screens.help import HelpScreen
from .widgets.notice import NoticeModal
from .workspace import Loaded, Workspace


class PeermapApp(App[None]):
    """Map review, panel thresholds, interventions, identity review, reports and audit over one peermap database."""

    CSS_PATH = Path(__file__).with_name("peermap.tcss")
    TITLE = "peermap"
    COMMANDS = App.COMMANDS | {ScreensProvider}
    MODES: ClassVar = dict(router.MODES)
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o", "go('overview')", "Overview"),
        Binding("m", "go('map')", "Map"),
        Binding("p", "go('panel')", "Panel"),
        Binding("i", "go('interventions')", "Interventions"),
        Binding("r", "go('reports')", "Reports"),
        Binding("y", "go('identities')", "Identities"),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("f5", "reload", "Reload", show=False),
        Binding("q", "quit", "Quit"),
    ]

    loaded: reactive[Loaded | None] = reactive(None, always_update=True)
    load_error: reactive[str] = reactive("")

    def __init__(self, store: Store, actor: Actor) -> None:
        super().__init__()
        self.workspace = Workspace(store, actor)
        self.actor = actor
        self.sub_title = f"{actor.display} · {actor.role.value}"  # the login, with any --actor label beside it

    def on_mount(self) -> None:
        self.switch_mode("overview")
        self.reload_map()

    @work(thread=True, exclusive=True, group="load", name="computing the map")
    def reload_map(self) -> None:
        """Score, include, group and suggest off the UI thread; screens watch `loaded`."""
        worker = get_current_worker()
        try:
            loaded = self.workspace.load()
        except Exception as exc:  # shown on the overview: the UI stays up to say what went wrong
            self.call_from_thread(setattr, self, "load_error", describe(exc))
            return
        if not worker.is_cancelled:
            self.call_from_thread(self._set_loaded, loaded)

    @work(thread=True, exclusive=True, group="suggestions", name="reading suggestions")
    def refresh_suggestions(self) -> None:
        """Re-read suggestions and decisions on the map already computed (after a decision)."""
        loaded = self.loaded
        if loaded is None:
            return
        try:
            fresh = self.workspace.with_fresh_suggestions(loaded)
        except Exception as exc:  # the decision is already recorded; say the list could not be re-read
            self.call_from_thread(self.refused, exc)
            return
        self.call_from_thread(self._set_loaded, fresh)

    def _set_loaded(self, loaded: Loaded) -> None:
        self.load_error = ""
        self.loaded = loaded

    def action_go(self, mode: str) -> None:
        if self.current_mode != mode:
            self.switch_mode(mode)
        else:
            # Pressing the key of the screen you are on returns to its top (e.g. from a person's record).
            while len(self.screen_stack) > 1:
                self.pop_screen()

    def on_navigate(self, message: Navigate) -> None:
        """A screen or the command palette asked to open a record: the router gives its screen."""
        message.stop()
        self.push_screen(router.record_screen(message.kind, message.node_id))

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_reload(self) -> None:
        self.notify("Recomputing the map…", markup=False, timeout=2)
        self.reload_map()

    def refused(self, exc: Exception) -> None:
        """Show an engine refusal or error; the text is the engine's, shown literally."""
        if isinstance(exc, PermissionDenied):
            title = "Not permitted"
        elif isinstance(exc, PolicyConflict):
            title = "Another commit came first"
        elif isinstance(exc, PeermapError):
            title = "Could not do that"
        else:
            title = "Something went wrong"
        self.push_screen(NoticeModal(title, describe(exc)))


def run_app(store: Store, actor: Actor) -> None:
    """Open the terminal UI on `store` acting as `actor` (blocks until the user quits)."""
    PeermapApp(store, actor).run()
