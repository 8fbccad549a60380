"""The decision log: practitioners' and panels' decisions on suggestions, append-only, latest per suggestion wins.

Reading only; recording a decision (which needs the suggestions of a map) is engine.interventions.record.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import col, select

from .. import clock
from ..models import Decision
from ..store import Store

DECISIONS: tuple[str, ...] = ("accept", "reject", "defer")


def decisions_for(store: Store, as_at: date | None = None) -> dict[str, Decision]:
    """The latest decision per suggestion id (decided by the end of `as_at`, default: all)."""
    cutoff = clock.end_of_day(as_at) if as_at else None
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
