"""The one place that knows every screen: top-level screens by mode name (in menu order, with their keys)
and record screens by kind. The app navigates through here when a screen posts Navigate or GoTo."""

from __future__ import annotations

from collections.abc import Callable

from textual.screen import Screen

from .screens.group import GroupScreen
from .screens.identities import IdentitiesScreen
from .screens.interventions import InterventionsScreen
from .screens.map import MapScreen
from .screens.overview import OverviewScreen
from .screens.panel import PanelScreen
from .screens.person import PersonScreen
from .screens.place import PlaceScreen
from .screens.reports import ReportsScreen

# (mode, key, label) in the order the help and the command palette list them.
SCREENS_IN_ORDER: tuple[tuple[str, str, str], ...] = (
    ("overview", "o", "Overview"),
    ("map", "m", "Map"),
    ("panel", "p", "Panel thresholds"),
    ("interventions", "i", "Interventions"),
    ("reports", "r", "Reports & audit"),
    ("identities", "y", "Identities (proposed record matches)"),
)

MODES: dict[str, type[Screen[None]]] = {
    "overview": OverviewScreen,
    "map": MapScreen,
    "panel": PanelScreen,
    "interventions": InterventionsScreen,
    "reports": ReportsScreen,
    "identities": IdentitiesScreen,
}

RECORD_SCREENS: dict[str, Callable[[str], Screen[None]]] = {
    "person": PersonScreen,
    "group": GroupScreen,
    "place": PlaceScreen,
}


def record_screen(kind: str, node_id: str) -> Screen[None]:
    """A new screen for the record `node_id` of `kind` (person, group or place)."""
    try:
        make = RECORD_SCREENS[kind]
    except KeyError:
        raise ValueError(f"no screen for {kind!r}; one of {', '.join(RECORD_SCREENS)}") from None
    return make(node_id)
