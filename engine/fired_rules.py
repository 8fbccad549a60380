"""Which evidence rules fired for each evidence item touching a shown young person (for the audit report)."""

from __future__ import annotations

import numpy as np

from .map_model import MapResult
from .mapping import rule_pack_of
from .rules.trace import explain_evidence
from .snapshot import day_number


class RuleTracer:
    """Which rules of the evidence pack fired for each evidence item touching a shown young person.

    The rules that fire depend only on an item's grading, polarity, relation, agency, source reference,
    usability flags and which side of each rule's age limits it falls. Items are grouped by that key and one
    representative per group is traced (engine.rules.trace.explain_evidence), so an audit report of a
    thousand young people traces a few hundred items, not every one, and says exactly what the trace says.
    """

    def __init__(self, result: MapResult) -> None:
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
