"""Labelling-risk checks (DOMAIN.md §4): would this map label children the way the Gangs Matrix did?

Each check has an id, a title, one line on why it matters, and returns what it found and who is affected.
Per-person checks look only at young people shown on the map (included or greyed); people left out are
only ever counted. Cohort checks compare the included young people with everyone the partnership knows,
and with a local population baseline when one is given. No rendering here: reports/ turns a
LabellingReport into HTML, Markdown or JSON.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlmodel import col, select

from .errors import InputProblem, PolicyError
from .map_model import MapResult
from .models import AuditEvent, Evidence, YoungPerson
from .policy_files import read_yaml, shipped
from .rules.grading import SCHEME_CODE, Scheme
from .snapshot import Snapshot, from_day_number
from .store import Store
from .vocab import NODE_KIND_CODE, RELATION_CODE, ObjectKind, Relation

LANGUAGE_FILE = shipped("language.yaml")

# Actions in the audit trail that put people's data into an output someone else receives.
OUTPUT_ACTIONS = ("report", "export")
# Cohort thresholds: a group over-represented by this ratio or more, with at least this many included people.
DISPROPORTION_RATIO = 1.5
DISPROPORTION_MIN_INCLUDED = 3
# Cohort shares above which the map looks like a list of children rather than of harm.
NO_INCIDENT_SHARE = 0.25
SINGLE_SOURCE_SHARE = 0.10
UNDER_AGE = 13
AGE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("under 13", 0, 12),
    ("13-15", 13, 15),
    ("16-17", 16, 17),
    ("18-24", 18, 24),
    ("25 and over", 25, 200),
)
NOT_RECORDED = "not recorded"

Status = Literal["flag", "ok", "info", "not_checked"]
Scope = Literal["person", "cohort", "governance"]


# ---------------------------------------------------------------------------------------------------------
# Language guidance (policies/language.yaml)


class LanguageEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    phrases: list[str] = Field(default_factory=list)
    patterns: list[str] = Field(default_factory=list)
    suggest: str = Field(min_length=1)
    why: str = Field(min_length=1)
    only_under_age: int | None = None

    @field_validator("phrases")
    @classmethod
    def _phrases_not_blank(cls, v: list[str]) -> list[str]:
        if any(not p.strip() for p in v):
            raise ValueError("a phrase is blank")
        return v

    @field_validator("patterns")
    @classmethod
    def _patterns_compile(cls, v: list[str]) -> list[str]:
        for p in v:
            try:
                re.compile(p)
            except re.error as exc:
                raise ValueError(f"pattern {p!r} is not a valid regular expression: {exc}") from None
        return v

    def regex(self) -> re.Pattern[str]:
        parts = [r"\b" + r"\s+".join(re.escape(w) for w in p.split()) + r"\b" for p in self.phrases]
        return re.compile("|".join([*parts, *self.patterns]), re.IGNORECASE)


class LanguageGuide(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: str
    source: str
    entries: list[LanguageEntry] = Field(min_length=1)

    @field_validator("entries")
    @classmethod
    def _unique_ids(cls, v: list[LanguageEntry]) -> list[LanguageEntry]:
        seen = Counter(e.id for e in v)
        dup = sorted(k for k, n in seen.items() if n > 1)
        if dup:
            raise ValueError(f"duplicate entry ids: {', '.join(dup)}")
        if any(not (e.phrases or e.patterns) for e in v):
            raise ValueError("every entry needs at least one phrase or pattern")
        return v

    def find(self, text: str, age: int | None = None) -> list[LanguageHit]:
        """Every flagged phrase in `text`, by position; age-limited entries need a known young age."""
        hits: list[LanguageHit] = []
        for entry, rx in _compiled(self):
            if entry.only_under_age is not None and (age is None or age >= entry.only_under_age):
                continue
            for m in rx.finditer(text):
                hits.append(LanguageHit(entry.id, m.group(0), m.start(), entry.suggest, entry.why))
        return sorted(hits, key=lambda h: (h.start, h.entry))


_COMPILED: dict[int, list[tuple[LanguageEntry, re.Pattern[str]]]] = {}


def _compiled(guide: LanguageGuide) -> list[tuple[LanguageEntry, re.Pattern[str]]]:
    key = id(guide)
    if key not in _COMPILED:
        _COMPILED[key] = [(e, e.regex()) for e in guide.entries]
    return _COMPILED[key]


@dataclass(frozen=True)
class LanguageHit:
    entry: str
    phrase: str
    start: int
    suggest: str
    why: str


def load_language_guide(path: Path | str | None = None) -> LanguageGuide:
    """Load and validate the phrase list (default policies/language.yaml); PolicyError says what is wrong."""
    p = Path(path) if path else LANGUAGE_FILE
    if path is None:
        return _default_guide()
    return _load_guide(p)


@lru_cache(maxsize=1)
def _default_guide() -> LanguageGuide:
    return _load_guide(LANGUAGE_FILE)


def _load_guide(p: Path) -> LanguageGuide:
    raw = read_yaml(p, "language guidance")
    try:
        return LanguageGuide.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        raise PolicyError(f"{p}: {where}: {first['msg']}") from None


# ---------------------------------------------------------------------------------------------------------
# Population baseline (--baseline FILE: group_kind,group,share)

BASELINE_KINDS = ("ethnicity", "sex", "age_band")


@dataclass(frozen=True)
class Baseline:
    source: str
    shares: dict[str, dict[str, float]]  # group kind -> group -> share of the local population (0..1)


def load_baseline(path: Path | str) -> Baseline:
    """Read a baseline CSV (group_kind, group, share); bad rows raise PolicyError naming row and field."""
    p = Path(path)
    problems: list[InputProblem] = []
    shares: dict[str, dict[str, float]] = defaultdict(dict)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise PolicyError(f"{p}: cannot read baseline: {exc.strerror or exc}") from None
    reader = csv.DictReader(text.splitlines())
    missing = {"group_kind", "group", "share"} - set(reader.fieldnames or [])
    if missing:
        raise PolicyError(f"{p}: baseline needs columns group_kind, group, share; missing {', '.join(sorted(missing))}")
    for line, row in enumerate(reader, start=2):
        kind = (row.get("group_kind") or "").strip()
        group = (row.get("group") or "").strip()
        if kind not in BASELINE_KINDS:
            problems.append(
                InputProblem(str(p), line, "group_kind", f"{kind!r} is not one of {', '.join(BASELINE_KINDS)}")
            )
            continue
        if not group:
            problems.append(InputProblem(str(p), line, "group", "blank"))
            continue
        try:
            share = float((row.get("share") or "").strip())
        except ValueError:
            problems.append(InputProblem(str(p), line, "share", f"{row.get('share')!r} is not a number"))
            continue
        if not 0.0 <= share <= 1.0:
            problems.append(InputProblem(str(p), line, "share", f"{share} is not a share between 0 and 1"))
            continue
        shares[kind][group] = share
    for kind, groups in shares.items():
        total = sum(groups.values())
        if total > 1.0001:
            problems.append(InputProblem(str(p), None, "share", f"{kind} shares add up to {total:.3f}, more than 1"))
    if problems:
        raise PolicyError("baseline rejected:\n" + "\n".join(str(x) for x in problems))
    return Baseline(source=p.name, shares=dict(shares))


# ---------------------------------------------------------------------------------------------------------
# The report


@dataclass(frozen=True)
class Finding:
    """One thing a check found: a sentence, the shown person it is about, and the ids behind it."""

    detail: str
    person_id: str | None = None
    refs: tuple[str, ...] = ()
    suggestion: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "detail": self.detail,
            "person_id": self.person_id,
            "refs": list(self.refs),
            "suggestion": self.suggestion,
        }


@dataclass
class CheckResult:
    id: str
    title: str
    scope: Scope
    why: str
    status: Status
    summary: str
    findings: list[Finding] = field(default_factory=list)
    affected: list[str] = field(default_factory=list)  # shown person ids, agreement ids or audit event refs
    table: list[dict[str, Any]] = field(default_factory=list)

    @property
    def flagged(self) -> bool:
        return self.status == "flag"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "scope": self.scope,
            "why": self.why,
            "status": self.status,
            "summary": self.summary,
            "affected": self.affected,
            "findings": [f.to_json() for f in self.findings],
            "table": self.table,
        }


@dataclass
class LabellingReport:
    as_at: date
    policy_version: int
    rule_pack_version: str
    cohort: dict[str, int]  # known, included, greyed, left_out
    checks: list[CheckResult]
    language_version: str
    baseline_source: str | None = None

    def check(self, check_id: str) -> CheckResult:
        for c in self.checks:
            if c.id == check_id:
                return c
        raise KeyError(check_id)

    @property
    def flagged(self) -> list[CheckResult]:
        return [c for c in self.checks if c.flagged]

    def flags_by_person(self) -> dict[str, list[str]]:
        """Shown person id -> the per-person checks that flag them."""
        out: dict[str, list[str]] = defaultdict(list)
        for c in self.checks:
            if c.scope == "person":
                for pid in c.affected:
                    out[pid].append(c.id)
        return dict(sorted(out.items()))

    def to_json(self) -> dict[str, Any]:
        return {
            "as_at": self.as_at.isoformat(),
            "policy_version": self.policy_version,
            "rule_pack_version": self.rule_pack_version,
            "cohort": self.cohort,
            "language_version": self.language_version,
            "baseline_source": self.baseline_source,
            "checks": [c.to_json() for c in self.checks],
        }


# ---------------------------------------------------------------------------------------------------------
# Facts per shown person, computed with numpy over the snapshot's evidence table

# Lowest reliability / credibility index that counts as low grade or untested, per grading scheme.
_LOW_REL = np.zeros(len(SCHEME_CODE), dtype=np.int8)
_LOW_CRED = np.zeros(len(SCHEME_CODE), dtype=np.int8)
for _scheme, _rel, _cred in (
    (Scheme.ADMIRALTY, 3, 3),
    (Scheme.FIVE_BY_FIVE, 3, 3),
    (Scheme.THREE_FIVE_TWO, 1, 3),
    (Scheme.RECORD, 2, 99),
):
    _LOW_REL[SCHEME_CODE[_scheme.value]] = _rel
    _LOW_CRED[SCHEME_CODE[_scheme.value]] = _cred

_INCIDENT_RELS = np.array(
    [RELATION_CODE[r.value] for r in (Relation.HARMED, Relation.HARMING, Relation.WITNESS, Relation.PRESENT)],
    dtype=np.int8,
)


def low_grade_mask(snapshot: Snapshot) -> np.ndarray:
    """True for items from an unreliable or untested source, or whose information is doubtful or worse."""
    ev = snapshot.evidence
    return (ev.reliability >= _LOW_REL[ev.scheme]) | (ev.credibility >= _LOW_CRED[ev.scheme])


def used_mask(snapshot: Snapshot) -> np.ndarray:
    """Evidence the scoring may use: inside an agreement, within retention, not withdrawn."""
    ev = snapshot.evidence
    return ev.agreement_ok & ev.retention_ok & ~ev.withdrawn


@dataclass
class PersonFacts:
    person_id: str
    agencies: set[str]
    origins: int
    n_items: int
    all_low_grade: bool
    newest: date | None
    concern_links: list[str]  # incidents and places of concern linked directly by used supporting evidence
    strong_concern_links: list[str]  # ... by a scored link reaching the policy's grey threshold
    harmed_in: list[str]
    harming_in: list[str]
    max_link_origins: int
    past_retention: int


def person_facts(result: MapResult) -> dict[str, PersonFacts]:
    """Evidence facts for every shown person (left-out people are never examined one by one)."""
    snap = result.snapshot
    ev = snap.evidence
    nodes = snap.nodes
    shown = [s.person_id for s in result.shown_people()]
    used = used_mask(snap) & ~ev.refutes
    low = low_grade_mask(snap)
    obj_kind = nodes.kinds[ev.object] if len(ev) else np.zeros(0, dtype=np.int8)
    person_obj = obj_kind == NODE_KIND_CODE[ObjectKind.PERSON]
    # Every (person position, evidence row) pair: the subject, and the object when it is a person.
    rows = np.arange(len(ev))
    who = np.concatenate([ev.subject, ev.object[person_obj]])
    which = np.concatenate([rows, rows[person_obj]])
    order = np.argsort(who, kind="stable")
    who, which = who[order], which[order]
    concern_loc = np.array(
        [
            bool(snap.locations[nid].of_concern)
            if k == NODE_KIND_CODE[ObjectKind.LOCATION]
            else k == NODE_KIND_CODE[ObjectKind.INCIDENT]
            for nid, k in zip(nodes.ids, nodes.kinds, strict=True)
        ],
        dtype=bool,
    )
    links = result.links
    grey = float(getattr(result.policy.body, "grey_threshold", 0.0))
    harmed, harming = RELATION_CODE[Relation.HARMED.value], RELATION_CODE[Relation.HARMING.value]
    out: dict[str, PersonFacts] = {}
    for pid in shown:
        pos = nodes.position.get(pid)
        if pos is None:
            continue
        lo, hi = np.searchsorted(who, pos, "left"), np.searchsorted(who, pos, "right")
        mine = which[lo:hi]
        u = mine[used[mine]]
        agencies = {ev.agencies[a] for a in ev.agency[u]}
        origins = {
            (int(a), int(r) if r >= 0 else -1 - i) for a, r, i in zip(ev.agency[u], ev.source_ref[u], u, strict=True)
        }
        direct = u[(ev.subject[u] == pos) & concern_loc[ev.object[u]]]
        rel_direct = ev.relation[direct]
        link_rows = np.flatnonzero(((links.subject == pos) | (links.object == pos)) & (links.n_items > 0))
        strong = link_rows[
            (links.subject[link_rows] == pos)
            & concern_loc[links.object[link_rows]]
            & (links.confidence[link_rows] >= grey)
        ]
        out[pid] = PersonFacts(
            person_id=pid,
            agencies=agencies,
            origins=len(origins),
            n_items=int(u.shape[0]),
            all_low_grade=bool(u.shape[0]) and bool(low[u].all()),
            newest=from_day_number(int(ev.observed[u].max())) if u.shape[0] else None,
            concern_links=sorted({nodes.ids[o] for o in ev.object[direct]}),
            strong_concern_links=sorted({nodes.ids[o] for o in links.object[strong]}),
            harmed_in=sorted({nodes.ids[o] for o in ev.object[direct[rel_direct == harmed]]}),
            harming_in=sorted({nodes.ids[o] for o in ev.object[direct[rel_direct == harming]]}),
            max_link_origins=int(links.n_origins[link_rows].max()) if link_rows.shape[0] else 0,
            past_retention=int((~ev.retention_ok[mine]).sum()),
        )
    return out


def age_on(person: YoungPerson, on: date) -> tuple[int, int] | None:
    """(youngest, oldest) possible age on a date: exact from a date of birth, a range from a birth year."""
    if person.date_of_birth is not None:
        dob = person.date_of_birth
        age = on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))
        return age, age
    if person.birth_year is not None:
        return on.year - person.birth_year - 1, on.year - person.birth_year
    return None


def age_band(person: YoungPerson, on: date) -> str:
    ages = age_on(person, on)
    if ages is None:
        return NOT_RECORDED
    age = ages[1]
    for label, lo, hi in AGE_BANDS:
        if lo <= age <= hi:
            return label
    return NOT_RECORDED


def policy_window_days(result: MapResult) -> int | None:
    """The inclusion policy's evidence age window in days (engine.policy.InclusionPolicy.max_age_days)."""
    days = getattr(result.policy.body, "max_age_days", None)
    return int(days) if days else None


# ---------------------------------------------------------------------------------------------------------
# The checks

PERSON_CHECKS: dict[str, tuple[str, str]] = {
    "single_source": (
        "Single-source inclusion",
        "One agency's account alone must not put a child on a multi-agency map.",
    ),
    "association_only": (
        "Included by association only",
        "Knowing someone is not a harm; the Gangs Matrix listed children for who they knew.",
    ),
    "low_grade_only": (
        "Only low-grade or untested sources",
        "Unreliable or untested intelligence cannot on its own justify labelling a child.",
    ),
    "stale_evidence": (
        "Evidence older than the policy window",
        "Old evidence keeps children listed after their circumstances have changed.",
    ),
    "corroboration_missing": (
        "Corroboration missing",
        "No link about this young person is backed by two independent origins.",
    ),
    "harmed_shown_as_concern": (
        "Harmed young person shown as a concern",
        "Victims must not be treated as perpetrators (ICO finding on the Gangs Matrix).",
    ),
    "under_13": (
        "Under 13",
        "Very young children need the strongest justification and a safeguarding, not policing, response.",
    ),
    "review_overdue": (
        "Past the review-by date",
        "Without review, children stay on lists with no route off (Gangs Matrix failure).",
    ),
    "victim_blaming_language": (
        "Victim-blaming or adultifying language",
        "Children cannot consent to their own exploitation; notes shape how they are treated.",
    ),
}


def run_checks(
    result: MapResult,
    store: Store | None = None,
    baseline: Baseline | Path | str | None = None,
    guide: LanguageGuide | None = None,
) -> LabellingReport:
    """Run every per-person, cohort and governance check on a computed map.

    Without a store, the checks that need the database (evidence notes, audit trail) report "not checked".
    """
    if baseline is not None and not isinstance(baseline, Baseline):
        baseline = load_baseline(baseline)
    guide = guide or load_language_guide()
    snap = result.snapshot
    facts = person_facts(result)
    shown = [s.person_id for s in result.shown_people()]
    checks = _person_checks(result, facts, shown)
    checks.append(_language_check(result, store, guide))
    checks.extend(_cohort_checks(result, facts, baseline))
    checks.extend(_governance_checks(result, store))
    included = sum(1 for s in result.statuses.values() if s.status == "included")
    greyed = sum(1 for s in result.statuses.values() if s.status == "greyed")
    cohort = {
        "known": len(snap.people),
        "included": included,
        "greyed": greyed,
        "left_out": result.left_out_count,
    }
    return LabellingReport(
        as_at=result.as_at,
        policy_version=result.policy.version,
        rule_pack_version=result.rule_pack_version,
        cohort=cohort,
        checks=checks,
        language_version=guide.version,
        baseline_source=baseline.source if isinstance(baseline, Baseline) else None,
    )


def _person_check(check_id: str, findings: list[Finding], found: str, none_found: str) -> CheckResult:
    title, why = PERSON_CHECKS[check_id]
    affected = sorted({f.person_id for f in findings if f.person_id})
    status: Status = "flag" if findings else "ok"
    summary = found.format(n=len(affected)) if findings else none_found
    return CheckResult(check_id, title, "person", why, status, summary, findings, affected)


def _person_checks(result: MapResult, facts: dict[str, PersonFacts], shown: list[str]) -> list[CheckResult]:
    snap = result.snapshot
    as_at = result.as_at
    window = policy_window_days(result)
    single, assoc, low, stale, corro, harmed, young, overdue = ([] for _ in range(8))
    for pid in shown:
        f = facts.get(pid)
        person = snap.people[pid]
        if f is not None:
            if f.n_items and len(f.agencies) == 1:
                agency = next(iter(f.agencies))
                single.append(
                    Finding(
                        f"all {f.n_items} evidence item(s) come from one agency ({agency}), {f.origins} origin(s)",
                        pid,
                        (agency,),
                    )
                )
            if not f.strong_concern_links or any(r.code == "association_only" for r in result.statuses[pid].reasons):
                assoc.append(
                    Finding("no direct link to an incident or place of concern reaches the grey threshold", pid)
                )
            if f.all_low_grade:
                low.append(Finding(f"all {f.n_items} evidence item(s) are low-grade or untested", pid))
            if window is not None and f.newest is not None and (as_at - f.newest).days > window:
                stale.append(
                    Finding(
                        f"newest evidence observed {f.newest.isoformat()}, "
                        f"{(as_at - f.newest).days} days before {as_at.isoformat()} "
                        f"(policy window {window} days)",
                        pid,
                    )
                )
            if f.n_items and f.max_link_origins < 2:
                corro.append(Finding("no link is supported by two or more independent origins", pid))
            finding = _harmed_finding(result, f)
            if finding is not None:
                harmed.append(finding)
        ages = age_on(person, as_at)
        if ages is not None and ages[0] < UNDER_AGE:
            age_text = f"aged {ages[0]}" if ages[0] == ages[1] else f"aged {ages[0]}-{ages[1]}"
            young.append(Finding(f"{age_text} on {as_at.isoformat()}", pid))
        if person.review_by is not None and person.review_by < as_at:
            overdue.append(
                Finding(
                    f"review was due by {person.review_by.isoformat()} "
                    f"({(as_at - person.review_by).days} days overdue)",
                    pid,
                )
            )
    stale_none = (
        "no shown young person rests only on evidence older than the policy window"
        if window is not None
        else "the policy sets no evidence age window"
    )
    return [
        _person_check(
            "single_source",
            single,
            "{n} shown young people rest on a single agency's evidence",
            "every shown young person has evidence from more than one agency",
        ),
        _person_check(
            "association_only",
            assoc,
            "{n} shown young people have no direct link to an incident or place",
            "every shown young person has a direct link to an incident or place of concern",
        ),
        _person_check(
            "low_grade_only",
            low,
            "{n} shown young people rest only on low-grade or untested sources",
            "every shown young person has at least one well-graded item",
        ),
        _person_check(
            "stale_evidence",
            stale,
            "{n} shown young people rest only on evidence older than the window",
            stale_none,
        ),
        _person_check(
            "corroboration_missing",
            corro,
            "{n} shown young people have no corroborated link",
            "every shown young person has a corroborated link",
        ),
        _person_check(
            "harmed_shown_as_concern",
            harmed,
            "{n} shown young people are on the map because they were harmed, or are recorded as both "
            "harmed and harming",
            "no shown young person is on the map because of harm done to them",
        ),
        _person_check(
            "under_13",
            young,
            "{n} shown young people are (or may be) under 13",
            "no shown young person is under 13",
        ),
        _person_check(
            "review_overdue",
            overdue,
            "{n} shown young people are past their review-by date",
            "no shown young person is past their review-by date",
        ),
    ]


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


def _language_check(result: MapResult, store: Store | None, guide: LanguageGuide) -> CheckResult:
    title, why = PERSON_CHECKS["victim_blaming_language"]
    snap = result.snapshot
    shown = {s.person_id for s in result.shown_people()}
    notes: list[tuple[str, str, str]] = []  # (record id, canonical person, note)
    notes.extend((c.concern_id, c.person_id, c.note) for c in snap.concerns if c.note)
    notes.extend((x.strength_id, x.person_id, x.note) for x in snap.strengths if x.note)
    if store is not None:
        notes.extend(_evidence_notes(store, snap))
    findings: list[Finding] = []
    hidden = 0
    for rid, pid, note in notes:
        person = snap.people.get(pid)
        ages = age_on(person, result.as_at) if person is not None else None
        hits = guide.find(note, age=ages[0] if ages else None)
        if not hits:
            continue
        if pid not in shown:
            hidden += 1
            continue
        for h in hits:
            findings.append(Finding(f'{rid}: "{h.phrase}"', pid, (rid, h.entry), h.suggest))
    check = _person_check(
        "victim_blaming_language",
        findings,
        "{n} shown young people have notes with flagged wording",
        "no note about a shown young person uses flagged wording",
    )
    extra = f"; {hidden} flagged note(s) about young people not on the map" if hidden else ""
    if store is None:
        check.summary += " (concern and strength notes only: evidence notes need the database)"
    check.summary += extra
    if hidden and not findings:
        check.status = "flag"
    check.title, check.why = title, why
    return check


def _evidence_notes(store: Store, snap: Snapshot) -> Iterable[tuple[str, str, str]]:
    known = set(snap.evidence.evidence_id.tolist())
    with store.read() as s:
        rows = s.exec(
            select(Evidence.evidence_id, Evidence.subject_id, Evidence.note)
            .where(col(Evidence.note).is_not(None), col(Evidence.recorded_on) <= snap.as_at)
            .order_by(col(Evidence.evidence_id))
        ).all()
    for eid, subject, note in rows:
        if eid in known and note:
            yield eid, snap.canonical.get(subject, subject), note


def _disproportionality(
    kind: str, label: str, result: MapResult, attr: dict[str, str], baseline: Baseline | None
) -> CheckResult:
    included = [pid for pid, s in result.statuses.items() if s.status == "included"]
    shown = [pid for pid, s in result.statuses.items() if s.shown]
    cohort = Counter(list(attr.values()))
    inc = Counter([attr[p] for p in included if p in attr])
    drawn = Counter([attr[p] for p in shown if p in attr])
    n_cohort, n_inc, n_drawn = sum(cohort.values()), sum(inc.values()), sum(drawn.values())
    base = baseline.shares.get(kind, {}) if baseline else {}
    groups = sorted(set(cohort) | set(base), key=lambda g: (g == NOT_RECORDED, g))
    rows: list[dict[str, Any]] = []
    findings: list[Finding] = []
    for g in groups:
        c_share = cohort[g] / n_cohort if n_cohort else 0.0
        i_share = inc[g] / n_inc if n_inc else 0.0
        ratio = i_share / c_share if c_share else None
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
                "shown_share": round(drawn[g] / n_drawn, 4) if n_drawn else 0.0,
                "ratio": round(ratio, 3) if ratio is not None else None,
                "baseline_share": b_share,
                "baseline_ratio": round(b_ratio, 3) if b_ratio is not None else None,
            }
        )
        if g == NOT_RECORDED or inc[g] < DISPROPORTION_MIN_INCLUDED:
            continue
        if ratio is not None and ratio >= DISPROPORTION_RATIO:
            findings.append(
                Finding(
                    f"{g}: {i_share:.0%} of included against {c_share:.0%} of the known cohort ({ratio:.2f}x)",
                    refs=(g,),
                )
            )
        if b_ratio is not None and b_ratio >= DISPROPORTION_RATIO:
            findings.append(
                Finding(
                    f"{g}: {i_share:.0%} of included against {b_share:.0%} of the local population ({b_ratio:.2f}x)",
                    refs=(g,),
                )
            )
    unknown = cohort[NOT_RECORDED]
    if findings:
        n_groups = len({f.refs[0] for f in findings})
        summary = f"{n_groups} {label} group(s) over-represented among included young people"
    elif n_inc == 0:
        summary = "no included young people to compare"
    else:
        summary = f"no {label} group over-represented by {DISPROPORTION_RATIO}x or more"
    if unknown:
        summary += f"; {label} not recorded for {unknown} of {n_cohort} known young people"
    return CheckResult(
        f"disproportionality_{kind}",
        f"Disproportionality by {label}",
        "cohort",
        "The Gangs Matrix was 78% black against 27% of those responsible for serious youth violence.",
        "flag" if findings else "ok",
        summary,
        findings,
        sorted({f.refs[0] for f in findings}),
        rows,
    )


def _cohort_checks(result: MapResult, facts: dict[str, PersonFacts], baseline: Baseline | None) -> list[CheckResult]:
    snap = result.snapshot
    people = snap.people
    eth = {p: (r.ethnicity or "").strip() or NOT_RECORDED for p, r in people.items()}
    sex = {p: (r.sex or "").strip() or NOT_RECORDED for p, r in people.items()}
    band = {p: age_band(r, result.as_at) for p, r in people.items()}
    checks = [
        _disproportionality("ethnicity", "ethnicity", result, eth, baseline),
        _disproportionality("sex", "sex", result, sex, baseline),
        _disproportionality("age_band", "age band", result, band, baseline),
    ]
    included = sorted(pid for pid, s in result.statuses.items() if s.status == "included")
    n = len(included)
    no_incident = [p for p in included if p in facts and not _has_incident(facts[p], snap)]
    share = len(no_incident) / n if n else 0.0
    checks.append(
        CheckResult(
            "no_incident_share",
            "Included with no incident involvement",
            "cohort",
            "40% of the Gangs Matrix had no violent offence in two years: a map of people, not of harm.",
            "flag" if n and share > NO_INCIDENT_SHARE else "ok",
            f"{len(no_incident)} of {n} included young people ({share:.0%}) have no recorded involvement "
            "in any incident "
            f"(flagged above {NO_INCIDENT_SHARE:.0%})",
            [Finding("no recorded involvement in any incident", p) for p in no_incident],
            no_incident,
        )
    )
    single = [p for p in included if p in facts and len(facts[p].agencies) == 1]
    share = len(single) / n if n else 0.0
    checks.append(
        CheckResult(
            "single_source_share",
            "Included on single-source evidence",
            "cohort",
            "A multi-agency map built on one agency's view repeats that agency's biases.",
            "flag" if n and share > SINGLE_SOURCE_SHARE else "ok",
            f"{len(single)} of {n} included young people ({share:.0%}) rest on one agency's evidence "
            f"(flagged above {SINGLE_SOURCE_SHARE:.0%})",
            [Finding("evidence from one agency only", p) for p in single],
            single,
        )
    )
    checks.append(_retention_check(result, facts))
    return checks


def _has_incident(f: PersonFacts, snap: Snapshot) -> bool:
    return any(x in snap.incidents for x in f.strong_concern_links)


def _retention_check(result: MapResult, facts: dict[str, PersonFacts]) -> CheckResult:
    snap = result.snapshot
    ev = snap.evidence
    past = int((~ev.retention_ok).sum())
    extra = 0
    held = [(c.agreement_id, c.recorded_on) for c in snap.concerns]
    held += [(x.agreement_id, x.recorded_on) for x in snap.strengths]
    for agreement_id, recorded_on in held:
        agreement = snap.agreements.get(agreement_id)
        if agreement and agreement.retention_days is not None:
            extra += recorded_on + timedelta(days=agreement.retention_days) < result.as_at
    affected = sorted(p for p, f in facts.items() if f.past_retention)
    findings = [
        Finding(f"{facts[p].past_retention} evidence item(s) about them are past retention", p) for p in affected
    ]
    total = past + extra
    shown_items = sum(facts[p].past_retention for p in affected)
    summary = (
        f"{total} record(s) held past their agreement's retention period ({past} evidence, {extra} concern "
        "or "
        f"strength); {len(affected)} shown young people affected, "
        f"{max(past - shown_items, 0)} evidence item(s) about young people not shown"
        if total
        else "no record is held past its agreement's retention period"
    )
    return CheckResult(
        "past_retention",
        "Evidence past retention",
        "cohort",
        "Data kept past its retention period is unlawful to hold (no retention period: ICO, 2018).",
        "flag" if total else "ok",
        summary,
        findings,
        affected,
    )


def _output_events(store: Store) -> list[tuple[AuditEvent, dict[str, Any]]]:
    with store.read() as s:
        rows = list(
            s.exec(select(AuditEvent).where(col(AuditEvent.action).in_(OUTPUT_ACTIONS)).order_by(col(AuditEvent.seq)))
        )
    out = []
    for ev in rows:
        try:
            payload = json.loads(ev.payload)
        except ValueError:
            payload = {}
        out.append((ev, payload if isinstance(payload, dict) else {}))
    return out


def _governance_checks(result: MapResult, store: Store | None) -> list[CheckResult]:
    snap = result.snapshot
    agreements = sorted(snap.agreements.values(), key=lambda a: a.agreement_id)
    no_basis = [a for a in agreements if not (a.lawful_basis or "").strip() or not (a.purpose or "").strip()]
    no_dpia = [a for a in agreements if not (a.dpia_ref or "").strip()]
    table = [
        {
            "agreement": a.agreement_id,
            "agencies": a.agencies,
            "purpose": a.purpose,
            "lawful_basis": a.lawful_basis,
            "dpia_ref": a.dpia_ref,
            "valid_from": a.valid_from.isoformat(),
            "valid_to": a.valid_to.isoformat() if a.valid_to else None,
            "retention_days": a.retention_days,
        }
        for a in agreements
    ]
    checks = [
        CheckResult(
            "agreement_basis",
            "Sharing agreements state lawful basis and purpose",
            "governance",
            "Sharing must be necessary, proportionate and recorded under a stated lawful basis (UK GDPR).",
            "flag" if no_basis else "ok",
            f"{len(no_basis)} of {len(agreements)} agreement(s) lack a lawful basis or purpose"
            if no_basis
            else f"all {len(agreements)} agreement(s) state a lawful basis and purpose",
            [Finding(_missing(a), refs=(a.agreement_id,)) for a in no_basis],
            [a.agreement_id for a in no_basis],
            table,
        ),
        CheckResult(
            "dpia_reference",
            "DPIA reference recorded",
            "governance",
            "Routine sharing needs a data-protection impact assessment; the Gangs Matrix had none.",
            "flag" if no_dpia else "ok",
            f"{len(no_dpia)} of {len(agreements)} agreement(s) have no DPIA reference"
            if no_dpia
            else f"all {len(agreements)} agreement(s) record a DPIA reference",
            [Finding(f"{a.agreement_id}: no DPIA reference", refs=(a.agreement_id,)) for a in no_dpia],
            [a.agreement_id for a in no_dpia],
        ),
    ]
    why_out = "Newham was fined after an unredacted list went to 44 recipients: every output needs a recipient."
    why_shadow = "Informal lists of removed people kept the Gangs Matrix alive for those removed (ICO, 2018)."
    if store is None:
        checks.append(
            CheckResult(
                "outputs_logged",
                "Every report and export logged with a recipient",
                "governance",
                why_out,
                "not_checked",
                "not checked: needs the database's audit trail",
            )
        )
        checks.append(
            CheckResult(
                "shadow_lists",
                "Removed young people still in earlier outputs",
                "cohort",
                why_shadow,
                "not_checked",
                "not checked: needs the database's audit trail",
            )
        )
        return checks
    outputs = _output_events(store)
    rows: list[dict[str, Any]] = []
    missing: list[Finding] = []
    left_out = set(result.left_out_ids)
    shadow_events: list[str] = []
    shadow_people: set[str] = set()
    for ev, payload in outputs:
        recipient = str(payload.get("recipient") or "").strip()
        people = payload.get("person_ids") or []
        people = [str(p) for p in people] if isinstance(people, list) else []
        rows.append(
            {
                "seq": ev.seq,
                "at": ev.at,
                "actor": ev.actor,
                "role": ev.role,
                "action": ev.action,
                "kind": str(payload.get("kind") or ""),
                "format": str(payload.get("format") or ""),
                "recipient": recipient or None,
                "people": len(people),
            }
        )
        if not recipient:
            missing.append(
                Finding(
                    f"event {ev.seq} ({ev.action} {payload.get('kind') or ''} by {ev.actor}) names no recipient",
                    refs=(f"event:{ev.seq}",),
                )
            )
        now_out = {snap.canonical.get(p, p) for p in people} & left_out
        if now_out:
            shadow_events.append(f"event:{ev.seq}")
            shadow_people |= now_out
    checks.append(
        CheckResult(
            "outputs_logged",
            "Every report and export logged with a recipient",
            "governance",
            why_out,
            "flag" if missing else "ok",
            f"{len(missing)} of {len(outputs)} logged output(s) name no recipient"
            if missing
            else f"all {len(outputs)} logged output(s) name a recipient",
            missing,
            [f.refs[0] for f in missing],
            rows,
        )
    )
    checks.append(
        CheckResult(
            "shadow_lists",
            "Removed young people still in earlier outputs",
            "cohort",
            why_shadow,
            "flag" if shadow_people else "ok",
            f"{len(shadow_people)} young people now left out appear in {len(shadow_events)} earlier "
            "report(s) or "
            "export(s): recall or destroy those copies"
            if shadow_people
            else "no young person now left out appears in an earlier logged output",
            [Finding(f"{e} included young people who are now left out", refs=(e,)) for e in shadow_events],
            shadow_events,
        )
    )
    return checks


def _missing(a: Any) -> str:
    gaps = [name for name, v in (("lawful basis", a.lawful_basis), ("purpose", a.purpose)) if not (v or "").strip()]
    return f"{a.agreement_id}: no {' or '.join(gaps)}"
