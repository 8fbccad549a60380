"""Targets (a group, a place of concern, a shared school) and how well a catalogue entry fits one.

Score (transparent, every part is reported in `score_parts`):

* concerns  — the sum of the confidences of the target's concerns the entry addresses (only concerns at or
  above the entry's `min_concern_confidence` count; an entry that addresses none of them is not suggested);
* strengths — 0.5 x the sum, over the strengths the entry builds on, of the share of the target's young
  people who have that strength;
* fit       — 0.25 when the entry's level is the target's own level (group/place/school), plus 0.25 when the
  entry names the kinds of place it is for and this place is one of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from ..groups import PlaceProfile, SchoolProfile
from ..map_model import Group
from .catalogue import Catalogue, Entry

TargetKind = Literal["group", "location", "school"]

STRENGTH_WEIGHT = 0.5
LEVEL_FIT = 0.25
PLACE_KIND_FIT = 0.25


@dataclass
class Target:
    """What a suggestion is for. Only `members` (included young people of a group) may ever be targeted."""

    kind: TargetKind
    id: str  # stable: group key (from its included members), location id, or school name
    label: str  # G-01, the place's name, the school's name
    members: list[str]  # included young people the work is for (groups only; empty for places and schools)
    all_members: list[str]  # everyone shown in the group (for contraindication checks; never output)
    n_people: int  # shown young people the profile counts (denominator for strength shares)
    concerns: dict[str, float]  # canonical concern kind -> confidence
    concern_members: dict[str, int]
    strengths: dict[str, int]
    guardianship: list[str]
    place_kind: str = ""
    flagged: bool = False
    places: list[str] = field(default_factory=list)  # names of places tied to the target (for "because")
    greyed_count: int = 0
    group: Group | None = None
    place: PlaceProfile | None = None
    school: SchoolProfile | None = None


def _canonical(
    catalogue: Catalogue, concerns: dict[str, float], counts: dict[str, int] | None = None
) -> tuple[dict[str, float], dict[str, int]]:
    conf: dict[str, float] = {}
    n: dict[str, int] = {}
    for k, c in concerns.items():
        key = catalogue.canonical(k)
        conf[key] = max(conf.get(key, 0.0), c)
        n[key] = max(n.get(key, 0), (counts or {}).get(k, 0))
    return dict(sorted(conf.items())), dict(sorted(n.items()))


def group_target(catalogue: Catalogue, g: Group, place_names: dict[str, str]) -> Target:
    concerns, counts = _canonical(catalogue, g.concerns, g.concern_members)
    return Target(
        kind="group",
        id=g.key,
        label=g.id,
        members=g.included_members,
        all_members=list(g.members),
        n_people=len(g.members),
        concerns=concerns,
        concern_members=counts,
        strengths=dict(g.strengths),
        guardianship=list(g.guardianship),
        places=[place_names.get(x, x) for x in g.locations],
        greyed_count=len(g.greyed_members),
        group=g,
    )


def place_target(catalogue: Catalogue, p: PlaceProfile) -> Target:
    concerns, _ = _canonical(catalogue, p.concerns)
    return Target(
        kind="location",
        id=p.location_id,
        label=p.name,
        members=[],
        all_members=[],
        n_people=len(p.people) + p.greyed_count,
        concerns=concerns,
        concern_members={},
        strengths=dict(p.strengths),
        guardianship=list(p.guardianship),
        place_kind=p.kind,
        flagged=p.flagged,
        greyed_count=p.greyed_count,
        place=p,
    )


def school_target(catalogue: Catalogue, s: SchoolProfile) -> Target:
    concerns, counts = _canonical(catalogue, s.concerns, s.concern_members)
    return Target(
        kind="school",
        id=s.school,
        label=s.school,
        members=[],
        all_members=[],
        n_people=len(s.people) + s.greyed_count,
        concerns=concerns,
        concern_members=counts,
        strengths=dict(s.strengths),
        guardianship=list(s.guardianship),
        greyed_count=s.greyed_count,
        school=s,
    )


@dataclass
class Match:
    entry: Entry
    target: Target
    addressed: list[tuple[str, float]]  # (concern, confidence), strongest first
    built_on: list[tuple[str, int]]  # (strength, young people with it)
    score_parts: dict[str, float]

    @property
    def score(self) -> float:
        return round(sum(self.score_parts.values()), 4)


def match(entry: Entry, target: Target) -> Match | None:
    """How `entry` fits `target`, or None (wrong target kind, preconditions unmet, no concern addressed)."""
    if target.kind not in entry.targets:
        return None
    pre = entry.preconditions
    if target.kind == "group":
        size = len(target.members)
        if size == 0:
            return None  # greyed young people are never the target of a suggestion
        if pre.min_group_size is not None and size < pre.min_group_size:
            return None
        if pre.max_group_size is not None and size > pre.max_group_size:
            return None
    place_fit = 0.0
    if target.kind == "location":
        if pre.place_kinds is not None:
            if target.place_kind not in pre.place_kinds:
                return None
            place_fit = PLACE_KIND_FIT
        if target.place_kind and target.place_kind in pre.exclude_place_kinds:
            return None
        if pre.flagged_place and not target.flagged:
            return None
    if (
        target.kind == "school"
        and target.school is not None
        and len(target.school.people) + target.school.greyed_count < pre.min_school_members
    ):
        return None
    addressed = sorted(
        (
            (k, target.concerns[k])
            for k in entry.addresses
            if k in target.concerns and target.concerns[k] >= pre.min_concern_confidence
        ),
        key=lambda kc: (-kc[1], kc[0]),
    )
    if not addressed:
        return None
    built_on = sorted(
        ((s, target.strengths[s]) for s in entry.builds_on if target.strengths.get(s, 0) > 0),
        key=lambda sc: (-sc[1], sc[0]),
    )
    if pre.requires_strength and not built_on:
        return None
    denom = max(target.n_people, 1)
    parts = {
        "concerns": round(sum(c for _, c in addressed), 4),
        "strengths": round(STRENGTH_WEIGHT * sum(min(n / denom, 1.0) for _, n in built_on), 4),
        "fit": round((LEVEL_FIT if entry.fits_level(target.kind) else 0.0) + place_fit, 4),
    }
    return Match(entry=entry, target=target, addressed=addressed, built_on=built_on, score_parts=parts)
