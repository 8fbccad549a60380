"""Per-person checks on who the young person is and how they are held on the map: harm done to them shown
as a concern, very young children, and reviews that are overdue."""

from __future__ import annotations

from datetime import date

from ..ages import age_on
from ..map_model import MapResult, Reason
from .facts import UNDER_AGE, PersonFacts
from .record import Check, Context, Example, Outcome, step
from .results import Finding


def _harmed_shown_as_concern(ctx: Context) -> Outcome:
    findings = []
    for pid in ctx.shown:
        f = ctx.facts.get(pid)
        finding = _harmed_finding(ctx.result, f) if f is not None else None
        if finding is not None:
            findings.append(finding)
    return Outcome(findings)


def _harmed_finding(result: MapResult, f: PersonFacts) -> Finding | None:
    """Flag a harmed young person who is on the map because of the harm, or is also recorded as harming.

    A harmed young person shown for some other reason, with the roles kept apart, is not flagged: the map
    records roles separately (harmed and harming are never merged).
    """
    if not f.harmed_in:
        return None
    pid = f.person_id
    same = sorted(set(f.harmed_in) & set(f.harming_in))
    if same:
        return Finding(
            f"recorded as both harmed and harming in {', '.join(same)}: the roles must be kept apart "
            "and the harm to them addressed first",
            pid,
            tuple(same),
        )
    reasons = result.statuses[pid].reasons
    deciding = set(reasons[0].refs) if reasons else set()
    because = sorted(set(f.harmed_in) & deciding)
    if because:
        return Finding(
            f"on the map because they were harmed in {', '.join(because)}: treat as a young person "
            "harmed, not as a risk to others",
            pid,
            tuple(because),
        )
    if f.harming_in:
        return Finding(
            f"harmed in {', '.join(f.harmed_in)} and alleged to have harmed in "
            f"{', '.join(f.harming_in)}: keep the roles separate in every plan",
            pid,
            tuple(f.harmed_in + f.harming_in),
        )
    return None


HARMED_SHOWN_AS_CONCERN = Check(
    id="harmed_shown_as_concern",
    title="Harmed young person shown as a concern",
    scope="person",
    why="Victims must not be treated as perpetrators (ICO finding on the Gangs Matrix).",
    run=_harmed_shown_as_concern,
    messages={
        "found": "{n} shown young people are on the map because they were harmed, or are recorded as both "
        "harmed and harming",
        "none": "no shown young person is on the map because of harm done to them",
    },
    examples=(
        Example(
            "on the map because they were harmed",
            True,
            (
                step("person", "V", "Vic Harmed", reasons=[Reason("harmed_in_incident", "harmed in I1", ("I1",))]),
                step("evidence", "V", "I1", "harmed"),
            ),
            ("V",),
        ),
        Example(
            "recorded as both harmed and harming in one incident",
            True,
            (
                step("person", "W", "Wes Both", reasons=[Reason("present_at_incident", "present", ("I1",))]),
                step("evidence", "W", "I1", "harmed"),
                step("evidence", "W", "I1", "harming"),
            ),
            ("W",),
        ),
        Example(
            "harmed, but on the map for being at a place of concern",
            False,
            (
                step(
                    "person", "X", "Xan Elsewhere", reasons=[Reason("present_at_location_of_concern", "at L1", ("L1",))]
                ),
                step("evidence", "X", "I1", "harmed"),
                step("evidence", "X", "L1", "present_at"),
            ),
        ),
    ),
)


def _under_13(ctx: Context) -> Outcome:
    findings = []
    for pid in ctx.shown:
        ages = age_on(ctx.snap.people[pid], ctx.as_at)
        if ages is not None and ages[0] < UNDER_AGE:
            age_text = f"aged {ages[0]}" if ages[0] == ages[1] else f"aged {ages[0]}-{ages[1]}"
            findings.append(Finding(f"{age_text} on {ctx.as_at.isoformat()}", pid))
    return Outcome(findings)


UNDER_13 = Check(
    id="under_13",
    title="Under 13",
    scope="person",
    why="Very young children need the strongest justification and a safeguarding, not policing, response.",
    run=_under_13,
    messages={
        "found": "{n} shown young people are (or may be) under 13",
        "none": "no shown young person is under 13",
    },
    examples=(
        Example(
            "aged 11 by date of birth; born in 2013, so 12 or 13",
            True,
            (
                step("person", "A", "Ann One", date_of_birth=date(2014, 11, 2)),
                step("person", "C", "Cat Three", birth_year=2013),
            ),
            ("A", "C"),
        ),
        Example(
            "13 on the day",
            False,
            (step("person", "B", "Ben Two", date_of_birth=date(2013, 11, 1)),),
        ),
    ),
)


def _review_overdue(ctx: Context) -> Outcome:
    findings = []
    for pid in ctx.shown:
        review_by = ctx.snap.people[pid].review_by
        if review_by is not None and review_by < ctx.as_at:
            findings.append(
                Finding(
                    f"review was due by {review_by.isoformat()} ({(ctx.as_at - review_by).days} days overdue)",
                    pid,
                )
            )
    return Outcome(findings)


REVIEW_OVERDUE = Check(
    id="review_overdue",
    title="Past the review-by date",
    scope="person",
    why="Without review, children stay on lists with no route off (Gangs Matrix failure).",
    run=_review_overdue,
    messages={
        "found": "{n} shown young people are past their review-by date",
        "none": "no shown young person is past their review-by date",
    },
    examples=(
        Example(
            "review was due a month ago",
            True,
            (step("person", "A", "Ann One", review_by=date(2026, 10, 1)),),
            ("A",),
        ),
        Example(
            "review due next month",
            False,
            (step("person", "B", "Ben Two", review_by=date(2026, 12, 1)),),
        ),
    ),
)

CHECKS = (HARMED_SHOWN_AS_CONCERN, UNDER_13, REVIEW_OVERDUE)
