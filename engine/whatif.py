"""What-if previews: who would move between included, greyed and left out under a proposed inclusion policy.

A preview sits above mapping: it scores the snapshot as a map would (engine.mapping.score_snapshot), or reuses a
map already computed, and runs only the inclusion core under both policies. It changes nothing but the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from . import audit, clock
from .access import Actor, Role
from .inclusion import STATUS_NAMES, prepare, status_codes
from .map_model import MapResult
from .mapping import score_snapshot
from .policy import InclusionPolicy, PolicyRecord, policy_in_force, validate_policy
from .store import Store


@dataclass
class PolicyPreview:
    """Who would move between included, greyed and left out if `proposed` replaced the policy in force."""

    as_at: date
    current: PolicyRecord
    proposed: InclusionPolicy
    changes: list[dict[str, str]]  # {id, from, to} (+ name only when both statuses are shown)
    counts: dict[str, Any]
    withheld: int = 0  # changes touching left-out people, withheld from roles that may not see them

    def to_json(self) -> dict[str, Any]:
        return {
            "as_at": self.as_at.isoformat(),
            "from_version": self.current.version,
            "proposed": self.proposed.to_json(),
            "changes": self.changes,
            "counts": self.counts,
        }


def preview_policy(
    store: Store,
    actor: Actor,
    new: InclusionPolicy,
    as_at: date | None = None,
    *,
    result: MapResult | None = None,
) -> PolicyPreview:
    """Who would appear, grey out or drop off under `new`, against the policy in force; changes nothing.

    Panel and auditor see every change (left-out people by id only); other roles see only changes between
    shown statuses, with the rest counted. The preview itself is audited ("preview_policy", counts only).
    Passing an already computed map (`result`, e.g. the one on screen) skips loading and scoring, so a
    preview costs only the numpy decision core; its as-at date and policy are then the map's.
    """
    new = validate_policy(new)
    as_at = as_at or clock.today()
    if result is not None:
        as_at, current, snapshot, links = result.as_at, result.policy, result.snapshot, result.links
    else:
        current = policy_in_force(store, clock.end_of_day(as_at))
        snapshot, links, _pack = score_snapshot(store, as_at)
    inputs = prepare(snapshot, links)
    old = status_codes(inputs, current.body)
    nxt = status_codes(inputs, new)
    changed = np.flatnonzero(old != nxt)
    sees_left_out = actor.role in (Role.PANEL, Role.AUDITOR)
    ids = snapshot.nodes.ids
    changes: list[dict[str, str]] = []
    withheld = 0
    for i in changed.tolist():
        frm, to = STATUS_NAMES[int(old[i])], STATUS_NAMES[int(nxt[i])]
        if "left_out" in (frm, to):
            if not sees_left_out:
                withheld += 1
                continue
            changes.append({"id": ids[i], "from": frm, "to": to})
        else:
            changes.append({"id": ids[i], "from": frm, "to": to, "name": snapshot.person_name(ids[i])})
    before = {name: int(np.count_nonzero(old == code)) for code, name in enumerate(STATUS_NAMES)}
    after = {name: int(np.count_nonzero(nxt == code)) for code, name in enumerate(STATUS_NAMES)}
    counts: dict[str, Any] = {"before": before, "after": after, "changed": int(changed.size)}
    if withheld:
        counts["withheld"] = withheld
    audit.log_event(
        store,
        actor,
        "preview_policy",
        {
            "as_at": as_at.isoformat(),
            "from_version": current.version,
            "proposed": new.to_json(),
            "counts": counts,
        },
    )
    return PolicyPreview(as_at=as_at, current=current, proposed=new, changes=changes, counts=counts, withheld=withheld)
