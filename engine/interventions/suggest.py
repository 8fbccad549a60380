"""Suggestions: catalogue entries matched to groups, places of concern and shared schools, ranked, explained.

Suggestion id: f"{intervention_id}@{target_kind}:{target_id}", where target_id is
* a group's key: "g" + the first 10 hex digits of SHA-256 over the sorted ids of its core (included members
  not on the edge of another group) — it does not change when groups are renumbered, links re-scored or an
  edge member falls on the other side, only when the young people at its core change;
* a location's id; or
* a school's name as recorded.
So a decision keeps attaching to its suggestion across re-scoring as long as the target still exists.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..groups import MIN_GROUP_SIZE, MapFacts, _groups, place_profiles, school_profiles
from ..map_model import MapResult
from ..models import Decision
from ..store import Store
from .catalogue import Catalogue, load_catalogue
from .contraindications import check, incident_roles
from .decisions import decisions_for
from .matching import Match, Target, group_target, match, place_target, school_target


def suggestion_id(intervention_id: str, target_kind: str, target_id: str) -> str:
    return f"{intervention_id}@{target_kind}:{target_id}"


def parse_suggestion_id(sid: str) -> tuple[str, str, str] | None:
    """(intervention id, target kind, target id), or None when `sid` is not of the suggestion-id form."""
    entry, sep, rest = sid.partition("@")
    kind, sep2, target = rest.partition(":")
    if not (sep and sep2 and entry and target) or kind not in ("group", "location", "school"):
        return None
    return entry, kind, target


@dataclass
class DecisionView:
    decision: str
    reason: str
    actor: str
    role: str
    decided_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "decision": self.decision,
            "reason": self.reason,
            "actor": self.actor,
            "role": self.role,
            "decided_at": self.decided_at.isoformat(),
        }


@dataclass
class Suggestion:
    id: str
    intervention_id: str
    title: str
    level: str
    target_kind: str
    target_id: str
    target_label: str
    members: list[str]  # included young people (groups only); greyed members are never listed
    because: str
    score: float
    score_parts: dict[str, float]
    addresses: list[str]
    builds_on: list[str]
    partners: list[str]
    guidance: str
    held_back: str | None = None
    decision: DecisionView | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "intervention": self.intervention_id,
            "title": self.title,
            "level": self.level,
            "target": {
                "kind": self.target_kind,
                "id": self.target_id,
                "label": self.target_label,
                "members": list(self.members),
            },
            "because": self.because,
            "score": self.score,
            "score_parts": self.score_parts,
            "addresses": self.addresses,
            "builds_on": self.builds_on,
            "partners": self.partners,
            "guidance": self.guidance,
            "held_back": self.held_back,
            "decision": self.decision.to_json() if self.decision else None,
        }


HUMAN: dict[str, str] = {"place_of_concern": "young people spending time at a place of concern"}


def _human(kind: str) -> str:
    return HUMAN.get(kind, kind.replace("_", " "))


def _people(n: int) -> str:
    return f"{n} young {'person' if n == 1 else 'people'}"


def because(m: Match) -> str:
    """A plain-English reason from the target's profile (concerns with confidences, places, strengths)."""
    t = m.target
    concerns = ", ".join(
        f"{_human(k)} (confidence {c:.2f}"
        + (f", {t.concern_members[k]} of {t.n_people}" if t.concern_members.get(k) else "")
        + ")"
        for k, c in m.addressed
    )
    if t.kind == "group":
        grey = f", plus {t.greyed_count} greyed and not named" if t.greyed_count else ""
        who = f"{_people(len(t.members))} included on the map{grey}"
        text = f"because group {t.label} ({who}) is linked to {concerns}"
        if t.places:
            text += f"; they share {', '.join(t.places)}"
    elif t.kind == "location":
        p = t.place
        assert p is not None
        status = "recorded as a place of concern" if p.flagged else "the place of incidents on the map"
        text = f"because {t.label} ({_human(p.kind) or 'place'}, {status}) is tied to {concerns}"
        if p.incidents:
            text += f" through incident{'s' if len(p.incidents) > 1 else ''} {', '.join(p.incidents)}"
        if p.groups:
            many = len(p.groups) > 1
            verb = "spend" if many else "spends"
            text += f"; peer group{'s' if many else ''} {', '.join(p.groups)} {verb} time here"
        text += f"; {_people(t.n_people)} on the map {'is' if t.n_people == 1 else 'are'} linked to it"
    else:
        s = t.school
        assert s is not None
        text = (
            f"because {_people(t.n_people)} in peer group{'s' if len(s.groups) > 1 else ''} "
            f"{', '.join(s.groups)} attend {t.label}, linked to {concerns}"
        )
    if m.built_on:
        text += "; it builds on " + ", ".join(f"{_human(k)} ({n} of {t.n_people})" for k, n in m.built_on)
    if t.guardianship:
        text += "; caring adults or services already around them: " + ", ".join(_human(g) for g in t.guardianship)
    return text + "."


def targets(result: MapResult, catalogue: Catalogue, seed: int = 0) -> list[Target]:
    """Groups with at least one included member, places of concern, and schools shared within a group."""
    facts = MapFacts.of(result)
    groups = result.groups or _groups(facts, seed, MIN_GROUP_SIZE)
    places = place_profiles(result, groups, facts=facts)
    schools = school_profiles(result, groups, facts=facts)
    names = {p.location_id: p.name for p in places}
    out = [group_target(catalogue, g, names) for g in groups if g.included_members]
    out += [place_target(catalogue, p) for p in places if p.of_concern]
    out += [school_target(catalogue, s) for s in schools if s.people]
    return out


def suggest(
    result: MapResult,
    catalogue: Catalogue | None = None,
    *,
    store: Store | None = None,
    decisions: Mapping[str, Decision] | None = None,
    seed: int = 0,
) -> list[Suggestion]:
    """Ranked suggestions (highest score first, then id). Held-back ones stay in the list with their reason.

    The current decision on each suggestion is attached from `decisions` (suggestion id -> Decision) or, with
    `store`, from the decisions recorded by the end of the map's as-at date.
    """
    catalogue = catalogue or load_catalogue()
    if decisions is None and store is not None:
        decisions = decisions_for(store, as_at=result.as_at)
    roles = incident_roles(result)
    out: list[Suggestion] = []
    for target in targets(result, catalogue, seed):
        for entry in catalogue.entries:
            m = match(entry, target)
            if m is None:
                continue
            sid = suggestion_id(entry.id, target.kind, target.id)
            d = (decisions or {}).get(sid)
            out.append(
                Suggestion(
                    id=sid,
                    intervention_id=entry.id,
                    title=entry.title,
                    level=entry.level,
                    target_kind=target.kind,
                    target_id=target.id,
                    target_label=target.label,
                    members=list(target.members),
                    because=because(m),
                    score=m.score,
                    score_parts=m.score_parts,
                    addresses=[k for k, _ in m.addressed],
                    builds_on=[k for k, _ in m.built_on],
                    partners=list(entry.partners),
                    guidance=entry.guidance,
                    held_back=check(entry, target, roles, catalogue),
                    decision=DecisionView(d.decision, d.reason, d.actor, d.role, d.decided_at) if d else None,
                )
            )
    out.sort(key=lambda s: (-s.score, s.id))
    return out
