"""The TUI's one door into the engine: calls the public API and shapes its answers for display.

Nothing here decides anything about a young person; it only reads what the engine computed. Keeping
every engine call in this file means an engine API change touches one place, and the screens stay
free of domain logic.

The scoring, grouping, intervention and report modules (numpy, networkx, jinja2) are imported inside the
methods that need them, which run in worker threads: the first screen paints before they load
(bench/tui_start.py measures it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from peermap.engine import (
    Actor,
    ObjectKind,
    Redactor,
    Store,
    VerifyResult,
    events,
    identity_review,
    log_naming_output,
    node_label,
    verify,
    young_person_records,
)

if TYPE_CHECKING:
    from peermap.engine import (
        Decision,
        Group,
        IdentityDecision,
        ImportReport,
        InclusionPolicy,
        MapResult,
        PersonStatus,
        PlaceProfile,
        PolicyPreview,
        PolicyRecord,
        ShownLink,
        Suggestion,
    )


@dataclass(frozen=True)
class Counts:
    included: int
    greyed: int
    left_out: int
    groups: int
    places_of_concern: int
    awaiting_decision: int
    overdue_reviews: int


@dataclass
class Loaded:
    """One computed map and everything the screens read from it, built off the UI thread."""

    result: MapResult
    suggestions: list[Suggestion]
    policy: PolicyRecord
    shown: list[PersonStatus]
    places: dict[str, PlaceProfile] = field(default_factory=dict)  # every place tied to a shown young person
    group_of: dict[str, str] = field(default_factory=dict)  # person or place id -> group id
    redactor: Redactor | None = None  # the one redactor, over every record (built with the map)

    @property
    def as_at(self) -> date:
        return self.result.as_at


class Workspace:
    """The open database and the acting user; every engine call the TUI makes goes through here."""

    def __init__(self, store: Store, actor: Actor) -> None:
        self.store = store
        self.actor = actor

    # -- the map -------------------------------------------------------------------------------

    def load(self, as_at: date | None = None) -> Loaded:
        """The map, its groups, places and suggestions (slow on a large partnership: call from a worker)."""
        from peermap.engine import compute_map, place_profiles, suggest

        result = compute_map(self.store, as_at=as_at)  # groups included
        places = {p.location_id: p for p in place_profiles(result, result.groups)}
        loaded = Loaded(
            result=result,
            suggestions=list(suggest(result, store=self.store)),
            policy=result.policy,
            shown=result.shown_people(),
            places=places,
            redactor=Redactor(result, young_person_records(self.store).values()),
        )
        for group in result.groups:
            for member in (*group.members, *group.locations):
                loaded.group_of.setdefault(member, group.id)
        log_naming_output(
            self.store,
            self.actor,
            "view_map",
            [s.person_id for s in loaded.shown],
            via="tui",
            as_at=result.as_at.isoformat(),
            policy_version=result.policy.version,
        )
        return loaded

    @staticmethod
    def counts(loaded: Loaded) -> Counts:
        result = loaded.result
        people = result.snapshot.people
        overdue = sum(
            1 for s in loaded.shown if (rb := people[s.person_id].review_by) is not None and rb < result.as_at
        )
        return Counts(
            included=sum(1 for s in loaded.shown if s.status == "included"),
            greyed=sum(1 for s in loaded.shown if s.status == "greyed"),
            left_out=result.left_out_count,
            groups=len(result.groups),
            places_of_concern=sum(1 for p in loaded.places.values() if p.of_concern),
            awaiting_decision=sum(1 for s in loaded.suggestions if not s.held_back and s.decision is None),
            overdue_reviews=overdue,
        )

    @staticmethod
    def places(loaded: Loaded) -> list[str]:
        """Place ids tied to a shown young person, sorted."""
        return sorted(loaded.places)

    @staticmethod
    def links_of(loaded: Loaded, node_id: str) -> list[ShownLink]:
        links = [lk for lk in loaded.result.shown_links if node_id in (lk.source, lk.target)]
        return sorted(links, key=lambda lk: (-lk.confidence, lk.relation, lk.source, lk.target))

    @staticmethod
    def group(loaded: Loaded, group_id: str) -> Group | None:
        return next((g for g in loaded.result.groups if g.id == group_id), None)

    @staticmethod
    def status(loaded: Loaded, person_id: str) -> PersonStatus | None:
        """The status of a shown young person; None for anyone left out (never reachable by name)."""
        st = loaded.result.statuses.get(person_id)
        return st if st is not None and st.shown else None

    @staticmethod
    def text(loaded: Loaded | None, value: str | None) -> str:
        """Free text (reasons, notes) as the TUI shows it: left-out young people are not named in any form."""
        if value is None:
            return ""
        if loaded is None or loaded.redactor is None:
            return value
        return loaded.redactor.text(value) or ""

    @staticmethod
    def label(loaded: Loaded, node_id: str) -> str:
        """A display name for a shown node (person, place, incident); left-out people only by id."""
        snap = loaded.result.snapshot
        kind, text = node_label(snap, node_id)
        if kind == ObjectKind.PERSON.value:
            st = loaded.result.statuses.get(snap.canonical.get(node_id, node_id))
            return text if st is not None and st.shown else node_id
        return f"{text} ({node_id})" if kind == ObjectKind.INCIDENT.value else text

    def explain(self, loaded: Loaded, a: str, b: str, relation: str | None) -> str:
        """The trace of one link, as the engine words it ("why?")."""
        from peermap.engine import Relation, explain_link, rule_pack_of

        rel = Relation(relation) if relation else None
        return str(explain_link(loaded.result.snapshot, rule_pack_of(loaded.result), a, b, rel).text())

    def log_view(self, person_id: str) -> None:
        """Opening a young person's record is itself recorded."""
        log_naming_output(self.store, self.actor, "view_person", [person_id], person_id=person_id, via="tui")

    # -- policy --------------------------------------------------------------------------------

    def preview(self, new_policy: InclusionPolicy) -> PolicyPreview:
        """Who would move between included, greyed and left out under `new_policy` (audited by the engine)."""
        from peermap.engine import preview_policy

        return preview_policy(self.store, self.actor, new_policy)

    def commit_policy(self, new_policy: InclusionPolicy, reason: str, based_on: int | None = None) -> PolicyRecord:
        """Commit; refused (PolicyConflict) if another commit came after version `based_on`, the one previewed."""
        from peermap.engine import set_policy

        return set_policy(self.store, self.actor, new_policy, reason, based_on=based_on)

    # -- interventions -------------------------------------------------------------------------

    def decide(self, loaded: Loaded, suggestion_id: str, decision: str, reason: str) -> Decision:
        from peermap.engine import decide

        return decide(self.store, self.actor, suggestion_id, decision, reason, result=loaded.result)

    def with_fresh_suggestions(self, loaded: Loaded) -> Loaded:
        """The same map with suggestions (and the decisions on them) read again: cheap, no re-scoring."""
        from peermap.engine import suggest

        return replace(loaded, suggestions=list(suggest(loaded.result, store=self.store)))

    @staticmethod
    def target_of(loaded: Loaded, suggestion: Suggestion) -> tuple[str, str]:
        """(screen kind, id) of what a suggestion is for: a group's id (not its key), a place, a school."""
        if suggestion.target_kind == "group":
            group = next((g for g in loaded.result.groups if g.key == suggestion.target_id), None)
            return ("group", group.id if group else suggestion.target_id)
        if suggestion.target_kind == "location":
            return ("place", suggestion.target_id)
        return (suggestion.target_kind, suggestion.target_id)

    # -- identities ----------------------------------------------------------------------------

    def identity_proposals(self, purpose: str | None = None) -> list[IdentityProposal]:
        """Proposed matches between agency records, best first, as the engine lists them for this actor.

        The engine checks the role, leaves names out for auditors and records the view in the audit trail.
        Scores every record pair worth comparing: call from a worker.
        """
        from peermap.engine import MATCH_FIELD_LABELS

        return [
            IdentityProposal.from_json(row, MATCH_FIELD_LABELS)
            for row in identity_review(self.store, self.actor, purpose=purpose)
        ]

    def decide_identity(self, record_a: str, record_b: str, decision: str, reason: str) -> IdentityDecision:
        """Confirm, reject or mark unsure one pair of records (role-checked and audited by the engine)."""
        from peermap.engine import confirm, reject, unsure

        decide = {"confirm": confirm, "reject": reject, "unsure": unsure}[decision]
        return decide(self.store, self.actor, record_a, record_b, reason)

    # -- reports and audit ---------------------------------------------------------------------

    def report(
        self,
        loaded: Loaded | None,
        kind: str,
        fmt: str,
        out: Path,
        *,
        person: str | None = None,
        recipient: str | None = None,
    ) -> Path:
        """Write one report (the engine checks the role and records it in the audit trail)."""
        from peermap.reports import produce

        report = produce(
            self.store,
            self.actor,
            kind,
            fmt,
            out=out,
            person=person,
            recipient=recipient,
            result=loaded.result if loaded is not None else None,
        )
        return report.path or out

    def import_path(
        self, path: Path, *, quarantine: bool = False, progress: Callable[[int, int, str], None] | None = None
    ) -> ImportReport:
        """Check and import agency data (all or nothing; the engine records it in the audit trail)."""
        from peermap.engine import import_path

        return import_path(self.store, path, self.actor, quarantine_outside_agreement=quarantine, progress=progress)

    def audit_events(self, limit: int | None = None) -> list[Any]:
        return events(self.store, self.actor, limit=limit)

    def verify(self) -> VerifyResult:
        return verify(self.store)


@dataclass(frozen=True)
class IdentityTerm:
    """One field's contribution to a match score: its label, level, the values compared (if shown), bits."""

    label: str
    level: str
    detail: str | None
    bits: float


@dataclass(frozen=True)
class IdentityProposal:
    """One proposed match as the screen shows it; names and details are None when the role may not see them."""

    id: str
    record_a: str
    record_b: str
    name_a: str | None
    name_b: str | None
    agency_a: str | None
    agency_b: str | None
    score: float
    log_odds: float
    auto_link: bool
    review_status: str
    terms: tuple[IdentityTerm, ...]
    explanation: str | None
    withheld: bool = False  # a record is about a young person not on the map: shown without names or ids

    @classmethod
    def from_json(cls, row: dict[str, Any], labels: dict[str, str]) -> IdentityProposal:
        names = "name_a" in row
        terms = tuple(
            IdentityTerm(
                label=labels.get(str(t["field"]), str(t["field"]).replace("_", " ")),
                level=str(t["level"]),
                detail=str(t["detail"]) if names else None,
                bits=float(t["bits"]),
            )
            for t in row["terms"]
        )
        return cls(
            id=str(row["id"]),
            record_a=str(row["record_a"] or "withheld"),
            record_b=str(row["record_b"] or "withheld"),
            name_a=str(row["name_a"]) if names else None,
            name_b=str(row["name_b"]) if names else None,
            agency_a=row.get("agency_a"),
            agency_b=row.get("agency_b"),
            score=float(row["score"]),
            log_odds=float(row["log_odds"]),
            auto_link=bool(row["auto_link"]),
            review_status=str(row["review_status"]),
            terms=terms,
            explanation=str(row["explanation"]) if names and row.get("explanation") else None,
            withheld=bool(row.get("withheld")),
        )


def decision_of(suggestion: Suggestion) -> str:
    """The decision in force on a suggestion as a word ("" when none yet)."""
    return suggestion.decision.decision if suggestion.decision is not None else ""
