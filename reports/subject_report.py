"""The subject-access report's data: everything held about one young person, its sources and disclosures.

The subject's own names and ids stay; every other young person not on the map is redacted, in labels and
inside notes, as in every other output.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from peermap.engine import (
    ANOTHER,
    Actor,
    MapResult,
    NotFound,
    ObjectKind,
    Redactor,
    Role,
    Store,
    audit_trail,
    event_payload,
    require,
    subject_rows,
    young_person_records,
)

from .common import agreement_json, batch_json, event_row, grading_json, iso, policy_block, stamp


def _mentions(value: Any, ids: set[str]) -> bool:
    if isinstance(value, str):
        return value in ids
    if isinstance(value, dict):
        return any(_mentions(v, ids) or (k in ids) for k, v in value.items())
    if isinstance(value, list):
        return any(_mentions(v, ids) for v in value)
    return False


def subject_context(
    result: MapResult, store: Store, actor: Actor, person: str, *, recipient: str | None = None
) -> dict[str, Any]:
    """Everything held about one young person, its sources, and every recorded view, report and export."""
    require(actor, Role.AUDITOR, Role.PANEL, to="produce a subject-access report")
    snap = result.snapshot
    records_ = young_person_records(store)
    if person not in records_:
        raise NotFound(f"no young person with id {person!r}")
    canonical = snap.canonical.get(person, person)
    record_ids = set(snap.records_of.get(canonical, [person])) | {person}
    own_names = {records_[r].name for r in record_ids if r in records_}
    red = Redactor(
        result,
        (r for rid, r in records_.items() if rid not in record_ids),
        keep=own_names | record_ids | {canonical},
    )

    def other(pid: str) -> dict[str, Any]:
        can = snap.canonical.get(pid, pid)
        if pid in record_ids or can == canonical:
            return {"id": pid, "kind": "person", "label": "this young person"}
        kind, label = red.node(pid)
        if kind == ObjectKind.PERSON.value:
            shown = red.shown_id(pid)
            return {"id": shown, "kind": kind, "label": label if shown else ANOTHER}
        return {"id": pid, "kind": kind, "label": label}

    held = subject_rows(store, record_ids)
    agencies_used: dict[str, int] = defaultdict(int)
    agreements_used: set[str] = set()
    evidence = []
    for e in held.evidence:
        role = "subject" if e.subject_id in record_ids else "object"
        other_id = e.object_id if role == "subject" else e.subject_id
        agencies_used[e.agency] += 1
        agreements_used.add(e.agreement_id)
        evidence.append(
            {
                "id": e.evidence_id,
                "position": role,
                "relation": e.relation,
                "other": other(other_id),
                "polarity": e.polarity,
                "agency": e.agency,
                "grading": grading_json(e.grading, e.grading_scheme),
                "observed": iso(e.observed_on),
                "recorded": iso(e.recorded_on),
                "agreement": e.agreement_id,
                "recorder": red.text(e.recorder),
                "note": red.text(e.note),
                "supersedes": e.supersedes,
                "retraction": e.retraction,
                "withdrawn_by": snap.withdrawn_by.get(e.evidence_id),
                "import": batch_json(held.batches.get(e.import_id)),
            }
        )
    flags = []
    for kind, items in (("concern", held.concerns), ("strength", held.strengths)):
        for it in items:
            agencies_used[it.agency] += 1
            agreements_used.add(it.agreement_id)
            flags.append(
                {
                    "kind": kind,
                    "id": getattr(it, f"{kind}_id"),
                    "what": it.kind,
                    "agency": it.agency,
                    "grading": it.grading,
                    "recorded": iso(it.recorded_on),
                    "agreement": it.agreement_id,
                    "note": red.text(it.note),
                    "import": batch_json(held.batches.get(it.import_id)),
                }
            )
    records = []
    for rid in sorted(record_ids):
        r = records_.get(rid)
        if r is None:
            continue
        records.append(
            {
                "id": r.person_id,
                "name": r.name,
                "date_of_birth": iso(r.date_of_birth),
                "birth_year": r.birth_year,
                "sex": r.sex,
                "ethnicity": r.ethnicity,
                "area": r.area,
                "school": r.school,
                "review_by": iso(r.review_by),
                "agency": r.agency,
                "import": batch_json(held.batches.get(r.import_id)),
            }
        )
    st = result.statuses.get(canonical)
    status = None
    if st is not None:
        status = {
            "status": st.status,
            "reasons": [{"code": x.code, "text": red.text(x.text)} for x in st.reasons],
            "roles": {k: list(v) for k, v in sorted(st.roles.items())},
        }
    events = []
    for ev in audit_trail(store):
        payload = event_payload(ev)
        if not _mentions(payload, record_ids | {canonical}):
            continue
        events.append(
            {
                **event_row(ev),
                "kind": str(payload.get("kind") or ""),
                "recipient": (str(payload.get("recipient") or "").strip() or None),
            }
        )
    sources = []
    for aid in sorted(agencies_used):
        agency = snap.agencies.get(aid)
        sources.append(
            {
                "agency": aid,
                "name": agency.name if agency else aid,
                "kind": agency.kind if agency else "unknown",
                "items": agencies_used[aid],
            }
        )
    return {
        "stamp": stamp("subject", result, actor, recipient),
        "subject": {"id": person, "canonical_id": canonical, "names": sorted(own_names)},
        "records": records,
        "map_status": status,
        "evidence": evidence,
        "concerns_and_strengths": flags,
        "sources": sources,
        "agreements": [agreement_json(held.agreements.get(a), a) for a in sorted(agreements_used)],
        "disclosures": events,
        "policy": policy_block(result, red),
    }
