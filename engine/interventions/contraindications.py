"""Contraindication checks: a suggestion that would be unsafe for its target is held back, with the reason.

Held back is not dropped: the practitioner sees the suggestion and why it is held back. Reasons name
incidents and places, never greyed young people.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..map_model import MapResult
from ..vocab import RELATION_CODE, Relation
from .catalogue import Catalogue, Entry
from .matching import Target

HARMED, HARMING = Relation.HARMED.value, Relation.HARMING.value


@dataclass
class IncidentRoles:
    """Who was harmed and who is alleged to have harmed, per incident, from every source the map has."""

    harmed: dict[str, set[str]] = field(default_factory=dict)
    harming: dict[str, set[str]] = field(default_factory=dict)

    def add(self, incident: str, role: str, person: str) -> None:
        if role == HARMED:
            self.harmed.setdefault(incident, set()).add(person)
        elif role == HARMING:
            self.harming.setdefault(incident, set()).add(person)


def incident_roles(result: MapResult) -> IncidentRoles:
    """Harmed / harming roles from the inclusion statuses and from every scored link whose evidence is not
    mostly refuting (belief >= disbelief), including links too weak to be drawn: caution errs towards holding
    group work back."""
    roles = IncidentRoles()
    for pid, st in result.statuses.items():
        for incident, rs in st.roles.items():
            for r in rs:
                roles.add(incident, r, pid)
    links = result.links
    if len(links):
        codes = np.array([RELATION_CODE[HARMED], RELATION_CODE[HARMING]], dtype=links.relation.dtype)
        mask = np.isin(links.relation, codes) & (links.belief >= links.disbelief)
        ids = links.nodes.ids
        for i in np.flatnonzero(mask):
            roles.add(ids[int(links.object[i])], links.relation_of(int(i)).value, ids[int(links.subject[i])])
    return roles


def check(entry: Entry, target: Target, roles: IncidentRoles, catalogue: Catalogue) -> str | None:
    """The reason the suggestion is held back, or None. Several reasons are joined with '; '."""
    reasons: list[str] = []
    for code in entry.contraindications:
        reason = None
        if code == "harmed_and_harming_together":
            reason = _harmed_and_harming(target, roles)
        elif code == "public_labelling":
            reason = _public_labelling(target, catalogue)
        elif code == "enforcement_led":
            reason = _enforcement_led(target)
        if reason:
            reasons.append(reason)
    return "; ".join(reasons) or None


def _harmed_and_harming(target: Target, roles: IncidentRoles) -> str | None:
    if target.kind != "group":
        return None
    everyone = set(target.all_members) | set(target.members)
    included = set(target.members)
    clashes: list[str] = []
    for incident in sorted(roles.harmed):
        harmed = roles.harmed[incident] & everyone
        harming = roles.harming.get(incident, set()) & everyone
        if harmed and harming and len(harmed | harming) > 1:
            clashes.append(
                f"{incident} (harmed: {_who(harmed, included)}; alleged to have harmed: {_who(harming, included)})"
            )
    if not clashes:
        return None
    return (
        "held back (harmed_and_harming_together): this group holds a young person harmed in peer-on-peer "
        f"incident {', '.join(clashes)} together with the young person alleged to have harmed them; never "
        "bring them into group work together — plan separate work for each"
    )


def _who(people: set[str], included: set[str]) -> str:
    """Included young people by id; greyed ones only counted, never named."""
    named = sorted(people & included)
    greyed = len(people - included)
    parts = [", ".join(named)] if named else []
    if greyed:
        parts.append(f"{greyed} greyed young {'person' if greyed == 1 else 'people'}, not named")
    return " and ".join(parts)


def _public_labelling(target: Target, catalogue: Catalogue) -> str | None:
    if target.kind != "group":
        return None
    need = catalogue.settings.labelling_min_cohort
    if len(target.members) >= need:
        return None
    return (
        f"held back (public_labelling): only {len(target.members)} identified young people would attend, "
        f"so a session for them would single them out (fewer than {need}); offer it as part of open "
        "provision instead"
    )


def _enforcement_led(target: Target) -> str | None:
    if target.kind != "location" or target.place is None:
        return None
    if not (target.place.harmed_here or target.place.harmed_here_greyed):
        return None
    incidents = ", ".join(target.place.incidents)
    return (
        "held back (enforcement_led): young people on the map were harmed at this place "
        f"(incidents {incidents}); the child-welfare lead must plan this work first so that they are "
        "protected, not criminalised"
    )
