"""The breach register: personal-data breaches recorded by the partnership, audited, read by the labelling
report. A Newham council emailed the unredacted Gangs Matrix to 44 recipients; a register makes such a
breach a recorded fact the panel reviews, with whether the ICO was told (UK GDPR Art 33: within 72 hours).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import col, select

from . import audit, clock
from .access import Actor, Role, require
from .errors import PeermapError
from .models import Breach
from .store import Store

ICO_DEADLINE_DAYS = 3  # UK GDPR Art 33: report within 72 hours of becoming aware


@dataclass(frozen=True)
class BreachRecord:
    id: int
    occurred_on: date
    discovered_on: date
    description: str
    agreement_id: str | None
    people_affected: int | None
    reported_to_ico: bool
    ico_reference: str | None
    actor: str
    role: str
    recorded_at: str

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "occurred_on": self.occurred_on.isoformat(),
            "discovered_on": self.discovered_on.isoformat(),
            "description": self.description,
            "agreement_id": self.agreement_id,
            "people_affected": self.people_affected,
            "reported_to_ico": self.reported_to_ico,
            "ico_reference": self.ico_reference,
            "actor": self.actor,
            "role": self.role,
            "recorded_at": self.recorded_at,
        }


def _record(row: Breach) -> BreachRecord:
    assert row.id is not None
    return BreachRecord(
        id=row.id,
        occurred_on=row.occurred_on,
        discovered_on=row.discovered_on,
        description=row.description,
        agreement_id=row.agreement_id,
        people_affected=row.people_affected,
        reported_to_ico=row.reported_to_ico,
        ico_reference=row.ico_reference,
        actor=row.actor,
        role=row.role,
        recorded_at=clock.as_utc(row.recorded_at).isoformat(),
    )


def record_breach(
    store: Store,
    actor: Actor,
    *,
    occurred_on: date,
    description: str,
    discovered_on: date | None = None,
    agreement_id: str | None = None,
    people_affected: int | None = None,
    reported_to_ico: bool = False,
    ico_reference: str | None = None,
) -> BreachRecord:
    """Append a breach to the register (any role may report one) with an audit event in the same transaction."""
    text = " ".join((description or "").split())
    if not text:
        raise PeermapError("a breach needs a description of what happened (what data, sent or seen by whom)")
    today = clock.today()
    found = discovered_on or today
    if occurred_on > today or found > today:
        raise PeermapError("a breach cannot be dated in the future")
    if found < occurred_on:
        raise PeermapError(f"discovered on {found} is before it occurred ({occurred_on})")
    if people_affected is not None and people_affected < 0:
        raise PeermapError("people affected cannot be negative")
    if ico_reference and not reported_to_ico:
        raise PeermapError("an ICO reference means the breach was reported: give --reported-to-ico too")
    row = Breach(
        occurred_on=occurred_on,
        discovered_on=found,
        description=text,
        agreement_id=(agreement_id or "").strip() or None,
        people_affected=people_affected,
        reported_to_ico=reported_to_ico,
        ico_reference=(ico_reference or "").strip() or None,
        actor=actor.name,
        role=actor.role.value,
        recorded_at=clock.now(),
    )
    with store.transaction() as s:
        s.add(row)
        s.flush()
        audit.record(
            s,
            actor,
            "breach_recorded",
            {
                "breach": row.id,
                "occurred_on": occurred_on.isoformat(),
                "agreement_id": row.agreement_id,
                "people_affected": people_affected,
                "reported_to_ico": reported_to_ico,
            },
            data_ref=f"breach:{row.id}",
        )
    return _record(row)


def breach_register(store: Store) -> list[BreachRecord]:
    """Every recorded breach, oldest first (for the labelling report; not audited as a view of people)."""
    with store.read() as s:
        return [_record(r) for r in s.exec(select(Breach).order_by(col(Breach.id)))]


def list_breaches(store: Store, actor: Actor) -> list[BreachRecord]:
    """The register for the panel and auditors; reading it is audited."""
    require(actor, Role.PANEL, Role.AUDITOR, to="read the breach register")
    out = breach_register(store)
    audit.log_event(store, actor, "breach_register_viewed", {"breaches": len(out)})
    return out


def late_to_ico(b: BreachRecord) -> bool:
    """Not reported to the ICO although more than 72 hours have passed since it was discovered."""
    return not b.reported_to_ico and (clock.today() - b.discovered_on).days > ICO_DEADLINE_DAYS
