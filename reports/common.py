"""Parts every report shares: the stamp, counts, the left-out block, policy, agreements, gradings, imports.

Report data are plain, JSON-ready dicts; templates only lay them out. Only shown young people are named; a
left-out young person is "another young person" wherever they would appear (peermap.engine.Redactor), and
their internal ids are listed only for the auditor role.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from peermap.engine import (
    Actor,
    AuditEvent,
    Decision,
    GradingError,
    Group,
    ImportBatch,
    MapResult,
    Redactor,
    SharingAgreement,
    find_groups,
    from_day_number,
    may_see_left_out_ids,
    now,
    parse_grading,
)

TITLES = {
    "audit": "Audit report: who is on the map and why",
    "labelling": "Labelling-risk report",
    "subject": "Subject-access report",
    "map": "Map of peer groups, places and incidents",
}


def peermap_version() -> str:
    try:
        return version("peermap")
    except PackageNotFoundError:
        return "unknown"


def stamp(kind: str, result: MapResult, actor: Actor, recipient: str | None) -> dict[str, Any]:
    """Who produced the report, for whom, as at which date, under which policy and rule pack."""
    pol = result.policy
    return {
        "report": kind,
        "title": TITLES[kind],
        "generated_at": now().isoformat(timespec="seconds"),
        "generated_by": {"actor": actor.name, "role": actor.role.value},
        "recipient": (recipient or "").strip() or None,
        "as_at": result.as_at.isoformat(),
        "policy_version": pol.version,
        "policy_in_force_from": pol.created_at.isoformat(timespec="seconds"),
        "rule_pack_version": result.rule_pack_version,
        "peermap_version": peermap_version(),
    }


def counts(result: MapResult) -> dict[str, int]:
    n: dict[str, int] = defaultdict(int)
    for s in result.statuses.values():
        n[s.status] += 1
    return {
        "known": len(result.statuses),
        "included": n["included"],
        "greyed": n["greyed"],
        "left_out": n["left_out"],
    }


def left_out_block(result: MapResult, actor: Actor) -> dict[str, Any]:
    """Left-out young people: a count for everyone, internal ids (never names) for the auditor only."""
    ids = result.left_out_ids if may_see_left_out_ids(actor) else None
    return {
        "count": result.left_out_count,
        "ids": ids,
        "note": "internal record ids, shown to the auditor role only"
        if ids is not None
        else "not named: only the count is reported",
    }


def policy_block(result: MapResult, red: Redactor) -> dict[str, Any]:
    """The policy in force; its reason is free text, so it goes through the redactor like a note."""
    pol = result.policy
    body = pol.body.to_json() if hasattr(pol.body, "to_json") else dict(pol.body)
    return {
        "version": pol.version,
        "created_at": pol.created_at.isoformat(timespec="seconds"),
        "actor": pol.actor,
        "role": pol.role,
        "reason": red.text(pol.reason),
        "replaces": pol.replaces,
        "settings": body,
    }


def agreement_json(a: SharingAgreement | None, agreement_id: str | None) -> dict[str, Any]:
    if a is None:
        return {
            "id": agreement_id,
            "found": False,
            "purpose": None,
            "lawful_basis": None,
            "dpia_ref": None,
            "retention_days": None,
        }
    return {
        "id": a.agreement_id,
        "found": True,
        "purpose": a.purpose,
        "lawful_basis": a.lawful_basis,
        "dpia_ref": a.dpia_ref,
        "retention_days": a.retention_days,
    }


@lru_cache(maxsize=4096)
def _grading_cached(code: str, scheme: str) -> tuple[tuple[str, str], ...]:
    try:
        g = parse_grading(code, scheme)
    except GradingError:
        return (("code", code), ("scheme", scheme), ("meaning", "unrecognised grading"))
    return (("code", g.code), ("scheme", g.scheme.value), ("meaning", g.describe()))


def grading_json(code: str, scheme: str) -> dict[str, str]:
    """A grading code with its scheme and what it means ("unrecognised grading" when it does not parse)."""
    return dict(_grading_cached(code, scheme))


def batch_json(b: ImportBatch | None) -> dict[str, Any] | None:
    if b is None:
        return None
    return {
        "id": b.id,
        "source": b.source,
        "imported_at": b.imported_at.isoformat(timespec="seconds"),
        "actor": b.actor,
    }


def decision_json(d: Decision, red: Redactor) -> dict[str, Any]:
    return {
        "suggestion": d.suggestion_id,
        "intervention": d.intervention_id,
        "target_kind": d.target_kind,
        "target": d.target_id,
        "decision": d.decision,
        "reason": red.text(d.reason),
        "actor": d.actor,
        "role": d.role,
        "decided_at": d.decided_at.isoformat(timespec="seconds"),
    }


def event_row(ev: AuditEvent) -> dict[str, Any]:
    return {"seq": ev.seq, "at": ev.at, "actor": ev.actor, "role": ev.role, "action": ev.action}


def iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


@lru_cache(maxsize=8192)
def day(n: int) -> str:
    """An ISO date from the snapshot's day numbers."""
    return from_day_number(n).isoformat()


def groups_of(result: MapResult) -> list[Group]:
    """The map's peer groups (found now when the map was built without them)."""
    if result.groups:
        return result.groups
    return find_groups(result)


def shown_person_ids(context: dict[str, Any]) -> list[str]:
    """The person ids a rendered report includes (for the audit event): shown people, or the subject."""
    kind = context["stamp"]["report"]
    if kind == "subject":
        return [context["subject"]["id"]]
    if kind == "map":
        return [n["id"] for n in context["nodes"] if n["kind"] == "person"]
    return [p["id"] for p in context["people"]]


def iter_strings(value: Any) -> Iterator[str]:
    """Every string inside a context (used by tests that scan reports for names that must not appear)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from iter_strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from iter_strings(v)
