"""Retention that disposes: what is past its retention period, and a panel's run that erases exactly that.

`retention_due` lists, as at a day: evidence items, concerns and strengths past their sharing agreement's
retention period (recorded on + retention_days before the day); young people about whom nothing usable has
remained for the policy's period (policies/retention.yaml); and agreements with no retention period, which
are never disposed of silently but reported. `retention_run` (panel) erases what `retention_due` listed, in
one transaction: the items are deleted under one "retention.run" event, each young person due is erased with
a tombstone (engine.erasure), and the database is vacuumed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlmodel import Session, select

from . import audit, clock
from .access import Actor, Role, require
from .erasure import delete_rows, erase_in, vacuum
from .errors import PeermapError, PolicyError
from .models import Concern, Evidence, ImportBatch, SharingAgreement, Strength, YoungPerson
from .policy_files import read_yaml, shipped
from .store import Store

RETENTION_FILE = shipped("retention.yaml")


class RetentionPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(min_length=1)
    person_without_usable_evidence_days: int = Field(ge=0)


def load_retention_policy(path: Path | str | None = None) -> RetentionPolicy:
    """policies/retention.yaml (or `path`), validated; PolicyError says what is wrong."""
    return _load(Path(path)) if path else _shipped()


@lru_cache(maxsize=1)
def _shipped() -> RetentionPolicy:
    return _load(RETENTION_FILE)


def _load(p: Path) -> RetentionPolicy:
    raw = read_yaml(p, "retention policy")
    try:
        return RetentionPolicy.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise PolicyError(f"{p}: {'.'.join(str(x) for x in first['loc'])}: {first['msg']}") from None


@dataclass
class RetentionDue:
    """What is due for disposal as at a day: ids only, never names."""

    as_at: date
    policy_version: str
    evidence: list[str] = field(default_factory=list)
    concerns: list[str] = field(default_factory=list)
    strengths: list[str] = field(default_factory=list)
    people: list[str] = field(default_factory=list)  # record ids of young people to erase
    no_retention_period: list[str] = field(default_factory=list)  # agreement ids: flagged, never disposed

    @property
    def total(self) -> int:
        return len(self.evidence) + len(self.concerns) + len(self.strengths) + len(self.people)

    def to_json(self) -> dict[str, Any]:
        return {
            "as_at": self.as_at.isoformat(),
            "policy_version": self.policy_version,
            "evidence": self.evidence,
            "concerns": self.concerns,
            "strengths": self.strengths,
            "people": self.people,
            "no_retention_period": self.no_retention_period,
        }

    def text(self) -> str:
        lines = [
            f"due for disposal as at {self.as_at.isoformat()} (retention policy {self.policy_version}): "
            f"{len(self.evidence)} evidence item(s), {len(self.concerns)} concern(s), {len(self.strengths)} "
            f"strength(s), {len(self.people)} young person record(s) to erase"
        ]
        for label, ids in (
            ("evidence", self.evidence),
            ("concerns", self.concerns),
            ("strengths", self.strengths),
            ("young people", self.people),
        ):
            if ids:
                lines.append(f"  {label}: {', '.join(ids)}")
        if self.no_retention_period:
            lines.append(
                "  agreements with no retention period (kept, flagged; set one): " + ", ".join(self.no_retention_period)
            )
        return "\n".join(lines)


def _due_in(s: Session, as_at: date, policy: RetentionPolicy) -> RetentionDue:
    agreements = {a.agreement_id: a for a in s.exec(select(SharingAgreement))}

    def expires(agreement_id: str, recorded: date) -> date | None:
        a = agreements.get(agreement_id)
        if a is None or a.retention_days is None:
            return None
        return recorded + timedelta(days=a.retention_days)

    due = RetentionDue(as_at, policy.version)
    due.no_retention_period = sorted(k for k, a in agreements.items() if a.retention_days is None)
    usable_until: dict[str, date | None] = {}  # person -> last day anything about them is usable (None: for ever)

    def note(pid: str, until: date | None) -> None:
        if pid in usable_until and usable_until[pid] is None:
            return
        prev = usable_until.get(pid)
        usable_until[pid] = None if until is None else max(until, prev) if prev else until

    rows: list[tuple[Evidence | Concern | Strength, list[str]]] = [
        *((r, due.evidence) for r in s.exec(select(Evidence))),
        *((r, due.concerns) for r in s.exec(select(Concern))),
        *((r, due.strengths) for r in s.exec(select(Strength))),
    ]
    for row, bucket in rows:
        until = expires(row.agreement_id, row.recorded_on)
        if until is not None and until < as_at:
            bucket.append(_key(row))
        for pid in _about(row):
            note(pid, until)
    for bucket in (due.evidence, due.concerns, due.strengths):
        bucket.sort()
    grace = timedelta(days=policy.person_without_usable_evidence_days)
    imported = {b.id: b.imported_at.date() for b in s.exec(select(ImportBatch))}
    for person in s.exec(select(YoungPerson)):
        if person.name.startswith("erased on "):
            continue
        # Nothing recorded about them: the clock runs from the day their record arrived.
        arrived = imported.get(person.import_id, date.min) if person.import_id is not None else date.min
        until = usable_until.get(person.person_id, arrived)
        if until is not None and until + grace < as_at:
            due.people.append(person.person_id)
    due.people.sort()
    return due


def _about(row: Evidence | Concern | Strength) -> list[str]:
    """The young people a row is about (an evidence item can be about two)."""
    if isinstance(row, Evidence):
        return [row.subject_id, row.object_id] if row.object_kind == "person" else [row.subject_id]
    return [row.person_id]


def _key(row: Evidence | Concern | Strength) -> str:
    if isinstance(row, Evidence):
        return row.evidence_id
    if isinstance(row, Concern):
        return row.concern_id
    return row.strength_id


def retention_due(store: Store, actor: Actor, as_at: date | None = None) -> RetentionDue:
    """What is past retention as at `as_at` (today); the view is audited."""
    require(actor, Role.PANEL, Role.AUDITOR, to="review retention")
    day = as_at or clock.today()
    with store.read() as s:
        due = _due_in(s, day, load_retention_policy())
    audit.log_event(store, actor, "retention.due", {"as_at": day.isoformat(), "due": due.total})
    return due


def retention_run(store: Store, actor: Actor, reason: str, *, dry_run: bool = False) -> RetentionDue:
    """Erase exactly what `retention_due` lists today (panel); `dry_run` only says what would go."""
    require(actor, Role.PANEL, to="run retention and disposal")
    if not reason.strip():
        raise PeermapError("a reason is required for a retention run (recorded in the audit trail)")
    policy = load_retention_policy()
    day = clock.today()
    if dry_run:
        return retention_due(store, actor, day)
    with store.transaction() as s:
        due = _due_in(s, day, policy)
        event = audit.record(
            s,
            actor,
            "retention.run",
            {
                "as_at": day.isoformat(),
                "policy_version": policy.version,
                "reason": reason.strip(),
                "evidence": len(due.evidence),
                "concerns": len(due.concerns),
                "strengths": len(due.strengths),
                "people": len(due.people),
            },
        )
        delete_rows(s, "evidence", due.evidence, event.seq)
        delete_rows(s, "concern", due.concerns, event.seq)
        delete_rows(s, "strength", due.strengths, event.seq)
        erased: set[str] = set()
        for pid in due.people:
            if pid in erased:
                continue
            report = erase_in(s, actor, pid, reason, f"retention policy {policy.version}")
            erased.update(report.records)
    vacuum(store)
    return due
