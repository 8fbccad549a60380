"""Labelling-risk checks (docs/domain.md, "The Gangs Matrix"): would this map label children the way the
Gangs Matrix did?

Each check is one record (engine.labelling.record.Check): an id, a title, one line on why it matters, the
function that runs it, every sentence it can say, and worked examples of when it fires and when it does
not. Checks live one family to a module (evidence, person, language, cohort, governance); registry.CHECKS
lists them in report order. Per-person checks look only at young people shown on the map (included or
greyed); people left out are only ever counted. Cohort checks compare the included young people with
everyone the partnership knows, and with a local population baseline when one is given.
"""

from __future__ import annotations

from ..ages import age_on
from .baseline import BASELINE_KINDS, Baseline, load_baseline
from .cohort_checks import DISPROPORTION_MIN_INCLUDED, DISPROPORTION_RATIO, NO_INCIDENT_SHARE, SINGLE_SOURCE_SHARE
from .facts import (
    AGE_BANDS,
    NOT_RECORDED,
    UNDER_AGE,
    PersonFacts,
    age_band,
    low_grade_mask,
    person_facts,
    policy_window_days,
    used_mask,
)
from .governance_checks import OUTPUT_ACTIONS
from .language import LANGUAGE_FILE, LanguageEntry, LanguageGuide, LanguageHit, load_language_guide
from .record import Check, Context, Example, Outcome, Step, step
from .registry import BY_ID, CHECKS, PERSON_CHECKS, run_checks
from .results import CheckResult, Finding, LabellingReport, Scope, Status

__all__ = [
    "AGE_BANDS",
    "BASELINE_KINDS",
    "BY_ID",
    "CHECKS",
    "DISPROPORTION_MIN_INCLUDED",
    "DISPROPORTION_RATIO",
    "LANGUAGE_FILE",
    "NOT_RECORDED",
    "NO_INCIDENT_SHARE",
    "OUTPUT_ACTIONS",
    "PERSON_CHECKS",
    "SINGLE_SOURCE_SHARE",
    "UNDER_AGE",
    "Baseline",
    "Check",
    "CheckResult",
    "Context",
    "Example",
    "Finding",
    "LabellingReport",
    "LanguageEntry",
    "LanguageGuide",
    "LanguageHit",
    "Outcome",
    "PersonFacts",
    "Scope",
    "Status",
    "Step",
    "age_band",
    "age_on",
    "load_baseline",
    "load_language_guide",
    "low_grade_mask",
    "person_facts",
    "policy_window_days",
    "run_checks",
    "step",
    "used_mask",
]
