"""The computed map: statuses, shown links and groups. Produced by engine.mapping, read by CLI, TUI, reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from .policy import PolicyRecord
from .rules.links import LinkTable
from .snapshot import Snapshot

Status = Literal["included", "greyed", "left_out"]


@dataclass(frozen=True)
class Reason:
    """A machine-readable reason code, a sentence a practitioner can read, and the ids it refers to."""

    code: str
    text: str
    refs: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "text": self.text, "refs": list(self.refs)}


@dataclass
class PersonStatus:
    person_id: str
    status: Status
    confidence: float  # the confidence of the link that decided the status (0 when none)
    reasons: list[Reason]
    roles: dict[str, list[str]] = field(default_factory=dict)  # incident id -> roles (harmed/harming/...)

    @property
    def shown(self) -> bool:
        return self.status != "left_out"


@dataclass(frozen=True)
class ShownLink:
    """A link drawn on the map between two shown nodes."""

    source: str
    target: str
    relation: str
    confidence: float
    uncertainty: float
    band: Literal["solid", "dashed"]  # solid: at or above the inclusion threshold; dashed: grey band

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "target": self.target,
            "relation": self.relation,
            "confidence": round(self.confidence, 4),
            "uncertainty": round(self.uncertainty, 4),
            "band": self.band,
        }


@dataclass
class Group:
    """A peer group found by community detection, with its profile."""

    id: str
    members: list[str]  # shown person ids (included first, then greyed)
    greyed_members: list[str]
    edge_members: list[str]  # members that also sit on the edge of another group
    locations: list[str]
    incidents: list[str]
    concerns: dict[str, float]  # concern kind -> confidence
    strengths: dict[str, int]  # strength kind -> members with it
    guardianship: list[str]  # strength kinds meaning a caring adult or engaged service (engine.groups)
    key: str = ""  # stable target key from the group's core members (engine.groups.group_key)
    concern_members: dict[str, int] = field(default_factory=dict)  # concern kind -> members with it
    places_of_concern: list[str] = field(default_factory=list)  # flagged / incident places tied to members
    schools: dict[str, int] = field(default_factory=dict)  # school -> members recorded there

    @property
    def included_members(self) -> list[str]:
        """The members an intervention may be suggested for (greyed members never are)."""
        grey = set(self.greyed_members)
        return [m for m in self.members if m not in grey]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "key": self.key,
            "members": self.members,
            "greyed_members": self.greyed_members,
            "edge_members": self.edge_members,
            "locations": self.locations,
            "places_of_concern": self.places_of_concern,
            "incidents": self.incidents,
            "concerns": self.concerns,
            "concern_members": self.concern_members,
            "strengths": self.strengths,
            "guardianship": self.guardianship,
            "schools": self.schools,
        }


@dataclass
class MapResult:
    as_at: date
    snapshot: Snapshot
    links: LinkTable
    policy: PolicyRecord
    rule_pack_version: str
    statuses: dict[str, PersonStatus]  # every canonical person, left-out included: never output those directly
    shown_links: list[ShownLink]
    groups: list[Group] = field(default_factory=list)
    # Values derived from this map and reused by later stages (e.g. engine.groups.MapFacts): never part of it.
    derived: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def shown_people(self) -> list[PersonStatus]:
        """Included then greyed, each sorted by id: the only people any practitioner output may name."""
        inc = [s for s in self.statuses.values() if s.status == "included"]
        grey = [s for s in self.statuses.values() if s.status == "greyed"]
        return sorted(inc, key=lambda s: s.person_id) + sorted(grey, key=lambda s: s.person_id)

    @property
    def left_out_ids(self) -> list[str]:
        """Internal ids of left-out people: for the auditor role only."""
        return sorted(p for p, s in self.statuses.items() if s.status == "left_out")

    @property
    def left_out_count(self) -> int:
        return sum(1 for s in self.statuses.values() if s.status == "left_out")
