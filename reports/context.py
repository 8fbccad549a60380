"""Report data: plain, JSON-ready dicts built from a MapResult and the store. Templates only lay these out.

Every builder keeps the rules of the map: only shown young people are named; a left-out young person is
"another young person" wherever they would appear (including inside free-text notes), and their internal
ids are listed only for the auditor role.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import numpy as np
from sqlalchemy import select as sa_select
from sqlmodel import col, or_, select

from peermap.engine import clock
from peermap.engine.access import Actor, Role, require
from peermap.engine.errors import NotFound
from peermap.engine.labelling import Baseline, LabellingReport, age_on, run_checks
from peermap.engine.map_model import Group, MapResult
from peermap.engine.models import (
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
from peermap.engine.rules.grading import GradingError, parse_grading
from peermap.engine.snapshot import day_number, from_day_number
from peermap.engine.store import Store
from peermap.engine.vocab import RELATIONS, ObjectKind

ANOTHER = "another young person"
OUTPUT_ACTIONS = ("report", "export")
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


# --------------------------------------------------------------------------------------------- redaction


_WORD = re.compile(r"\w+")


class NameMatcher:
    """Finds whole names in text in one pass (keyed on first words), so thousands of names stay fast."""

    def __init__(self, names: Iterable[str]) -> None:
        self._by_word: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for name in sorted({n.strip() for n in names if len(n.strip()) >= 2}, key=len, reverse=True):
            first = _WORD.search(name)
            if first is not None:
                self._by_word[first.group(0).lower()].append((first.start(), name.lower()))

    def __bool__(self) -> bool:
        return bool(self._by_word)

    def sub(self, text: str, replacement: str) -> str:
        if not any(w in self._by_word for w in _WORD.findall(text.lower())):
            return text
        out: list[str] = []
        pos = 0
        for m in _WORD.finditer(text):
            for offset, name in self._by_word.get(m.group(0).lower(), ()):
                start = m.start() - offset
                end = start + len(name)
                if start < pos or text[start:end].lower() != name:
                    continue
                if (start > 0 and _is_word(text[start - 1]) and _is_word(name[0])) or (
                    end < len(text) and _is_word(text[end]) and _is_word(name[-1])
                ):
                    continue
                out.append(text[pos:start])
                out.append(replacement)
                pos = end
                break
        out.append(text[pos:])
        return "".join(out)


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


class Redactor:
    """Node labels, and free text with left-out young people's names replaced by "another young person"."""

    def __init__(self, result: MapResult, records: Iterable[YoungPerson] = (), keep: Iterable[str] = ()) -> None:
        self.result = result
        self._keep = {k.strip().lower() for k in keep}
        snap = result.snapshot
        self.shown = {s.person_id for s in result.shown_people()}
        left_out = [pid for pid, st in result.statuses.items() if st.status == "left_out"]
        self._hidden_names = {snap.people[pid].name for pid in left_out if pid in snap.people}
        self._hidden_names |= {rec for pid in left_out for rec in snap.records_of.get(pid, [pid])}
        self._matcher = NameMatcher(())
        self._compile()
        self.add_records(records)

    def _compile(self) -> None:
        self._matcher = NameMatcher(n for n in self._hidden_names if n.strip().lower() not in self._keep)

    def add_records(self, records: Iterable[YoungPerson]) -> None:
        """Every agency record of a left-out young person is redacted too (not only the representative)."""
        before = len(self._hidden_names)
        for rec in records:
            can = self.result.snapshot.canonical.get(rec.person_id, rec.person_id)
            if can not in self.shown:
                self._hidden_names |= {rec.name, rec.person_id}
        if len(self._hidden_names) != before:
            self._compile()

    def text(self, value: str | None) -> str | None:
        """Record text with every left-out young person's name replaced."""
        if value is None or not self._matcher:
            return value
        return self._matcher.sub(value, ANOTHER)

    def person(self, pid: str) -> str:
        """A shown person's name, or "another young person"."""
        can = self.result.snapshot.canonical.get(pid, pid)
        if can in self.shown:
            return self.result.snapshot.person_name(can)
        return ANOTHER

    def node(self, node_id: str) -> tuple[str, str]:
        """(kind, label) for any node id: people via `person`, places by name, incidents by kind and date."""
        snap = self.result.snapshot
        if node_id in snap.locations:
            return ObjectKind.LOCATION.value, snap.locations[node_id].name
        if node_id in snap.incidents:
            inc = snap.incidents[node_id]
            return ObjectKind.INCIDENT.value, f"{inc.kind.replace('_', ' ')} on {inc.date.isoformat()}"
        return ObjectKind.PERSON.value, self.person(node_id)

    def shown_id(self, pid: str) -> str | None:
        """The canonical id when the person is shown, else None (left-out ids never travel with links)."""
        can = self.result.snapshot.canonical.get(pid, pid)
        return can if can in self.shown else None


# --------------------------------------------------------------------------------------------- common parts


def all_records(store: Store) -> dict[str, YoungPerson]:
    """Every agency record of a young person in the store, by record id."""
    with store.read() as s:
        return {r.person_id: r for r in s.exec(select(YoungPerson))}


def stamp(kind: str, result: MapResult, actor: Actor, recipient: str | None) -> dict[str, Any]:
    pol = result.policy
    return {
        "report": kind,
        "title": TITLES[kind],
        "generated_at": clock.now().isoformat(timespec="seconds"),
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
    ids = result.left_out_ids if actor.role is Role.AUDITOR else None
    return {
        "count": result.left_out_count,
        "ids": ids,
        "note": "internal record ids, shown to the auditor role only"
        if ids is not None
        else "not named: only the count is reported",
    }


def policy_block(result: MapResult) -> dict[str, Any]:
    pol = result.policy
    body = pol.body.to_json() if hasattr(pol.body, "to_json") else dict(pol.body)
    return {
        "version": pol.version,
        "created_at": pol.created_at.isoformat(timespec="seconds"),
        "actor": pol.actor,
        "role": pol.role,
        "reason": pol.reason,
        "replaces": pol.replaces,
        "settings": body,
    }


def _payload(ev: AuditEvent) -> dict[str, Any]:
    try:
        p = json.loads(ev.payload)
    except ValueError:
        return {}
    return p if isinstance(p, dict) else {}


def _event_row(ev: AuditEvent) -> dict[str, Any]:
    return {"seq": ev.seq, "at": ev.at, "actor": ev.actor, "role": ev.role, "action": ev.action}


def _audit_events(store: Store, actions: Iterable[str] | None = None, until: date | None = None) -> list[AuditEvent]:
    with store.read() as s:
        q = select(AuditEvent).order_by(col(AuditEvent.seq))
        if actions is not None:
            q = q.where(col(AuditEvent.action).in_(list(actions)))
        rows = list(s.exec(q))
    if until is not None:
        cutoff = until.isoformat()
        rows = [r for r in rows if r.at[:10] <= cutoff]
    return rows


def policy_changes(store: Store, until: date) -> list[dict[str, Any]]:
    """Every inclusion-policy version created by the end of `until`, with who, when and why."""
    with store.read() as s:
        rows = list(s.exec(select(PolicyVersion).order_by(col(PolicyVersion.version))))
    out = []
    for r in rows:
        if r.created_at.date() > until:
            continue
        out.append(
            {
                "version": r.version,
                "created_at": r.created_at.isoformat(timespec="seconds"),
                "actor": r.actor,
                "role": r.role,
                "reason": r.reason,
                "replaces": r.replaces,
            }
        )
    return out


def import_rows(store: Store, until: date) -> list[dict[str, Any]]:
    rows = []
    for ev in _audit_events(store, ("import",), until):
        p = _payload(ev)
        raw = p.get("counts")
        counts_: dict[str, Any] = raw if isinstance(raw, dict) else {}
        rows.append(
            {
                **_event_row(ev),
                "source": str(p.get("source") or ""),
                "digest": str(p.get("digest") or ""),
                "rows": int(sum(v for v in counts_.values() if isinstance(v, int))),
                "quarantined": int(p.get("quarantined") or 0),
            }
        )
    return rows


def output_rows(store: Store, until: date | None = None) -> list[dict[str, Any]]:
    rows = []
    for ev in _audit_events(store, OUTPUT_ACTIONS, until):
        p = _payload(ev)
        people = p.get("person_ids") if isinstance(p.get("person_ids"), list) else []
        rows.append(
            {
                **_event_row(ev),
                "kind": str(p.get("kind") or ""),
                "format": str(p.get("format") or ""),
                "recipient": (str(p.get("recipient") or "").strip() or None),
                "people": len(people or []),
            }
        )
    return rows


# --------------------------------------------------------------------------------------------- evidence


@dataclass(frozen=True)
class EvidenceDetails:
    """The stored columns of an evidence row that the snapshot's arrays do not carry."""

    agreement_id: str
    grading: str
    grading_scheme: str
    recorder: str | None
    note: str | None


@dataclass
class EvidenceIndex:
    """The snapshot's evidence rows grouped by link, with each row's stored details (note, recorder)."""

    by_link: dict[tuple[int, int, int], list[int]]
    rows: dict[str, EvidenceDetails]


def evidence_index(result: MapResult, store: Store | None) -> EvidenceIndex:
    ev = result.snapshot.evidence
    by_link: dict[tuple[int, int, int], list[int]] = defaultdict(list)
    keys = zip(ev.subject.tolist(), ev.object.tolist(), ev.relation.tolist(), strict=True)
    for i, key in enumerate(keys):
        by_link[key].append(i)
    rows: dict[str, EvidenceDetails] = {}
    if store is not None and len(ev):
        query = sa_select(
            col(Evidence.evidence_id),
            col(Evidence.agreement_id),
            col(Evidence.grading),
            col(Evidence.grading_scheme),
            col(Evidence.recorder),
            col(Evidence.note),
        ).where(col(Evidence.recorded_on) <= result.as_at)
        with store.read() as s:
            for eid, agreement_id, grading, scheme, recorder, note in s.execute(query):
                rows[eid] = EvidenceDetails(agreement_id, grading, scheme, recorder, note)
    return EvidenceIndex(by_link=dict(by_link), rows=rows)


@lru_cache(maxsize=4096)
def _grading_cached(code: str, scheme: str) -> tuple[tuple[str, str], ...]:
    try:
        g = parse_grading(code, scheme)
    except GradingError:
        return (("code", code), ("scheme", scheme), ("meaning", "unrecognised grading"))
    return (("code", g.code), ("scheme", g.scheme.value), ("meaning", g.describe()))


def _grading(code: str, scheme: str) -> dict[str, str]:
    return dict(_grading_cached(code, scheme))


def _unused_reason(result: MapResult, i: int) -> str | None:
    ev = result.snapshot.evidence
    if ev.withdrawn[i]:
        by = result.snapshot.withdrawn_by.get(str(ev.evidence_id[i]))
        return f"withdrawn by {by}" if by else "withdrawn"
    if not ev.agreement_ok[i]:
        return "not covered by a valid sharing agreement on its recorded date"
    if not ev.retention_ok[i]:
        return "past the sharing agreement's retention period"
    return None


def evidence_item(result: MapResult, idx: EvidenceIndex, i: int, red: Redactor) -> dict[str, Any]:
    """One evidence row: source, grading, dates, agreement (lawful basis in the report's agreements)."""
    ev = result.snapshot.evidence
    eid = str(ev.evidence_id[i])
    row = idx.rows.get(eid)
    unused = _unused_reason(result, i)
    return {
        "id": eid,
        "agency": ev.agencies[int(ev.agency[i])],
        "grading": row.grading if row is not None else None,
        "scheme": row.grading_scheme if row is not None else None,
        "polarity": "refutes" if ev.refutes[i] else "supports",
        "observed": _day(int(ev.observed[i])),
        "recorded": _day(int(ev.recorded[i])),
        "source_ref": ev.source_refs[int(ev.source_ref[i])] if int(ev.source_ref[i]) >= 0 else None,
        "recorder": red.text(row.recorder) if row is not None else None,
        "agreement": row.agreement_id if row is not None else None,
        "used": unused is None,
        "unused_reason": unused,
        "note": red.text(row.note) if row is not None else None,
        "rules": [],
    }


def _agreement(a: SharingAgreement | None, agreement_id: str | None) -> dict[str, Any]:
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


# --------------------------------------------------------------------------------------------- rules fired


class RuleTracer:
    """Which rules of the evidence pack fired for each evidence item touching a shown young person.

    The rules that fire depend only on an item's grading, polarity, relation, agency, source reference,
    usability flags and which side of each rule's age limits it falls. Items are grouped by that key and one
    representative per group is traced (engine.rules.trace.explain_evidence), so an audit report of a
    thousand young people traces a few hundred items, not every one, and says exactly what the trace says.
    """

    def __init__(self, result: MapResult) -> None:
        from peermap.engine.mapping import rule_pack_of
        from peermap.engine.rules.trace import explain_evidence

        pack = rule_pack_of(result)
        self.version = str(pack.version)
        self.rules = {r.id: r.description for r in pack.rules}
        snap = result.snapshot
        ev = snap.evidence
        self._fired: dict[str, list[str]] = {}
        self.effects: dict[str, str] = {}
        shown = np.array(
            sorted(
                snap.nodes.position[s.person_id] for s in result.shown_people() if s.person_id in snap.nodes.position
            ),
            dtype=np.int64,
        )
        rows = np.flatnonzero(np.isin(ev.subject, shown) | np.isin(ev.object, shown))
        if not rows.size:
            return
        limits = sorted(
            {
                x
                for r in pack.rules
                if r.when.age_days is not None
                for x in (
                    r.when.age_days.min,
                    None if r.when.age_days.max is None else r.when.age_days.max + 1,
                )
                if x is not None
            }
        )
        age = np.maximum(day_number(result.as_at) - ev.observed[rows].astype(np.int64), 0)
        key = np.stack(
            [
                ev.scheme[rows],
                ev.reliability[rows],
                ev.credibility[rows],
                ev.refutes[rows],
                ev.agency[rows],
                ev.relation[rows],
                ev.source_ref[rows] >= 0,
                np.searchsorted(np.array(limits, dtype=np.int64), age, side="right"),
                ev.withdrawn[rows],
                ev.agreement_ok[rows],
                ev.retention_ok[rows],
            ],
            axis=1,
        ).astype(np.int64)
        _, first, inverse = np.unique(key, axis=0, return_index=True, return_inverse=True)
        reps = rows[first]
        fired: dict[str, list[str]] = {}
        for part in explain_evidence(ev.take(reps), snap.nodes, pack, result.as_at):
            for item in part.items:
                fired[item.evidence_id] = [r.id for r in item.rules]
                self.effects.update((r.id, r.effect) for r in item.rules)
        rep_ids = [str(ev.evidence_id[i]) for i in reps]
        for i, k in zip(rows.tolist(), inverse.reshape(-1).tolist(), strict=True):
            self._fired[str(ev.evidence_id[i])] = fired.get(rep_ids[k], [])

    def item(self, evidence_id: str) -> list[str]:
        return self._fired.get(evidence_id, [])

    def table(self) -> list[dict[str, str]]:
        """Every rule in the pack, with its effect when it fired for an item in this report."""
        return [{"id": k, "description": v, "effect": self.effects.get(k, "")} for k, v in self.rules.items()]


# --------------------------------------------------------------------------------------------- audit report


class LinksByNode:
    """Row indices of the scored links at each node position (links with any evidence), strongest first."""

    def __init__(self, result: MapResult) -> None:
        lk = result.links
        rows = np.flatnonzero((lk.n_items > 0) | (lk.n_unused > 0))
        rows = rows[np.argsort(-lk.confidence[rows], kind="stable")]
        ends = np.concatenate([lk.subject[rows], lk.object[rows]])
        both = np.concatenate([rows, rows])
        order = np.argsort(ends, kind="stable")
        self._ends, self._rows = ends[order], both[order]
        self._conf = lk.confidence

    def at(self, pos: int) -> list[int]:
        lo, hi = np.searchsorted(self._ends, pos, "left"), np.searchsorted(self._ends, pos, "right")
        rows = self._rows[lo:hi]
        return rows[np.argsort(-self._conf[rows], kind="stable")].tolist()


@lru_cache(maxsize=8192)
def _day(n: int) -> str:
    return from_day_number(n).isoformat()


def person_links(
    result: MapResult,
    pid: str,
    items: EvidenceItems,
    red: Redactor,
    bands: dict[tuple[str, str, str], str],
    by_node: LinksByNode,
) -> list[dict[str, Any]]:
    """Every scored link touching the person, strongest first; a left-out other end is never identified."""
    snap = result.snapshot
    lk = result.links
    pos = snap.nodes.position[pid]
    out = []
    for r in by_node.at(pos):
        a, b, rel = int(lk.subject[r]), int(lk.object[r]), int(lk.relation[r])
        other_id = snap.nodes.ids[b if a == pos else a]
        kind, label = red.node(other_id)
        hidden_other = kind == ObjectKind.PERSON.value and red.shown_id(other_id) is None
        relation = RELATIONS[rel].value
        out.append(
            {
                "other": {"id": None if hidden_other else other_id, "kind": kind, "label": label},
                "relation": relation,
                "confidence": round(float(lk.confidence[r]), 4),
                "uncertainty": round(float(lk.uncertainty[r]), 4),
                "conflict": round(float(lk.conflict[r]), 4),
                "n_items": int(lk.n_items[r]),
                "n_unused": int(lk.n_unused[r]),
                "n_agencies": int(lk.n_agencies[r]),
                "n_origins": int(lk.n_origins[r]),
                "newest": _day(int(lk.newest[r])) if int(lk.newest[r]) >= 0 else None,
                "band": bands.get(_band_key(snap.nodes.ids[a], snap.nodes.ids[b], relation), "not drawn"),
                "evidence": items.of_link(a, b, rel),
            }
        )
    return out


def _band_key(a: str, b: str, relation: str) -> tuple[str, str, str]:
    lo, hi = sorted((a, b))
    return lo, hi, relation


class EvidenceItems:
    """Evidence items as report rows, built once each (a person-person item is listed under both people)."""

    def __init__(self, result: MapResult, store: Store | None, red: Redactor, tracer: RuleTracer | None) -> None:
        self.result, self.red, self.tracer = result, red, tracer
        self.index = evidence_index(result, store)
        self._rows: dict[int, dict[str, Any]] = {}

    def of_link(self, a: int, b: int, rel: int) -> list[dict[str, Any]]:
        out = []
        for i in self.index.by_link.get((a, b, rel), []):
            row = self._rows.get(i)
            if row is None:
                row = evidence_item(self.result, self.index, i, self.red)
                if self.tracer is not None:
                    row["rules"] = self.tracer.item(row["id"])
                self._rows[i] = row
            out.append(row)
        return out

    def used_keys(self) -> tuple[set[str], set[str], set[tuple[str, str]]]:
        """(agencies, agreements, (scheme, grading)) the listed items refer to."""
        rows = self._rows.values()
        return (
            {r["agency"] for r in rows},
            {r["agreement"] for r in rows if r["agreement"]},
            {(r["scheme"], r["grading"]) for r in rows if r["grading"]},
        )


def _decisions(store: Store | None, until: date) -> list[Decision]:
    if store is None:
        return []
    with store.read() as s:
        rows = list(s.exec(select(Decision).order_by(col(Decision.decided_at), col(Decision.id))))
    return [d for d in rows if d.decided_at.date() <= until]


def _decision_json(d: Decision) -> dict[str, Any]:
    return {
        "suggestion": d.suggestion_id,
        "intervention": d.intervention_id,
        "target_kind": d.target_kind,
        "target": d.target_id,
        "decision": d.decision,
        "reason": d.reason,
        "actor": d.actor,
        "role": d.role,
        "decided_at": d.decided_at.isoformat(timespec="seconds"),
    }


def groups_of(result: MapResult) -> list[Group]:
    if result.groups:
        return result.groups
    from peermap.engine.groups import find_groups

    return find_groups(result)


def _age_text(person: YoungPerson, on: date) -> str | None:
    ages = age_on(person, on)
    if ages is None:
        return None
    return str(ages[0]) if ages[0] == ages[1] else f"{ages[0]}-{ages[1]}"


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
    red = Redactor(result, all_records(store).values() if store is not None else ())
    tracer = RuleTracer(result) if with_traces else None
    items = EvidenceItems(result, store, red, tracer)
    by_node = LinksByNode(result)
    bands: dict[tuple[str, str, str], str] = {
        _band_key(sl.source, sl.target, sl.relation): sl.band for sl in result.shown_links
    }
    groups = groups_of(result)
    group_of: dict[str, list[str]] = defaultdict(list)
    for g in groups:
        for m in g.members:
            group_of[m].append(g.id)
    decisions = _decisions(store, result.as_at)
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
                "confidence": round(float(st.confidence), 4),
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
                "age": _age_text(person, result.as_at),
                "area": person.area,
                "school": person.school,
                "review_by": person.review_by.isoformat() if person.review_by else None,
                "groups": sorted(group_of.get(pid, [])),
                "links": person_links(result, pid, items, red, bands, by_node),
                "decisions": [_decision_json(d) for d in decisions if d.target_id in mine],
            }
        )
    group_rows = [
        {
            "id": g.id,
            "members": list(g.members),
            "greyed_members": list(g.greyed_members),
            "locations": list(g.locations),
            "incidents": list(g.incidents),
            "decisions": [_decision_json(d) for d in decisions if d.target_id == g.id],
        }
        for g in groups
    ]
    until = result.as_at
    agencies, agreements, gradings = items.used_keys()
    return {
        "stamp": stamp("audit", result, actor, recipient),
        "counts": counts(result),
        "policy": policy_block(result),
        "rule_pack": {"version": result.rule_pack_version, "rules": tracer.table() if tracer else []},
        "agencies": [
            {
                "id": a,
                "name": snap.agencies[a].name if a in snap.agencies else a,
                "kind": snap.agencies[a].kind if a in snap.agencies else "unknown",
            }
            for a in sorted(agencies)
        ],
        "agreements": [_agreement(snap.agreements.get(a), a) for a in sorted(agreements)],
        "gradings": [{"scheme": sch, **_grading(code, sch)} for sch, code in sorted(gradings)],
        "people": people,
        "groups": group_rows,
        "left_out": left_out_block(result, actor),
        "policy_changes": policy_changes(store, until) if store is not None else [],
        "imports": import_rows(store, until) if store is not None else [],
        "outputs": output_rows(store, until) if store is not None else [],
        "other_decisions": [
            _decision_json(d)
            for d in decisions
            if d.target_id not in {g.id for g in groups}
            and not any(d.target_id == p["id"] or d.target_id in p["records"] for p in people)
        ],
    }


# --------------------------------------------------------------------------------------------- labelling


def labelling_context(
    result: MapResult,
    store: Store | None,
    actor: Actor,
    *,
    recipient: str | None = None,
    baseline: Baseline | None = None,
    report: LabellingReport | None = None,
) -> dict[str, Any]:
    report = report or run_checks(result, store, baseline)
    red = Redactor(result)
    data = report.to_json()
    names = {}
    for check in data["checks"]:
        for f in check["findings"]:
            f["detail"] = red.text(f["detail"])
            if f["person_id"]:
                names[f["person_id"]] = red.person(f["person_id"])
    flags = report.flags_by_person()
    people = [
        {"id": pid, "name": red.person(pid), "status": result.statuses[pid].status, "flags": flags[pid]}
        for pid in flags
    ]
    return {
        "stamp": stamp("labelling", result, actor, recipient),
        "counts": counts(result),
        "policy": policy_block(result),
        "language_version": report.language_version,
        "baseline_source": report.baseline_source,
        "summary": {
            "checks": len(report.checks),
            "flagged": len(report.flagged),
            "people_flagged": len(flags),
        },
        "checks": data["checks"],
        "people": people,
        "names": dict(sorted(names.items())),
        "left_out": left_out_block(result, actor),
    }


# --------------------------------------------------------------------------------------------- subject access


def _mentions(value: Any, ids: set[str]) -> bool:
    if isinstance(value, str):
        return value in ids
    if isinstance(value, dict):
        return any(_mentions(v, ids) or (k in ids) for k, v in value.items())
    if isinstance(value, list):
        return any(_mentions(v, ids) for v in value)
    return False


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def subject_context(
    result: MapResult, store: Store, actor: Actor, person: str, *, recipient: str | None = None
) -> dict[str, Any]:
    """Everything held about one young person, its sources, and every recorded view, report and export."""
    require(actor, Role.AUDITOR, Role.PANEL, to="produce a subject-access report")
    snap = result.snapshot
    records_ = all_records(store)
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

    def text(value: str | None) -> str | None:
        # The subject's own names stay; other young people not on the map are redacted.
        return red.text(value)

    with store.read() as s:
        ids = sorted(record_ids)
        ev_rows = list(
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
        batches = {b.id: b for b in s.exec(select(ImportBatch))}
    agencies_used: dict[str, int] = defaultdict(int)
    agreements_used: set[str] = set()
    evidence = []
    for e in ev_rows:
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
                "grading": _grading(e.grading, e.grading_scheme),
                "observed": _iso(e.observed_on),
                "recorded": _iso(e.recorded_on),
                "agreement": e.agreement_id,
                "recorder": text(e.recorder),
                "note": text(e.note),
                "supersedes": e.supersedes,
                "retraction": e.retraction,
                "withdrawn_by": snap.withdrawn_by.get(e.evidence_id),
                "import": _batch(batches.get(e.import_id)),
            }
        )
    flags = []
    for kind, items in (("concern", concerns), ("strength", strengths)):
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
                    "recorded": _iso(it.recorded_on),
                    "agreement": it.agreement_id,
                    "note": text(it.note),
                    "import": _batch(batches.get(it.import_id)),
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
                "date_of_birth": _iso(r.date_of_birth),
                "birth_year": r.birth_year,
                "sex": r.sex,
                "ethnicity": r.ethnicity,
                "area": r.area,
                "school": r.school,
                "review_by": _iso(r.review_by),
                "agency": r.agency,
                "import": _batch(batches.get(r.import_id)),
            }
        )
    st = result.statuses.get(canonical)
    status = None
    if st is not None:
        status = {
            "status": st.status,
            "confidence": round(float(st.confidence), 4),
            "reasons": [{"code": x.code, "text": text(x.text)} for x in st.reasons],
            "roles": {k: list(v) for k, v in sorted(st.roles.items())},
        }
    events = []
    for ev in _audit_events(store):
        payload = _payload(ev)
        if not _mentions(payload, record_ids | {canonical}):
            continue
        events.append(
            {
                **_event_row(ev),
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
        "agreements": [_agreement(agreements.get(a), a) for a in sorted(agreements_used)],
        "disclosures": events,
        "policy": policy_block(result),
    }


def _batch(b: ImportBatch | None) -> dict[str, Any] | None:
    if b is None:
        return None
    return {
        "id": b.id,
        "source": b.source,
        "imported_at": b.imported_at.isoformat(timespec="seconds"),
        "actor": b.actor,
    }


# --------------------------------------------------------------------------------------------- map


def map_context(
    result: MapResult, actor: Actor, *, recipient: str | None = None, layout: Any | None = None
) -> dict[str, Any]:
    """The map as data: shown nodes with positions, links with bands, groups; left-out people absent."""
    from .svg import compute_layout

    lay = layout or compute_layout(result)
    return {
        "stamp": stamp("map", result, actor, recipient),
        "counts": counts(result),
        "thresholds": lay.thresholds,
        "nodes": [n.to_json() for n in lay.nodes],
        "links": [e.to_json() for e in lay.edges],
        "groups": [g.to_json() for g in lay.groups],
        "left_out": left_out_block(result, actor),
    }


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
