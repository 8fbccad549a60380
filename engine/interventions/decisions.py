"""Practitioners' and panels' decisions on suggestions: append-only, audited, latest per suggestion wins."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING

from sqlmodel import col, select

from .. import audit, clock
from ..access import Actor, Role, require
from ..errors import NotFound, PeermapError
from ..models import Decision
from ..store import Store
from .catalogue import Catalogue

if TYPE_CHECKING:
    from ..map_model import MapResult
    from .suggest import Suggestion

DECISIONS: tuple[str, ...] = ("accept", "reject", "defer")


def decide(
    store: Store,
    actor: Actor,
    suggestion_id: str,
    decision: str,
    reason: str,
    *,
    result: MapResult | None = None,
    catalogue: Catalogue | None = None,
) -> Decision:
    """Record a decision on a current suggestion (practitioner or panel role; a reason is required).

    The suggestion must exist on the map as it stands (`result`, default: the map today). A held-back
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
    suggestion = _find(store, suggestion_id, result, catalogue)
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


def _find(store: Store, suggestion_id: str, result: MapResult | None, catalogue: Catalogue | None) -> Suggestion:
    from .suggest import parse_suggestion_id, suggest

    if parse_suggestion_id(suggestion_id) is None:
        raise NotFound(
            f"{suggestion_id!r} is not a suggestion id (expected INTERVENTION@KIND:TARGET, "
            "as listed by `peermap interventions`)"
        )
    if result is None:
        from ..mapping import compute_map

        result = compute_map(store)
    for sug in suggest(result, catalogue, decisions={}):
        if sug.id == suggestion_id:
            return sug
    raise NotFound(
        f"no current suggestion {suggestion_id!r} on the map as at {result.as_at.isoformat()}: "
        "its target may have changed; list current suggestions with `peermap interventions`"
    )


def decisions_for(store: Store, as_at: date | None = None) -> dict[str, Decision]:
    """The latest decision per suggestion id (decided by the end of `as_at`, default: all)."""
    cutoff = datetime.combine(as_at, time.max, tzinfo=UTC) if as_at else None
    latest: dict[str, Decision] = {}
    with store.read() as s:
        for row in s.exec(select(Decision).order_by(col(Decision.id))):
            row.decided_at = clock.as_utc(row.decided_at)
            if cutoff is None or row.decided_at <= cutoff:
                latest[row.suggestion_id] = row
    return dict(sorted(latest.items()))


def decision_history(store: Store, suggestion_id: str) -> list[Decision]:
    """Every decision on one suggestion, oldest first."""
    with store.read() as s:
        rows = list(s.exec(select(Decision).where(Decision.suggestion_id == suggestion_id).order_by(col(Decision.id))))
    for row in rows:
        row.decided_at = clock.as_utc(row.decided_at)
    return rows
