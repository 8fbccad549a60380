"""Governance checks: the sharing agreements behind the map, and what the audit trail shows was sent out
(every output needs a recipient; copies naming people now removed must be recalled)."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import col, select

from ..models import AuditEvent, SharingAgreement
from ..naming import NAMING_ACTIONS, answered
from ..store import Store
from .record import Check, Context, Example, Outcome, step
from .results import Finding

# Actions in the audit trail that put people's data into an output someone else receives.
OUTPUT_ACTIONS = NAMING_ACTIONS  # reports, exports and every screen that named young people


def _agreements(ctx: Context) -> list[SharingAgreement]:
    return sorted(ctx.snap.agreements.values(), key=lambda a: a.agreement_id)


def _agreement_basis(ctx: Context) -> Outcome:
    agreements = _agreements(ctx)
    no_basis = [a for a in agreements if not (a.lawful_basis or "").strip() or not (a.purpose or "").strip()]
    table = [
        {
            "agreement": a.agreement_id,
            "agencies": a.agencies,
            "purpose": a.purpose,
            "lawful_basis": a.lawful_basis,
            "dpia_ref": a.dpia_ref,
            "valid_from": a.valid_from.isoformat(),
            "valid_to": a.valid_to.isoformat() if a.valid_to else None,
            "retention_days": a.retention_days,
        }
        for a in agreements
    ]
    return Outcome(
        [Finding(_missing(a), refs=(a.agreement_id,)) for a in no_basis],
        affected=[a.agreement_id for a in no_basis],
        table=table,
        values={"total": len(agreements)},
    )


def _missing(a: SharingAgreement) -> str:
    gaps = [name for name, v in (("lawful basis", a.lawful_basis), ("purpose", a.purpose)) if not (v or "").strip()]
    return f"{a.agreement_id}: no {' or '.join(gaps)}"


AGREEMENT_BASIS = Check(
    id="agreement_basis",
    title="Sharing agreements state lawful basis and purpose",
    scope="governance",
    why="Sharing must be necessary, proportionate and recorded under a stated lawful basis (UK GDPR).",
    run=_agreement_basis,
    messages={
        "found": "{n} of {total} agreement(s) lack a lawful basis or purpose",
        "none": "all {total} agreement(s) state a lawful basis and purpose",
    },
    examples=(
        Example(
            "an agreement with a blank lawful basis and no purpose",
            True,
            (step("agreement", "ISA-BARE", "police", lawful_basis=" ", purpose="", dpia_ref=None),),
            ("ISA-BARE",),
        ),
        Example("the standard agreement states both", False, ()),
    ),
)


def _dpia_reference(ctx: Context) -> Outcome:
    agreements = _agreements(ctx)
    no_dpia = [a for a in agreements if not (a.dpia_ref or "").strip()]
    return Outcome(
        [Finding(f"{a.agreement_id}: no DPIA reference", refs=(a.agreement_id,)) for a in no_dpia],
        affected=[a.agreement_id for a in no_dpia],
        values={"total": len(agreements)},
    )


DPIA_REFERENCE = Check(
    id="dpia_reference",
    title="DPIA reference recorded",
    scope="governance",
    why="Routine sharing needs a data-protection impact assessment; the Gangs Matrix had none.",
    run=_dpia_reference,
    messages={
        "found": "{n} of {total} agreement(s) have no DPIA reference",
        "none": "all {total} agreement(s) record a DPIA reference",
    },
    examples=(
        Example(
            "an agreement with no DPIA reference",
            True,
            (step("agreement", "ISA-NODPIA", "police", dpia_ref=None),),
            ("ISA-NODPIA",),
        ),
        Example("the standard agreement records one", False, ()),
    ),
)


def _output_events(store: Store) -> list[tuple[AuditEvent, dict[str, Any]]]:
    with store.read() as s:
        rows = list(
            s.exec(select(AuditEvent).where(col(AuditEvent.action).in_(OUTPUT_ACTIONS)).order_by(col(AuditEvent.seq)))
        )
    out = []
    for ev in rows:
        try:
            payload = json.loads(ev.payload)
        except ValueError:
            payload = {}
        out.append((ev, payload if isinstance(payload, dict) else {}))
    return out


def _erasure_events(store: Store) -> list[tuple[AuditEvent, dict[str, Any]]]:
    with store.read() as s:
        rows = list(s.exec(select(AuditEvent).where(AuditEvent.action == "erase").order_by(col(AuditEvent.seq))))
    out = []
    for ev in rows:
        try:
            payload = json.loads(ev.payload)
        except ValueError:
            payload = {}
        out.append((ev, payload if isinstance(payload, dict) else {}))
    return out


def _people_in(payload: dict[str, Any]) -> list[str]:
    people = payload.get("person_ids") or []
    return [str(p) for p in people] if isinstance(people, list) else []


def _outputs_logged(ctx: Context) -> Outcome:
    assert ctx.store is not None  # needs_store: evaluate() reports "not checked" without one
    outputs = _output_events(ctx.store)
    rows: list[dict[str, Any]] = []
    missing: list[Finding] = []
    for ev, payload in outputs:
        recipient = str(payload.get("recipient") or "").strip()
        rows.append(
            {
                "seq": ev.seq,
                "at": ev.at,
                "actor": ev.actor,
                "role": ev.role,
                "action": ev.action,
                "kind": str(payload.get("kind") or ""),
                "format": str(payload.get("format") or ""),
                "recipient": recipient or None,
                "people": len(_people_in(payload)),
            }
        )
        if not recipient:
            missing.append(
                Finding(
                    f"event {ev.seq} ({ev.action} {payload.get('kind') or ''} by {ev.actor}) names no recipient",
                    refs=(f"event:{ev.seq}",),
                )
            )
    return Outcome(missing, affected=[f.refs[0] for f in missing], table=rows, values={"total": len(outputs)})


OUTPUTS_LOGGED = Check(
    id="outputs_logged",
    title="Every report and export logged with a recipient",
    scope="governance",
    why="Newham was fined after an unredacted list went to 44 recipients: every output needs a recipient.",
    run=_outputs_logged,
    needs_store=True,
    messages={
        "found": "{n} of {total} logged output(s) name no recipient",
        "none": "all {total} logged output(s) name a recipient",
        "not_checked": "not checked: needs the database's audit trail",
    },
    examples=(
        Example(
            "an export with no recipient",
            True,
            (
                step("person", "A", "Ann One"),
                step("audit", "export", {"kind": "map", "format": "csv", "person_ids": ["A"]}),
                step("audit", "report", {"kind": "audit", "recipient": "DPO", "person_ids": ["A"]}),
            ),
            ("event:1",),
        ),
        Example(
            "every output names its recipient",
            False,
            (
                step("person", "A", "Ann One"),
                step("audit", "report", {"kind": "map", "recipient": "Panel chair", "person_ids": ["A"]}),
            ),
        ),
    ),
)


def _shadow_lists(ctx: Context) -> Outcome:
    assert ctx.store is not None  # needs_store: evaluate() reports "not checked" without one
    left_out = set(ctx.result.left_out_ids)
    noticed = answered(ctx.store)
    events: list[str] = []
    people: set[str] = set()
    for ev, payload in _output_events(ctx.store):
        if (str(payload.get("recipient") or "").strip(), ev.seq) in noticed:
            continue  # the recipient has been sent a correction or removal notice for this output
        now_out = {ctx.snap.canonical.get(p, p) for p in _people_in(payload)} & left_out
        if now_out:
            events.append(f"event:{ev.seq}")
            people |= now_out
    for ev, payload in _erasure_events(ctx.store):
        owed = [
            i
            for i in payload.get("notify") or []
            if (str(i.get("recipient") or ""), int(i.get("event") or 0)) not in noticed
        ]
        for item in owed:
            events.append(f"event:{int(item.get('event') or 0)}")
        if owed:
            people.add(f"erased:{ev.seq}")
    events = sorted(set(events), key=lambda e: int(e.split(":")[1]))
    # Only counts: the people now left out are never named, not even by id.
    return Outcome(
        [Finding(f"{e} included young people who are now left out", refs=(e,)) for e in events],
        affected=events,
        values={"people": len(people), "events": len(events)},
    )


SHADOW_LISTS = Check(
    id="shadow_lists",
    title="Removed young people still in earlier outputs",
    scope="cohort",
    why="Informal lists of removed people kept the Gangs Matrix alive for those removed (ICO, 2018).",
    run=_shadow_lists,
    needs_store=True,
    messages={
        "found": "{people} young people now left out appear in {events} earlier output(s) with no notice sent: "
        "produce the notices (peermap notices; peermap report notice --recipient R)",
        "none": "no young person now left out appears in an earlier logged output",
        "not_checked": "not checked: needs the database's audit trail",
    },
    examples=(
        Example(
            "an earlier report named a young person now left out",
            True,
            (
                step("person", "A", "Ann One"),
                step("person", "Z", "Zed Hidden", "left_out"),
                step("audit", "report", {"kind": "map", "recipient": "Panel", "person_ids": ["A", "Z"]}),
            ),
            ("event:1",),
        ),
        Example(
            "earlier outputs name only young people still on the map",
            False,
            (
                step("person", "A", "Ann One"),
                step("audit", "report", {"kind": "map", "recipient": "Panel", "person_ids": ["A"]}),
            ),
        ),
    ),
)

CHECKS = (AGREEMENT_BASIS, DPIA_REFERENCE, OUTPUTS_LOGGED, SHADOW_LISTS)
