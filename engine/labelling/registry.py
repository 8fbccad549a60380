"""Every labelling check, in the order the report lists them, and the function that runs them all."""

from __future__ import annotations

from pathlib import Path

from ..map_model import MapResult
from ..store import Store
from . import cohort_checks, evidence_checks, governance_checks, language_check, person_checks, safeguard_checks
from .baseline import Baseline, load_baseline
from .language import LanguageGuide, load_language_guide
from .record import Check, Context
from .results import LabellingReport

CHECKS: tuple[Check, ...] = (
    *evidence_checks.CHECKS,
    *person_checks.CHECKS,
    *language_check.CHECKS,
    *cohort_checks.CHECKS,
    *governance_checks.CHECKS,
    *safeguard_checks.CHECKS,
)

BY_ID: dict[str, Check] = {c.id: c for c in CHECKS}
if len(BY_ID) != len(CHECKS):  # pragma: no cover - a programming error, caught by every test run
    raise RuntimeError("two labelling checks share an id")

# Per-person checks by id: (title, why). Kept for callers that list what the per-person checks are.
PERSON_CHECKS: dict[str, tuple[str, str]] = {c.id: (c.title, c.why) for c in CHECKS if c.scope == "person"}


def run_checks(
    result: MapResult,
    store: Store | None = None,
    baseline: Baseline | Path | str | None = None,
    guide: LanguageGuide | None = None,
    checks: tuple[Check, ...] = CHECKS,
) -> LabellingReport:
    """Run every per-person, cohort and governance check on a computed map.

    Without a store, the checks that need the database (evidence notes, audit trail) report "not checked".
    """
    if baseline is not None and not isinstance(baseline, Baseline):
        baseline = load_baseline(baseline)
    guide = guide or load_language_guide()
    ctx = Context(result, store, baseline, guide)
    statuses = result.statuses.values()
    cohort = {
        "known": len(result.snapshot.people),
        "included": sum(1 for s in statuses if s.status == "included"),
        "greyed": sum(1 for s in statuses if s.status == "greyed"),
        "left_out": result.left_out_count,
    }
    return LabellingReport(
        as_at=result.as_at,
        policy_version=result.policy.version,
        rule_pack_version=result.rule_pack_version,
        cohort=cohort,
        checks=[c.evaluate(ctx) for c in checks],
        language_version=guide.version,
        baseline_source=baseline.source if isinstance(baseline, Baseline) else None,
    )
