"""Overview: the counts a meeting starts from, the policy in force, and who is acting."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, VerticalScroll
from textual.widgets import Footer, Header, LoadingIndicator, Static

from peermap.engine import visible_lines

from ..safe import join
from ..widgets.stat import Stat
from ..workspace import Loaded
from .base import PeermapScreen

# Titles and notes short enough for an 80-column terminal (four cards of about 16 columns).
STATS = (
    ("included", "Included", "on the map"),
    ("greyed", "Greyed", "drawn faded"),
    ("left_out", "Left out", "count only"),
    ("groups", "Peer groups", "see map (m)"),
    ("places_of_concern", "Places", "of concern"),
    ("awaiting_decision", "To decide", "suggestions (i)"),
    ("overdue_reviews", "Overdue", "reviews"),
)

ROLE_CAN = {
    "practitioner": "review the map, read why each link is there, and decide on suggested interventions",
    "panel": "try and set inclusion thresholds (p), review the map and decisions, and read the audit log",
    "auditor": "generate audit, labelling-risk and subject-access reports (r) and verify the audit trail",
}


def policy_summary(body: dict[str, Any]) -> Text:
    """The policy's settings in words (fields a newer engine adds are listed as they are)."""

    def words(values: Any) -> str:
        return ", ".join(str(v).replace("_", " ") for v in values) or "none"

    def yes(value: Any) -> str:
        return "yes" if value else "no"

    known = {
        "include_threshold": lambda v: f"include at ≥ {v:.2f}",
        "grey_threshold": lambda v: f"grey at ≥ {v:.2f}",
        "min_agencies": lambda v: f"{v} independent agencies",
        "max_age_days": lambda v: f"evidence ≤ {v} days old",
        "association_only": lambda v: f"association only → {v}",
        "incident_roles": lambda v: f"\nincident roles: {words(v)}",
        "association_relations": lambda v: f"association by: {words(v)}",
        "locations_of_concern": lambda v: f"\nplaces of concern count: {yes(v)}",
        "co_offending_direct": lambda v: f"co-offending includes directly: {yes(v)}",
        "flag_overdue_review": lambda v: f"overdue reviews flagged: {yes(v)}",
    }
    out = Text()
    for key, value in body.items():
        clause = known[key](value) if key in known else f"{key.replace('_', ' ')}: {value}"
        if out and not clause.startswith("\n"):
            out.append("  ·  ", style="dim")
        out.append(visible_lines(clause))
    return out


class OverviewScreen(PeermapScreen):
    """Counts, the policy in force and the acting user; the first screen after start-up."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "app.go('map')", "Open map", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="overview"):
            yield Static(id="acting", classes="banner")
            yield LoadingIndicator(id="overview-loading")
            with Grid(id="stats"):
                for key, label, _note in STATS:
                    yield Stat(label, id=f"stat-{key}", classes=f"stat-{key.replace('_', '-')}")
            yield Static(id="policy", classes="panel-box")
        yield Footer()

    def on_mount(self) -> None:
        actor = self.workspace.actor
        self.query_one("#acting", Static).update(
            join(
                "Acting as ",
                (actor.name, "bold"),
                " in the ",
                (actor.role.value, "bold reverse"),
                " role: you can ",
                ROLE_CAN.get(actor.role.value, ""),
                ".",
            )
        )
        self.query_one("#policy", Static).border_title = "Policy in force"
        for key, _label, note in STATS:
            self.query_one(f"#stat-{key}", Stat).show_value(None, note)
        self.watch(self.app, "load_error", self._on_error, init=False)

    def _on_error(self, message: str) -> None:
        if message:
            self.query_one("#overview-loading").display = False
            self.query_one("#policy", Static).update(join(("Could not compute the map: ", "bold red"), message))

    def show_loaded(self, loaded: Loaded) -> None:
        self.query_one("#overview-loading").display = False
        counts = self.workspace.counts(loaded)
        for key, _label, note in STATS:
            self.query_one(f"#stat-{key}", Stat).show_value(getattr(counts, key), note)
        pol = loaded.policy
        self.query_one("#policy", Static).update(
            join(
                ("Version ", "dim"),
                (str(pol.version), "bold"),
                ("  set by ", "dim"),
                pol.actor,
                f" ({pol.role})",
                ("  on ", "dim"),
                pol.created_at.strftime("%Y-%m-%d %H:%M"),
                ("\nReason: ", "dim"),
                self.workspace.text(loaded, pol.reason),
                "\n",
                policy_summary(pol.body.model_dump()),
                ("\nMap as at ", "dim"),
                loaded.as_at.isoformat(),
                ("  ·  rule pack ", "dim"),
                loaded.result.rule_pack_version,
            )
        )
