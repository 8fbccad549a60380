"""The map as at a date: snapshot → scored links → inclusion under the policy in force → shown links.

`compute_map(store, D)` reads only what was known at the end of D (engine.snapshot) and the policy version in
force at the end of D (engine.policy), so a map computed on day D is reproduced exactly by any later replay
as at D. `map_json` is the `peermap map --json` contract; it never mentions a left-out young person.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from . import clock
from .groups import find_groups
from .inclusion import decide, prepare, shown_link_rows, status_codes
from .map_model import MapResult, ShownLink
from .policy import PolicyRecord, policy_in_force
from .rules.in_force import pack_in_force
from .rules.links import LinkTable
from .rules.pack import RulePack, load_rule_pack
from .rules.scoring import score_links
from .snapshot import Snapshot, load_snapshot
from .store import Store
from .vocab import RELATIONS


def score_snapshot(store: Store, as_at: date) -> tuple[Snapshot, LinkTable, RulePack]:
    """The snapshot as at `as_at` and its links scored with the evidence rule pack in force then."""
    snapshot = load_snapshot(store, as_at)
    pack = pack_in_force(store, as_at)
    links = score_links(snapshot.evidence, snapshot.nodes, pack, as_at)
    return snapshot, links, pack


def compute_map(store: Store, as_at: date | None = None) -> MapResult:
    """Statuses for every canonical young person and the links drawn between shown nodes, as at `as_at`."""
    as_at = as_at or clock.today()
    policy = policy_in_force(store, clock.end_of_day(as_at))
    snapshot, links, pack = score_snapshot(store, as_at)
    result = build_map(snapshot, links, policy, pack.version)
    result.derived["rule_pack"] = pack
    return result


def rule_pack_of(result: MapResult) -> RulePack:
    """The evidence rule pack a computed map was scored with (the shipped one for a map built by hand)."""
    pack = result.derived.get("rule_pack")
    if pack is None:
        pack = result.derived["rule_pack"] = load_rule_pack()
    return pack


def build_map(
    snapshot: Snapshot,
    links: LinkTable,
    policy: PolicyRecord,
    rule_pack_version: str | None = None,
    *,
    with_groups: bool = True,
) -> MapResult:
    """The map from an already scored snapshot under one PolicyRecord (no database access).

    `with_groups=False` leaves `groups` empty (bench/pipeline.py times group finding as its own stage).
    """
    body = policy.body
    inputs = prepare(snapshot, links)
    statuses = decide(snapshot, links, body, inputs)
    status = status_codes(inputs, body)
    rows = shown_link_rows(inputs, status, body)
    ids = snapshot.nodes.ids
    shown: list[ShownLink] = []
    for i in rows.tolist():
        c = float(links.confidence[i])
        shown.append(
            ShownLink(
                source=ids[int(links.subject[i])],
                target=ids[int(links.object[i])],
                relation=RELATIONS[int(links.relation[i])].value,
                confidence=c,
                uncertainty=float(links.uncertainty[i]),
                band="solid" if c >= body.include_threshold else "dashed",
            )
        )
    shown.sort(key=lambda s: (s.source, s.target, s.relation))
    result = MapResult(
        as_at=snapshot.as_at,
        snapshot=snapshot,
        links=links,
        policy=policy,
        rule_pack_version=rule_pack_version or links.rule_pack_version,
        statuses=statuses,
        shown_links=shown,
        groups=[],
    )
    if with_groups:
        result.groups = find_groups(result)
    return result


def map_json(result: MapResult) -> dict[str, Any]:
    """The `peermap map --json` contract. Left-out ids appear nowhere: only the count."""
    pol = result.policy
    body = pol.body
    people = []
    for st in result.shown_people():
        people.append(
            {
                "id": st.person_id,
                "name": result.snapshot.person_name(st.person_id),
                "status": st.status,
                "reasons": [r.to_json() for r in st.reasons],
                "roles": {k: list(v) for k, v in sorted(st.roles.items())},
            }
        )
    shown_ids = {st.person_id for st in result.shown_people()}
    people_ids = set(result.statuses)
    links = [
        sl.to_json()
        for sl in result.shown_links
        if (sl.source not in people_ids or sl.source in shown_ids)
        and (sl.target not in people_ids or sl.target in shown_ids)
    ]
    return {
        "as_at": result.as_at.isoformat(),
        "policy": {
            "version": pol.version,
            "include_threshold": body.include_threshold,
            "grey_threshold": body.grey_threshold,
            "min_agencies": body.min_agencies,
            "max_age_days": body.max_age_days,
            "association_only": body.association_only,
            "rule_pack_version": result.rule_pack_version,
            "set_by": pol.actor,
            "set_at": pol.created_at.isoformat(),
            "reason": pol.reason,
        },
        "people": people,
        "left_out_count": result.left_out_count,
        "links": links,
        "groups": [g.to_json() for g in result.groups],
    }
