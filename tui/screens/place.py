"""A place's profile: who is tied to it, what happened there, and the suggestions for it."""

from __future__ import annotations

from textual.widgets import Static

from ..safe import join, plain
from ..workspace import Loaded
from .detail import DetailScreen, kinds, suggestion_lines


class PlaceScreen(DetailScreen):
    """One place on the map."""

    def show_loaded(self, loaded: Loaded) -> None:
        place = loaded.places.get(self.node_id)
        if place is None:
            self.query_one("#detail-title", Static).update(plain("This place is not on the current map.", "bold"))
            return
        title = join(("◆ ", "yellow"), (place.name, "bold"), "  ·  ", place.kind.replace("_", " "), "  ·  ", place.area)
        if place.of_concern:
            title.append("  ·  of concern", style="bold yellow")
        self.query_one("#detail-title", Static).update(title)
        profile = join(
            ("Concerns: ", "bold"),
            kinds(place.concerns, "{:.2f}"),
            ("\nGroups: ", "bold"),
            ", ".join(place.groups) or "none",
            ("\nIncidents here: ", "bold"),
            str(len(place.incidents)),
            ("\nGreyed young people tied here: ", "bold"),
            str(place.greyed_count),
            ("\nStrengths nearby: ", "bold"),
            kinds(place.strengths),
        )
        self.query_one("#detail-profile", Static).update(profile)
        self.query_one("#detail-suggestions", Static).update(suggestion_lines(loaded, "place", place.location_id))
        shown = [s.person_id for s in loaded.shown]
        tied = set(place.people)
        tied |= {
            lk.source if lk.target == self.node_id else lk.target
            for lk in self.workspace.links_of(loaded, self.node_id)
        }
        self.fill_members(loaded, [p for p in shown if p in tied], [])
