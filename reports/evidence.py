"""A shown young person's links and the evidence under each, as audit-report rows.

Built for scale: the snapshot's evidence rows are grouped by link once, each item becomes a row once (an
item between two shown young people is listed under both), and links are found per node by binary search.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np

from peermap.engine import (
    RELATIONS,
    EvidenceDetails,
    MapResult,
    ObjectKind,
    Redactor,
    RuleTracer,
    Store,
    evidence_details,
)

from .common import day


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
    rows = evidence_details(store, result.as_at) if store is not None and len(ev) else {}
    return EvidenceIndex(by_link=dict(by_link), rows=rows)


def unused_reason(result: MapResult, i: int) -> str | None:
    """Why evidence row `i` does not count (withdrawn, no valid agreement, past retention), or None."""
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
    unused = unused_reason(result, i)
    return {
        "id": eid,
        "agency": ev.agencies[int(ev.agency[i])],
        "grading": row.grading if row is not None else None,
        "scheme": row.grading_scheme if row is not None else None,
        "polarity": "refutes" if ev.refutes[i] else "supports",
        "observed": day(int(ev.observed[i])),
        "recorded": day(int(ev.recorded[i])),
        "source_ref": ev.source_refs[int(ev.source_ref[i])] if int(ev.source_ref[i]) >= 0 else None,
        "recorder": red.text(row.recorder) if row is not None else None,
        "agreement": row.agreement_id if row is not None else None,
        "used": unused is None,
        "unused_reason": unused,
        "note": red.text(row.note) if row is not None else None,
        "rules": [],
    }


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
        out: list[int] = rows[np.argsort(-self._conf[rows], kind="stable")].tolist()
        return out


def band_key(a: str, b: str, relation: str) -> tuple[str, str, str]:
    lo, hi = sorted((a, b))
    return lo, hi, relation


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
                "newest": day(int(lk.newest[r])) if int(lk.newest[r]) >= 0 else None,
                "band": bands.get(band_key(snap.nodes.ids[a], snap.nodes.ids[b], relation), "not drawn"),
                "evidence": items.of_link(a, b, rel),
            }
        )
    return out
