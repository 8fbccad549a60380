"""Per-person checks on the evidence behind each shown young person: how many agencies, how direct, how
well graded, how recent, how corroborated. Each looks only at young people on the map."""

from __future__ import annotations

from datetime import date

from .facts import policy_window_days
from .record import Check, Context, Example, Outcome, step
from .results import Finding


def _single_source(ctx: Context) -> Outcome:
    findings = []
    for pid in ctx.shown:
        f = ctx.facts.get(pid)
        if f is not None and f.n_items and len(f.agencies) == 1:
            agency = next(iter(f.agencies))
            findings.append(
                Finding(
                    f"all {f.n_items} evidence item(s) come from one agency ({agency}), {f.origins} origin(s)",
                    pid,
                    (agency,),
                )
            )
    return Outcome(findings)


SINGLE_SOURCE = Check(
    id="single_source",
    title="Single-source inclusion",
    scope="person",
    why="One agency's account alone must not put a child on a multi-agency map.",
    run=_single_source,
    messages={
        "found": "{n} shown young people rest on a single agency's evidence",
        "none": "every shown young person has evidence from more than one agency",
    },
    examples=(
        Example(
            "two items from the police alone",
            True,
            (
                step("person", "A", "Ann One"),
                step("evidence", "A", "I1", "harming", agency="police", source_ref="ref-1"),
                step("evidence", "A", "I1", "harming", agency="police", source_ref="ref-2"),
            ),
            ("A",),
        ),
        Example(
            "police and school both record it",
            False,
            (
                step("person", "B", "Ben Two"),
                step("evidence", "B", "I1", "harming", agency="police"),
                step("evidence", "B", "I1", "harming", agency="school"),
            ),
        ),
    ),
)


def _association_only(ctx: Context) -> Outcome:
    findings = []
    for pid in ctx.shown:
        f = ctx.facts.get(pid)
        if f is None:
            continue
        by_association = any(r.code == "association_only" for r in ctx.result.statuses[pid].reasons)
        if not f.strong_concern_links or by_association:
            findings.append(
                Finding("no direct link to an incident or place of concern reaches the grey threshold", pid)
            )
    return Outcome(findings)


ASSOCIATION_ONLY = Check(
    id="association_only",
    title="Included by association only",
    scope="person",
    why="Knowing someone is not a harm; the Gangs Matrix listed children for who they knew.",
    run=_association_only,
    messages={
        "found": "{n} shown young people have no direct link to an incident or place",
        "none": "every shown young person has a direct link to an incident or place of concern",
    },
    examples=(
        Example(
            "shown only through a link to another young person",
            True,
            (
                step("person", "A", "Ann One"),
                step("person", "B", "Ben Two", "greyed"),
                step("evidence", "A", "I1", "present"),
                step("evidence", "B", "A", "association"),
                step("link", "A", "I1", "present", 0.8),
                step("link", "B", "A", "association", 0.7),
            ),
            ("B",),
        ),
        Example(
            "a place not of concern and a link below the grey threshold are not concern links",
            True,
            (
                step("person", "C", "Cat Three", "greyed"),
                step("person", "D", "Dan Four", "greyed"),
                step("evidence", "C", "L2", "present_at"),
                step("evidence", "D", "I1", "present", grading="E5"),
                step("link", "C", "L2", "present_at", 0.8),
                step("link", "D", "I1", "present", 0.3),
            ),
            ("C", "D"),
        ),
        Example(
            "a strong direct link to an incident",
            False,
            (
                step("person", "A", "Ann One"),
                step("evidence", "A", "I1", "present"),
                step("link", "A", "I1", "present", 0.8),
            ),
        ),
    ),
)


def _low_grade_only(ctx: Context) -> Outcome:
    findings = []
    for pid in ctx.shown:
        f = ctx.facts.get(pid)
        if f is not None and f.all_low_grade:
            findings.append(Finding(f"all {f.n_items} evidence item(s) are low-grade or untested", pid))
    return Outcome(findings)


LOW_GRADE_ONLY = Check(
    id="low_grade_only",
    title="Only low-grade or untested sources",
    scope="person",
    why="Unreliable or untested intelligence cannot on its own justify labelling a child.",
    run=_low_grade_only,
    messages={
        "found": "{n} shown young people rest only on low-grade or untested sources",
        "none": "every shown young person has at least one well-graded item",
    },
    examples=(
        Example(
            "an unreliable source and an anonymous report; an untested 3x5x2 source",
            True,
            (
                step("person", "A", "Ann One"),
                step("person", "C", "Cat Three"),
                step("evidence", "A", "I1", "present", grading="E5"),
                step("evidence", "A", "I1", "present", scheme="record", grading="anonymous"),
                step("evidence", "C", "I1", "present", scheme="3x5x2", grading="U2"),
            ),
            ("A", "C"),
        ),
        Example(
            "one well-graded item beside a poor one",
            False,
            (
                step("person", "B", "Ben Two"),
                step("evidence", "B", "I1", "present", grading="E5"),
                step("evidence", "B", "I1", "present", grading="B2"),
            ),
        ),
    ),
)


def _stale_evidence(ctx: Context) -> Outcome:
    window = policy_window_days(ctx.result)
    as_at = ctx.as_at
    findings = []
    for pid in ctx.shown:
        f = ctx.facts.get(pid)
        if f is None or window is None or f.newest is None or (as_at - f.newest).days <= window:
            continue
        findings.append(
            Finding(
                f"newest evidence observed {f.newest.isoformat()}, {(as_at - f.newest).days} days before "
                f"{as_at.isoformat()} (policy window {window} days)",
                pid,
            )
        )
    return Outcome(findings, message=None if findings or window is not None else "no_window")


STALE_EVIDENCE = Check(
    id="stale_evidence",
    title="Evidence older than the policy window",
    scope="person",
    why="Old evidence keeps children listed after their circumstances have changed.",
    run=_stale_evidence,
    messages={
        "found": "{n} shown young people rest only on evidence older than the window",
        "none": "no shown young person rests only on evidence older than the policy window",
        "no_window": "the policy sets no evidence age window",
    },
    examples=(
        Example(
            "newest item 518 days old against the default 365-day window",
            True,
            (step("person", "A", "Ann One"), step("evidence", "A", "I1", "present", observed=date(2025, 6, 1))),
            ("A",),
        ),
        Example(
            "newest item five months old",
            False,
            (step("person", "B", "Ben Two"), step("evidence", "B", "I1", "present", observed=date(2026, 6, 1))),
        ),
    ),
)


def _corroboration_missing(ctx: Context) -> Outcome:
    findings = []
    for pid in ctx.shown:
        f = ctx.facts.get(pid)
        if f is not None and f.n_items and f.max_link_origins < 2:
            findings.append(Finding("no link is supported by two or more independent origins", pid))
    return Outcome(findings)


CORROBORATION_MISSING = Check(
    id="corroboration_missing",
    title="Corroboration missing",
    scope="person",
    why="No link about this young person is backed by two independent origins.",
    run=_corroboration_missing,
    messages={
        "found": "{n} shown young people have no corroborated link",
        "none": "every shown young person has a corroborated link",
    },
    examples=(
        Example(
            "the only link rests on one origin",
            True,
            (
                step("person", "A", "Ann One"),
                step("evidence", "A", "I1", "present"),
                step("link", "A", "I1", "present", 0.72, n_agencies=1, n_origins=1),
            ),
            ("A",),
        ),
        Example(
            "a link backed by two independent origins",
            False,
            (
                step("person", "B", "Ben Two"),
                step("evidence", "B", "I1", "present"),
                step("link", "B", "I1", "present", 0.8, n_agencies=2, n_origins=2),
            ),
        ),
    ),
)

CHECKS = (SINGLE_SOURCE, ASSOCIATION_ONLY, LOW_GRADE_ONLY, STALE_EVIDENCE, CORROBORATION_MISSING)
