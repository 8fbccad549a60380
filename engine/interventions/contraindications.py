"""Contraindication checks: a suggestion that would be unsafe for its target is held back, with the reason.

Held back is not dropped: the practitioner sees the suggestion and why it is held back. Reasons name
incidents and places, never greyed young people. Each contraindication is one record (Contraindication):
its code, why (catalogue.CONTRAINDICATIONS), the function that checks a target, and worked examples of
targets it holds back and targets it does not (run by tests/test_examples_contraindications.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from ..groups import PlaceProfile
from ..map_model import MapResult
from ..vocab import RELATION_CODE, Relation
from .catalogue import CONTRAINDICATIONS, Catalogue, ContraCode, Entry
from .matching import Target, TargetKind

HARMED, HARMING = Relation.HARMED.value, Relation.HARMING.value


@dataclass
class IncidentRoles:
    """Who was harmed and who is alleged to have harmed, per incident, from every source the map has."""

    harmed: dict[str, set[str]] = field(default_factory=dict)
    harming: dict[str, set[str]] = field(default_factory=dict)
    exploited: set[str] = field(default_factory=set)  # shown young people inclusion marks possibly exploited
    co_offending: dict[str, set[str]] = field(default_factory=dict)  # person -> co-offenders (not mostly refuted)

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
        if any(r.code == "possibly_exploited" for r in st.reasons):
            roles.exploited.add(pid)
    links = result.links
    if len(links):
        codes = np.array([RELATION_CODE[HARMED], RELATION_CODE[HARMING]], dtype=links.relation.dtype)
        mask = np.isin(links.relation, codes) & (links.belief >= links.disbelief)
        ids = links.nodes.ids
        for i in np.flatnonzero(mask):
            roles.add(ids[int(links.object[i])], links.relation_of(int(i)).value, ids[int(links.subject[i])])
        co = (links.relation == RELATION_CODE[Relation.CO_OFFENDING.value]) & (links.belief >= links.disbelief)
        for i in np.flatnonzero(co):
            a, b = ids[int(links.subject[i])], ids[int(links.object[i])]
            roles.co_offending.setdefault(a, set()).add(b)
            roles.co_offending.setdefault(b, set()).add(a)
    return roles


def check(entry: Entry, target: Target, roles: IncidentRoles, catalogue: Catalogue) -> str | None:
    """The reason the suggestion is held back, or None. Several reasons are joined with '; '."""
    reasons = [BY_CODE[code].check(target, roles, catalogue) for code in entry.contraindications]
    return "; ".join(r for r in reasons if r) or None


def _harmed_and_harming(target: Target, roles: IncidentRoles, catalogue: Catalogue) -> str | None:
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


def _exploited_with_exploiters(target: Target, roles: IncidentRoles, catalogue: Catalogue) -> str | None:
    """A possibly exploited member with members recorded as harming in the same incidents, as harming them, or
    as co-offending with them: those may be the people exploiting them."""
    if target.kind != "group":
        return None
    everyone = set(target.all_members) | set(target.members)
    included = set(target.members)
    clashes: list[str] = []
    for person in sorted(roles.exploited & everyone):
        alongside: set[str] = set(roles.co_offending.get(person, set()))
        where: set[str] = set()
        for incident, harming in roles.harming.items():
            if person in harming or person in roles.harmed.get(incident, set()):
                others = harming - {person}
                if others & everyone:
                    where.add(incident)
                alongside |= others
        alongside &= everyone
        if alongside:
            at = f" ({', '.join(sorted(where))})" if where else " (co-offending)"
            clashes.append(f"{_who({person}, included)} with {_who(alongside, included)}{at}")
    if not clashes:
        return None
    return (
        "held back (exploited_with_exploiters): this group holds a young person who may be exploited together "
        f"with those recorded as harming or offending alongside them: {'; '.join(clashes)}; they may be the ones "
        "exploiting them — plan the exploited young person's safety first and separate work"
    )


def _who(people: set[str], included: set[str]) -> str:
    """Included young people by id; greyed ones only counted, never named."""
    named = sorted(people & included)
    greyed = len(people - included)
    parts = [", ".join(named)] if named else []
    if greyed:
        parts.append(f"{greyed} greyed young {'person' if greyed == 1 else 'people'}, not named")
    return " and ".join(parts)


def _public_labelling(target: Target, roles: IncidentRoles, catalogue: Catalogue) -> str | None:
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


def _enforcement_led(target: Target, roles: IncidentRoles, catalogue: Catalogue) -> str | None:
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


@dataclass(frozen=True)
class ContraExample:
    """A worked case: a target of `kind` with its included `members` and `greyed` young people, who was
    harmed and alleged to have harmed in which incident, and (for a place) who was harmed there. The
    contraindication must hold the suggestion back when `fires`, and must not otherwise."""

    name: str
    fires: bool
    kind: TargetKind
    members: tuple[str, ...] = ()
    greyed: tuple[str, ...] = ()
    harmed: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    harming: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    harmed_here: tuple[str, ...] = ()
    harmed_here_greyed: int = 0
    incidents: tuple[str, ...] = ()
    exploited: tuple[str, ...] = ()
    co_offending: tuple[tuple[str, str], ...] = ()

    def target(self) -> Target:
        place = None
        if self.kind == "location":
            place = PlaceProfile(
                location_id="L1",
                name="Rec ground",
                kind="park",
                area="",
                flagged=True,
                of_concern=True,
                groups=[],
                incidents=list(self.incidents),
                concerns={},
                people=[],
                greyed_count=0,
                harmed_here=list(self.harmed_here),
                harmed_here_greyed=self.harmed_here_greyed,
                strengths={},
                guardianship=[],
            )
        everyone = [*self.members, *self.greyed]
        return Target(
            kind=self.kind,
            id="T1",
            label="T1",
            members=list(self.members),
            all_members=everyone,
            n_people=len(everyone),
            concerns={},
            concern_members={},
            strengths={},
            guardianship=[],
            greyed_count=len(self.greyed),
            place=place,
        )

    def roles(self) -> IncidentRoles:
        roles = IncidentRoles()
        for role, table in ((HARMED, self.harmed), (HARMING, self.harming)):
            for incident, people in table.items():
                for p in people:
                    roles.add(incident, role, p)
        roles.exploited.update(self.exploited)
        for a, b in self.co_offending:
            roles.co_offending.setdefault(a, set()).add(b)
            roles.co_offending.setdefault(b, set()).add(a)
        return roles


@dataclass(frozen=True)
class Contraindication:
    code: ContraCode
    why: str
    check: Callable[[Target, IncidentRoles, Catalogue], str | None]
    examples: tuple[ContraExample, ...]


CONTRAINDICATION_RECORDS: tuple[Contraindication, ...] = (
    Contraindication(
        "harmed_and_harming_together",
        CONTRAINDICATIONS["harmed_and_harming_together"],
        _harmed_and_harming,
        (
            ContraExample(
                "the group holds the young person harmed and the one alleged to have harmed them",
                True,
                "group",
                members=("A", "B", "C"),
                harmed={"I1": ("A",)},
                harming={"I1": ("B",)},
            ),
            ContraExample(
                "the one alleged to have harmed is greyed: still held back, counted not named",
                True,
                "group",
                members=("A", "C", "D"),
                greyed=("GREY-1",),
                harmed={"I1": ("A",)},
                harming={"I1": ("GREY-1",)},
            ),
            ContraExample(
                "the young person alleged to have harmed is not in the group",
                False,
                "group",
                members=("A", "C", "D"),
                harmed={"I1": ("A",)},
                harming={"I1": ("Z",)},
            ),
            ContraExample(
                "harmed and harming in different incidents",
                False,
                "group",
                members=("A", "B", "C"),
                harmed={"I1": ("A",)},
                harming={"I2": ("B",)},
            ),
            ContraExample("a place is not a group", False, "location", harmed_here=("A",), incidents=("I1",)),
        ),
    ),
    Contraindication(
        "public_labelling",
        CONTRAINDICATIONS["public_labelling"],
        _public_labelling,
        (
            ContraExample("two identified young people would attend", True, "group", members=("A", "B")),
            ContraExample(
                "greyed young people do not count towards the cohort",
                True,
                "group",
                members=("A", "B"),
                greyed=("GREY-1", "GREY-2"),
            ),
            ContraExample("three would attend (the catalogue's minimum)", False, "group", members=("A", "B", "C")),
            ContraExample("a place session singles no one out", False, "location"),
        ),
    ),
    Contraindication(
        "enforcement_led",
        CONTRAINDICATIONS["enforcement_led"],
        _enforcement_led,
        (
            ContraExample(
                "an included young person was harmed at the place",
                True,
                "location",
                harmed_here=("A",),
                incidents=("I1",),
            ),
            ContraExample(
                "a greyed young person was harmed there", True, "location", harmed_here_greyed=1, incidents=("I1",)
            ),
            ContraExample("no one on the map was harmed there", False, "location", incidents=("I1",)),
            ContraExample("a group is not a place", False, "group", members=("A", "B", "C"), harmed={"I1": ("A",)}),
        ),
    ),
    Contraindication(
        "exploited_with_exploiters",
        CONTRAINDICATIONS["exploited_with_exploiters"],
        _exploited_with_exploiters,
        (
            ContraExample(
                "an exploited child recorded as harming in INC-7 with the two who harmed alongside them",
                True,
                "group",
                members=("K", "T", "U", "C"),
                harming={"INC-7": ("K", "T", "U")},
                exploited=("K",),
            ),
            ContraExample(
                "the co-offender is greyed: still held back, counted not named",
                True,
                "group",
                members=("K", "C", "D"),
                greyed=("GREY-1",),
                co_offending=(("K", "GREY-1"),),
                exploited=("K",),
            ),
            ContraExample(
                "nobody recorded alongside the exploited child is in the group",
                False,
                "group",
                members=("K", "C", "D"),
                harming={"INC-7": ("K", "Z")},
                exploited=("K",),
            ),
            ContraExample(
                "co-harming, but nobody is possibly exploited (harmed_and_harming_together covers victims)",
                False,
                "group",
                members=("T", "U", "C"),
                harming={"INC-7": ("T", "U")},
            ),
            ContraExample("a place is not a group", False, "location", incidents=("INC-7",)),
        ),
    ),
)
BY_CODE: dict[str, Contraindication] = {c.code: c for c in CONTRAINDICATION_RECORDS}
