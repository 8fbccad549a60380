"""Stored rows the reports need beyond the map: record details, audit events, policy versions, decisions.

Reports lay data out; the queries live here so no module under reports/ touches the database. Every
function reads in one session and returns plain rows or small dataclasses.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import col, or_, select

from .models import (
    AuditEvent,
    Concern,
    Decision,
    Evidence,
    ImportBatch,
    PolicyVersion,
    SharingAgreement,
    Strength,
    YoungPerson,
)
from .restricted import placeholder, readable_details, reveal
from .store import Store


def young_person_records(store: Store) -> dict[str, YoungPerson]:
    """Every agency record of a young person in the store, by record id."""
    with store.read() as s:
        return {r.person_id: r for r in s.exec(select(YoungPerson))}


def audit_trail(store: Store, actions: Iterable[str] | None = None, until: date | None = None) -> list[AuditEvent]:
    """Audit events oldest first, optionally only some actions and only those on or before `until`.

    Callers check the role: reports that show the trail are themselves role-checked and audited.
    """
    with store.read() as s:
        q = select(AuditEvent).order_by(col(AuditEvent.seq))
        if actions is not None:
            q = q.where(col(AuditEvent.action).in_(list(actions)))
        rows = list(s.exec(q))
    if until is not None:
        cutoff = until.isoformat()
        rows = [r for r in rows if r.at[:10] <= cutoff]
    return rows


def event_payload(ev: AuditEvent) -> dict[str, Any]:
    """An event's JSON payload as a dict ({} when it is not a JSON object)."""
    try:
        p = json.loads(ev.payload)
    except ValueError:
        return {}
    return p if isinstance(p, dict) else {}


def policy_versions(store: Store, until: date) -> list[PolicyVersion]:
    """Every inclusion-policy version created by the end of `until`, oldest first."""
    with store.read() as s:
        rows = list(s.exec(select(PolicyVersion).order_by(col(PolicyVersion.version))))
    return [r for r in rows if r.created_at.date() <= until]


def decisions_until(store: Store, until: date) -> list[Decision]:
    """Every intervention decision taken by the end of `until`, in the order they were taken."""
    with store.read() as s:
        rows = list(s.exec(select(Decision).order_by(col(Decision.decided_at), col(Decision.id))))
    return [d for d in rows if d.decided_at.date() <= until]


@dataclass(frozen=True)
class EvidenceDetails:
    """The stored columns of an evidence row that the snapshot's arrays do not carry."""

    agreement_id: str
    grading: str
    grading_scheme: str
    recorder: str | None
    note: str | None


def evidence_details(store: Store, as_at: date) -> dict[str, EvidenceDetails]:
    """Agreement, grading, recorder and note of every evidence row recorded by `as_at`, by evidence id."""
    query = sa_select(
        col(Evidence.evidence_id),
        col(Evidence.agreement_id),
        col(Evidence.grading),
        col(Evidence.grading_scheme),
        col(Evidence.recorder),
        col(Evidence.note),
        col(Evidence.restricted),
        col(Evidence.agency),
    ).where(col(Evidence.recorded_on) <= as_at)
    rows: dict[str, EvidenceDetails] = {}
    with store.read() as s:
        found = list(s.execute(query))
        detail = readable_details(s, "evidence", [r[0] for r in found if r[6]])
    for eid, agreement_id, grading, scheme, recorder, note, restricted, agency in found:
        if restricted:  # the note only for the agency's members (row-level security), else whom to ask
            note = detail[eid].note if eid in detail else placeholder(agency, grading)
        rows[eid] = EvidenceDetails(agreement_id, grading, scheme, recorder, note)
    return rows


@dataclass
class SubjectRows:
    """Everything stored about a set of agency records of one young person (for subject access)."""

    evidence: list[Evidence]
    concerns: list[Concern]
    strengths: list[Strength]
    agreements: dict[str, SharingAgreement]
    batches: dict[int | None, ImportBatch]


def subject_rows(store: Store, record_ids: Iterable[str]) -> SubjectRows:
    """Evidence naming any of the records (either end), their concerns and strengths, agreements, imports."""
    ids = sorted(set(record_ids))
    with store.read() as s:
        evidence = list(
            s.exec(
                select(Evidence)
                .where(or_(col(Evidence.subject_id).in_(ids), col(Evidence.object_id).in_(ids)))
                .order_by(col(Evidence.evidence_id))
            )
        )
        concerns = list(
            s.exec(select(Concern).where(col(Concern.person_id).in_(ids)).order_by(col(Concern.concern_id)))
        )
        strengths = list(
            s.exec(select(Strength).where(col(Strength.person_id).in_(ids)).order_by(col(Strength.strength_id)))
        )
        agreements = {a.agreement_id: a for a in s.exec(select(SharingAgreement))}
        batches: dict[int | None, ImportBatch] = {b.id: b for b in s.exec(select(ImportBatch))}
        s.expunge_all()  # detached: the restricted notes filled in below are never written back
        reveal(s, "evidence", evidence, "evidence_id")
        reveal(s, "concern", concerns, "concern_id")
        reveal(s, "strength", strengths, "strength_id")
    return SubjectRows(evidence, concerns, strengths, agreements, batches)
