"""Recording a practitioner's or panel's decision on a suggestion of a computed map: audited, with a reason.

Suggestions are a function of a map (engine.interventions.suggest), so the caller passes the map the decision is
about; interventions never compute a map themselves (engine.mapping sits above them).
"""

from __future__ import annotations

from .. import audit, clock
from ..access import Actor, Role, require
from ..errors import NotFound, PeermapError
from ..map_model import MapResult
from ..models import Decision
from ..store import Store
from .catalogue import Catalogue
from .decisions import DECISIONS
from .suggest import Suggestion, parse_suggestion_id, suggest


def decide(
    store: Store,
    actor: Actor,
    suggestion_id: str,
    decision: str,
    reason: str,
    *,
    result: MapResult,
    catalogue: Catalogue | None = None,
) -> Decision:
    """Record a decision on a current suggestion (practitioner or panel role; a reason is required).

    The suggestion must exist on the map as it stands (`result`, e.g. engine.compute_map(store)). A held-back
    suggestion may be rejected or deferred but not accepted: its contraindication has to be resolved first.
    The Decision row and its audit event are written in one transaction.
    """
    require(actor, Role.PRACTITIONER, Role.PANEL, to="decide on intervention suggestions")
    choice = decision.strip().lower()
    if choice not in DECISIONS:
        raise PeermapError(f"decision {decision!r} is not one of: {', '.join(DECISIONS)}")
    why = reason.strip()
    if not why:
        raise PeermapError("a reason is required for every decision on a suggestion")
    suggestion = _find(suggestion_id, result, catalogue)
    if choice == "accept" and suggestion.held_back:
        raise PeermapError(f"{suggestion_id} cannot be accepted while it is held back — {suggestion.held_back}")
    with store.transaction() as s:
        row = Decision(
            suggestion_id=suggestion.id,
            intervention_id=suggestion.intervention_id,
            target_kind=suggestion.target_kind,
            target_id=suggestion.target_id,
            decision=choice,
            reason=why,
            actor=actor.name,
            role=actor.role.value,
            decided_at=clock.now(),
        )
        s.add(row)
        s.flush()
        audit.record(
            s,
            actor,
            "intervention.decided",
            {
                "suggestion_id": suggestion.id,
                "intervention": suggestion.intervention_id,
                "target": {
                    "kind": suggestion.target_kind,
                    "id": suggestion.target_id,
                    "members": suggestion.members,
                },
                "decision": choice,
                "reason": why,
                "held_back": suggestion.held_back,
                "decision_row": row.id,
            },
            data_ref=f"decision:{row.id}",
        )
    return row


def _find(suggestion_id: str, result: MapResult, catalogue: Catalogue | None) -> Suggestion:
    if parse_suggestion_id(suggestion_id) is None:
        raise NotFound(
            f"{suggestion_id!r} is not a suggestion id (expected INTERVENTION@KIND:TARGET, "
            "as listed by `peermap interventions`)"
        )
    for sug in suggest(result, catalogue, decisions={}):
        if sug.id == suggestion_id:
            return sug
    raise NotFound(
        f"no current suggestion {suggestion_id!r} on the map as at {result.as_at.isoformat()}: "
        "its target may have changed; list current suggestions with `peermap interventions`"
    )
