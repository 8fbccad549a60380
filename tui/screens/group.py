"""A peer group's profile: members, shared places, concerns, strengths, and the suggestions for it."""

from __future__ import annotations

from textual.widgets import Static

from peermap.engine import visible_lines

from ..safe import count, join, plain
from ..workspace import Loaded
from .detail import DetailScreen, kinds, suggestion_lines


class GroupScreen(DetailScreen):
    """One peer group."""

    def show_loaded(self, loaded: Loaded) -> None:
        group = self.workspace.group(loaded, self.node_id)
        if group is None:
            self.query_one("#detail-title", Static).update(
                plain(f"Group {self.node_id} is not on the current map.", "bold")
            )
            return
        greyed = len(group.greyed_members)
        self.query_one("#detail-title", Static).update(
            join(
                ("Group ", "bold"),
                (group.id, "bold"),
                f"  ·  {len(group.members) - greyed} included, {greyed} greyed",
                f"  ·  {count(len(group.locations), 'place', 'places')}",
            )
        )
        snap = loaded.result.snapshot
        edge = ", ".join(snap.people[p].name for p in group.edge_members if p in snap.people)
        profile = join(
            ("Concerns: ", "bold"),
            kinds(group.concerns, "{:.2f}"),
            ("\nStrengths: ", "bold"),
            kinds(group.strengths),
            ("\nGuardianship: ", "bold"),
            ", ".join(g.replace("_", " ") for g in group.guardianship) or "none recorded",
            ("\nSchools: ", "bold"),
            kinds(group.schools),
            ("\nIncidents: ", "bold"),
            str(len(group.incidents)),
        )
        if edge:
            profile.append("\nOn the edge of another group: ", style="bold")
            profile.append(visible_lines(edge))
        self.query_one("#detail-profile", Static).update(profile)
        self.query_one("#detail-suggestions", Static).update(suggestion_lines(loaded, "group", group.id))
        self.fill_members(loaded, group.members, group.locations)
