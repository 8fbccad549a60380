"""Cohort checks: compare the young people included with everyone the partnership knows (and with a local
population baseline when given), and look for a map of people rather than of harm."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from ..models import YoungPerson
from .facts import NOT_RECORDED, age_band
from .record import Check, Context, Example, Outcome, Step, step
from .results import Finding, Status

# Cohort thresholds: a group over-represented by this ratio or more, with at least this many included people.
DISPROPORTION_RATIO = 1.5
DISPROPORTION_MIN_INCLUDED = 3
# Fewer young people on the map with a recorded value than this, and no comparison means anything.
DISPROPORTION_MIN_TESTED = 5
# Cohort shares above which the map looks like a list of children rather than of harm.
NO_INCIDENT_SHARE = 0.25
SINGLE_SOURCE_SHARE = 0.10

DISPROPORTION_WHY = "The Gangs Matrix was 78% black against 27% of those responsible for serious youth violence."


def _disproportionality(
    kind: str, label: str, attribute: Callable[[YoungPerson, date], str]
) -> Callable[[Context], Outcome]:
    """Included, and separately everyone drawn (included and greyed), against the known cohort and, when given,
    the local population. It never says "ok" by accident: missing values, no baseline or too few people to
    test each have their own status and sentence."""

    def run(ctx: Context) -> Outcome:
        result = ctx.result
        attr = {p: attribute(r, ctx.as_at) for p, r in ctx.snap.people.items()}
        included = [pid for pid, s in result.statuses.items() if s.status == "included"]
        shown = [pid for pid, s in result.statuses.items() if s.shown]
        cohort = Counter(list(attr.values()))
        inc = Counter([attr[p] for p in included if p in attr])
        drawn = Counter([attr[p] for p in shown if p in attr])
        n_cohort, n_inc, n_drawn = sum(cohort.values()), sum(inc.values()), sum(drawn.values())
        home = Counter((ctx.snap.people[p].area or "").strip() for p in shown if p in ctx.snap.people)
        base = ctx.baseline.shares_for(kind, home) if ctx.baseline else {}
        groups = sorted(set(cohort) | set(base), key=lambda g: (g == NOT_RECORDED, g))
        rows: list[dict[str, Any]] = []
        findings: list[Finding] = []
        for g in groups:
            c_share = cohort[g] / n_cohort if n_cohort else 0.0
            i_share = inc[g] / n_inc if n_inc else 0.0
            d_share = drawn[g] / n_drawn if n_drawn else 0.0
            ratio = i_share / c_share if c_share else None
            d_ratio = d_share / c_share if c_share else None
            b_share = base.get(g)
            b_ratio = i_share / b_share if b_share else None
            rows.append(
                {
                    "group": g,
                    "cohort_n": cohort[g],
                    "cohort_share": round(c_share, 4),
                    "included_n": inc[g],
                    "included_share": round(i_share, 4),
                    "shown_n": drawn[g],
                    "shown_share": round(d_share, 4),
                    "ratio": round(ratio, 3) if ratio is not None else None,
                    "shown_ratio": round(d_ratio, 3) if d_ratio is not None else None,
                    "baseline_share": b_share,
                    "baseline_ratio": round(b_ratio, 3) if b_ratio is not None else None,
                }
            )
            if g == NOT_RECORDED:
                continue
            over_included = inc[g] >= DISPROPORTION_MIN_INCLUDED and ratio is not None and ratio >= DISPROPORTION_RATIO
            over_drawn = (
                drawn[g] >= DISPROPORTION_MIN_INCLUDED and d_ratio is not None and d_ratio >= DISPROPORTION_RATIO
            )
            if over_included:
                findings.append(
                    Finding(
                        f"{g}: {i_share:.0%} of included against {c_share:.0%} of the known cohort ({ratio:.2f}x)",
                        refs=(g,),
                    )
                )
            elif over_drawn:  # greyed young people are drawn and named too: tested as well as the included
                findings.append(
                    Finding(
                        f"{g}: {d_share:.0%} of included and greyed against {c_share:.0%} of the known cohort "
                        f"({d_ratio:.2f}x)",
                        refs=(g,),
                    )
                )
            if inc[g] >= DISPROPORTION_MIN_INCLUDED and b_ratio is not None and b_ratio >= DISPROPORTION_RATIO:
                findings.append(
                    Finding(
                        f"{g}: {i_share:.0%} of included against {b_share:.0%} of the local population "
                        f"({b_ratio:.2f}x)",
                        refs=(g,),
                    )
                )
        groups_flagged = sorted({f.refs[0] for f in findings})
        missing_shown = drawn[NOT_RECORDED]
        tested = n_drawn - missing_shown
        values: dict[str, Any] = {
            "groups": len(groups_flagged),
            "ratio": DISPROPORTION_RATIO,
            "missing": missing_shown,
            "shown": n_drawn,
            "tested": tested,
            "needed": DISPROPORTION_MIN_TESTED,
        }
        unknown = cohort[NOT_RECORDED]
        note = f"; {label} not recorded for {unknown} of {n_cohort} known young people" if unknown else ""
        status: Status | None = None
        if findings:
            message = None
        elif n_drawn == 0:
            message, status = "empty", "not_checked"
        elif missing_shown * 2 > n_drawn:
            message, status, note = "missing", "not_checked", ""
        elif tested < DISPROPORTION_MIN_TESTED:
            message, status = "too_few", "not_checked"
        elif not base:
            message, status = "no_baseline", "info"
        else:
            message = None
        if missing_shown and message is None:
            note = f"; {label} missing for {missing_shown} of {n_drawn} included or greyed young people" + note
        return Outcome(
            findings, affected=groups_flagged, table=rows, values=values, message=message, note=note, status=status
        )

    return run


def _ethnicity(p: YoungPerson, on: date) -> str:
    return (p.ethnicity or "").strip() or NOT_RECORDED


def _sex(p: YoungPerson, on: date) -> str:
    return (p.sex or "").strip() or NOT_RECORDED


def _disproportionality_check(kind: str, label: str, attribute: Callable[[YoungPerson, date], str]) -> Check:
    return Check(
        id=f"disproportionality_{kind}",
        title=f"Disproportionality by {label}",
        scope="cohort",
        why=DISPROPORTION_WHY,
        run=_disproportionality(kind, label, attribute),
        messages={
            "found": "{groups} " + label + " group(s) over-represented among young people on the map",
            "none": "no " + label + " group over-represented by {ratio}x or more among included or greyed young "
            "people, against the known cohort and the local population",
            "no_baseline": "no " + label + " group over-represented by {ratio}x or more against the known cohort; "
            "not checked against the local population: no population baseline given (--baseline)",
            "missing": "not checked: " + label + " missing for {missing} of {shown} included or greyed young people",
            "too_few": "not checked: too few young people to test ({tested} on the map with a recorded "
            + label
            + "; at least {needed} needed)",
            "empty": "not checked: nobody is on the map to compare",
        },
        examples=_disproportion_examples(kind),
    )


def _people(kind: str, groups: list[tuple[str, str]]) -> tuple[Step, ...]:
    """One young person per (group, status), numbered P0, P1, ..., with the group as their `kind` field."""
    field = {"ethnicity": "ethnicity", "sex": "sex", "age_band": "birth_year"}[kind]
    return tuple(
        step("person", f"P{i}", f"Person {i}", status, **{field: int(g) if field == "birth_year" else g})
        for i, (g, status) in enumerate(groups)
    )


def _disproportion_examples(kind: str) -> tuple[Example, ...]:
    a, b = {"ethnicity": ("Group A", "Group B"), "sex": ("F", "M"), "age_band": ("2008", "2012")}[kind]
    flagged = {"ethnicity": "Group B", "sex": "M", "age_band": "13-15"}[kind]
    skewed = [(b, "included")] * 4 + [(a, "included")] + [(a, "left_out")] * 3
    even = [(b, "included")] * 3 + [(a, "included")] * 3 + [(b, "left_out"), (a, "left_out")]
    return (
        Example(
            f"{flagged}: 80% of included against 50% of the known cohort (1.6x)",
            True,
            _people(kind, skewed),
            (flagged,),
        ),
        Example("included in the same proportions as the cohort", False, _people(kind, even)),
        Example(
            f"{flagged}: 50% of included against 10% of the local population (5x)",
            True,
            (*_people(kind, even), step("baseline", kind, flagged, 0.1)),
            (flagged,),
        ),
    )


DISPROPORTIONALITY_ETHNICITY = _disproportionality_check("ethnicity", "ethnicity", _ethnicity)
DISPROPORTIONALITY_SEX = _disproportionality_check("sex", "sex", _sex)
DISPROPORTIONALITY_AGE_BAND = _disproportionality_check("age_band", "age band", age_band)


def _no_incident_share(ctx: Context) -> Outcome:
    included = ctx.included
    n = len(included)
    no_incident = [p for p in included if p in ctx.facts and not _has_incident(ctx, p)]
    share = len(no_incident) / n if n else 0.0
    return Outcome(
        [Finding("no recorded involvement in any incident", p) for p in no_incident],
        affected=no_incident,
        values={"total": n, "share": share, "threshold": NO_INCIDENT_SHARE},
        flag=bool(n) and share > NO_INCIDENT_SHARE,
        message="summary",
    )


def _has_incident(ctx: Context, pid: str) -> bool:
    return any(x in ctx.snap.incidents for x in ctx.facts[pid].strong_concern_links)


def _cohort_world(n: int, incident_links: int) -> tuple[Step, ...]:
    """`n` included young people seen by the police at the place of concern L1; the first `incident_links`
    of them also recorded by the school at incident I1, with a scored link to it."""
    steps: list[Step] = []
    for i in range(n):
        steps += [step("person", f"P{i}", f"Person {i}"), step("evidence", f"P{i}", "L1", "present_at")]
        if i < incident_links:
            steps += [
                step("evidence", f"P{i}", "I1", "present", agency="school"),
                step("link", f"P{i}", "I1", "present", 0.75),
            ]
    return tuple(steps)


NO_INCIDENT_SHARE_CHECK = Check(
    id="no_incident_share",
    title="Included with no incident involvement",
    scope="cohort",
    why="40% of the Gangs Matrix had no violent offence in two years: a map of people, not of harm.",
    run=_no_incident_share,
    messages={
        "summary": "{n} of {total} included young people ({share:.0%}) have no recorded involvement in any "
        "incident (flagged above {threshold:.0%})",
    },
    examples=(
        Example("three of four included have no incident link", True, _cohort_world(4, 1), ("P1", "P2", "P3")),
        Example("one of four (25%) is not above the 25% threshold", False, _cohort_world(4, 3)),
    ),
)


def _single_source_share(ctx: Context) -> Outcome:
    included = ctx.included
    n = len(included)
    single = [p for p in included if p in ctx.facts and len(ctx.facts[p].agencies) == 1]
    share = len(single) / n if n else 0.0
    return Outcome(
        [Finding("evidence from one agency only", p) for p in single],
        affected=single,
        values={"total": n, "share": share, "threshold": SINGLE_SOURCE_SHARE},
        flag=bool(n) and share > SINGLE_SOURCE_SHARE,
        message="summary",
    )


SINGLE_SOURCE_SHARE_CHECK = Check(
    id="single_source_share",
    title="Included on single-source evidence",
    scope="cohort",
    why="A multi-agency map built on one agency's view repeats that agency's biases.",
    run=_single_source_share,
    messages={
        "summary": "{n} of {total} included young people ({share:.0%}) rest on one agency's evidence "
        "(flagged above {threshold:.0%})",
    },
    examples=(
        Example("three of four included rest on police evidence alone", True, _cohort_world(4, 1), ("P1", "P2", "P3")),
        Example("every included young person has two agencies' evidence", False, _cohort_world(4, 4)),
    ),
)


def _past_retention(ctx: Context) -> Outcome:
    snap = ctx.snap
    past = int((~snap.evidence.retention_ok).sum())
    extra = 0
    held = [(c.agreement_id, c.recorded_on) for c in snap.concerns]
    held += [(x.agreement_id, x.recorded_on) for x in snap.strengths]
    for agreement_id, recorded_on in held:
        agreement = snap.agreements.get(agreement_id)
        if agreement and agreement.retention_days is not None:
            extra += recorded_on + timedelta(days=agreement.retention_days) < ctx.as_at
    facts = ctx.facts
    affected = sorted(p for p, f in facts.items() if f.past_retention)
    findings = [
        Finding(f"{facts[p].past_retention} evidence item(s) about them are past retention", p) for p in affected
    ]
    total = past + extra
    shown_items = sum(facts[p].past_retention for p in affected)
    return Outcome(
        findings,
        affected=affected,
        values={"total": total, "past": past, "extra": extra, "hidden": max(past - shown_items, 0)},
        flag=bool(total),
        message="found" if total else "none",
    )


PAST_RETENTION = Check(
    id="past_retention",
    title="Evidence past retention",
    scope="cohort",
    why="Data kept past its retention period is unlawful to hold (no retention period: ICO, 2018).",
    run=_past_retention,
    messages={
        "found": "{total} record(s) held past their agreement's retention period ({past} evidence, {extra} "
        "concern or strength); {n} shown young people affected, {hidden} evidence item(s) about young people "
        "not shown",
        "none": "no record is held past its agreement's retention period",
    },
    examples=(
        Example(
            "evidence under a 30-day agreement, observed three months ago",
            True,
            (
                step("agreement", "ISA-SHORT", "police", retention_days=30),
                step("person", "A", "Ann One"),
                step("evidence", "A", "I1", "present", agreement="ISA-SHORT", observed=date(2026, 8, 1)),
            ),
            ("A",),
        ),
        Example(
            "a concern note past retention counts, though it names no one",
            True,
            (
                step("agreement", "ISA-SHORT", "police", retention_days=30),
                step("person", "A", "Ann One"),
                step("concern", "A", "exploitation", agreement="ISA-SHORT", recorded=date(2026, 8, 1)),
            ),
            (),
        ),
        Example(
            "the same evidence under an agreement with no retention limit",
            False,
            (
                step("person", "B", "Ben Two"),
                step("evidence", "B", "I1", "present", observed=date(2026, 8, 1)),
            ),
        ),
    ),
)

CHECKS = (
    DISPROPORTIONALITY_ETHNICITY,
    DISPROPORTIONALITY_SEX,
    DISPROPORTIONALITY_AGE_BAND,
    NO_INCIDENT_SHARE_CHECK,
    SINGLE_SOURCE_SHARE_CHECK,
    PAST_RETENTION,
)
