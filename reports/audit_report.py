"""The audit report's data: who is on the map and why, with every link, evidence item, rule and decision."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from peermap.engine import (
    Actor,
    MapResult,
    Redactor,
    RuleTracer,
    Store,
    YoungPerson,
    age_text,
    audit_trail,
    decisions_until,
    erasures,
    event_payload,
    policy_versions,
    young_person_records,
)

from .common import (
    agreement_json,
    counts,
    decision_json,
    event_row,
    grading_json,
    groups_of,
    left_out_block,
    policy_block,
    stamp,
)
from .evidence import EvidenceItems, LinksByNode, band_key, person_links

OUTPUT_ACTIONS = ("report", "export")


def policy_changes(store: Store, until: date, red: Redactor) -> list[dict[str, Any]]:
    """Every inclusion-policy version created by the end of `until`, with who, when and why."""
    return [
        {
            "version": r.version,
            "created_at": r.created_at.isoformat(timespec="seconds"),
            "actor": r.actor,
            "role": r.role,
            "reason": red.text(r.reason),
            "replaces": r.replaces,
        }
        for r in policy_versions(store, until)
    ]


def import_rows(store: Store, until: date) -> list[dict[str, Any]]:
    rows = []
    for ev in audit_trail(store, ("import",), until):
        p = event_payload(ev)
        raw = p.get("counts")
        counts_: dict[str, Any] = raw if isinstance(raw, dict) else {}
        rows.append(
            {
                **event_row(ev),
                "source": str(p.get("source") or ""),
                "digest": str(p.get("digest") or ""),
                "rows": int(sum(v for v in counts_.values() if isinstance(v, int))),
                "quarantined": int(p.get("quarantined") or 0),
            }
        )
    return rows


def output_rows(store: Store, until: date | None = None) -> list[dict[str, Any]]:
    """Every report and export recorded by `until`: who, for whom, how many young people it named."""
    rows = []
    for ev in audit_trail(store, OUTPUT_ACTIONS, until):
        p = event_payload(ev)
        people = p.get("person_ids") if isinstance(p.get("person_ids"), list) else []
        rows.append(
            {
                **event_row(ev),
                "kind": str(p.get("kind") or ""),
                "format": str(p.get("format") or ""),
                "recipient": (str(p.get("recipient") or "").strip() or None),
                "people": len(people or []),
            }
        )
    return rows


def erasure_rows(store: Store) -> list[dict[str, Any]]:
    """Every erasure's tombstone: when, by whom, under which policy, how many records (never what they held)."""
    return [
        {
            "seq": e["seq"],
            "at": e["at"],
            "actor": e["actor"],
            "role": e["role"],
            "records": len(e["records"]),
            "tombstone": e["tombstone"],
            "reason": e["reason"],
        }
        for e in erasures(store)
    ]


def _records(store: Store | None) -> Iterable[YoungPerson]:
    return young_person_records(store).values() if store is not None else ()


def audit_context(
    result: MapResult,
    store: Store | None,
    actor: Actor,
    *,
    recipient: str | None = None,
    with_traces: bool = True,
) -> dict[str, Any]:
    """Who is on the map and why: every shown young person, their links, evidence, rules and decisions."""
    snap = result.snapshot
    red = Redactor(result, _records(store))
    tracer = RuleTracer(result) if with_traces else None
    items = EvidenceItems(result, store, red, tracer)
    by_node = LinksByNode(result)
    bands: dict[tuple[str, str, str], str] = {
        band_key(sl.source, sl.target, sl.relation): sl.band for sl in result.shown_links
    }
    groups = groups_of(result)
    group_of: dict[str, list[str]] = defaultdict(list)
    for g in groups:
        for m in g.members:
            group_of[m].append(g.id)
    decisions = decisions_until(store, result.as_at) if store is not None else []
    people: list[dict[str, Any]] = []
    for st in result.shown_people():
        pid = st.person_id
        person = snap.people[pid]
        mine = set(group_of.get(pid, [])) | {pid} | set(snap.records_of.get(pid, []))
        people.append(
            {
                "id": pid,
                "name": person.name,
                "status": st.status,
                "reasons": [
                    {
                        "code": r.code,
                        "text": red.text(r.text),
                        "refs": [x for x in r.refs if red.shown_id(x) is not None or x not in snap.people],
                    }
                    for r in st.reasons
                ],
                "roles": {k: list(v) for k, v in sorted(st.roles.items())},
                "records": list(snap.records_of.get(pid, [pid])),
                "age": age_text(person, result.as_at),
                "area": person.area,
                "school": person.school,
                "review_by": person.review_by.isoformat() if person.review_by else None,
                "groups": sorted(group_of.get(pid, [])),
                "links": person_links(result, pid, items, red, bands, by_node),
                "decisions": [decision_json(d, red) for d in decisions if d.target_id in mine],
            }
        )
    group_rows = [
        {
            "id": g.id,
            "members": list(g.members),
            "greyed_members": list(g.greyed_members),
            "locations": list(g.locations),
            "incidents": list(g.incidents),
            "decisions": [decision_json(d, red) for d in decisions if d.target_id == g.id],
        }
        for g in groups
    ]
    until = result.as_at
    agencies, agreements, gradings = items.used_keys()
    return {
        "stamp": stamp("audit", result, actor, recipient),
        "counts": counts(result),
        "policy": policy_block(result, red),
        "rule_pack": {"version": result.rule_pack_version, "rules": tracer.table() if tracer else []},
        "agencies": [
            {
                "id": a,
                "name": snap.agencies[a].name if a in snap.agencies else a,
                "kind": snap.agencies[a].kind if a in snap.agencies else "unknown",
            }
            for a in sorted(agencies)
        ],
        "agreements": [agreement_json(snap.agreements.get(a), a) for a in sorted(agreements)],
        "gradings": [{"scheme": sch, **grading_json(code, sch)} for sch, code in sorted(gradings)],
        "people": people,
        "groups": group_rows,
        "left_out": left_out_block(result, actor),
        "policy_changes": policy_changes(store, until, red) if store is not None else [],
        "imports": import_rows(store, until) if store is not None else [],
        "outputs": output_rows(store, until) if store is not None else [],
        "erasures": erasure_rows(store) if store is not None else [],
        "other_decisions": [
            decision_json(d, red)
            for d in decisions
            if d.target_id not in {g.id for g in groups}
            and not any(d.target_id == p["id"] or d.target_id in p["records"] for p in people)
        ],
    }
