"""The labelling-risk report's data: the engine's labelling checks, with every finding's text redacted."""

from __future__ import annotations

from typing import Any

from peermap.engine import Actor, Baseline, LabellingReport, MapResult, Redactor, Store, run_checks

from .common import counts, left_out_block, policy_block, stamp


def labelling_context(
    result: MapResult,
    store: Store | None,
    actor: Actor,
    *,
    recipient: str | None = None,
    baseline: Baseline | None = None,
    report: LabellingReport | None = None,
) -> dict[str, Any]:
    """Each check with its findings; flagged young people by name only when they are shown on the map."""
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
        "policy": policy_block(result, red),
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
