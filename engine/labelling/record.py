"""A labelling check as one unit: id, title, why, the function that runs it, every sentence it can say,
and the worked examples that show when it fires and when it does not (semgrep / checkov style).

A check's `run` looks at the map through a Context and returns an Outcome (what it found); `evaluate`
turns that into the CheckResult the report shows, choosing the summary sentence from `messages`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

from ..map_model import MapResult
from ..snapshot import Snapshot
from ..store import Store
from .baseline import Baseline
from .facts import PersonFacts, person_facts
from .language import LanguageGuide
from .results import CheckResult, Finding, Scope, Status


@dataclass
class Context:
    """Everything a check may look at; per-person facts are computed once and shared by every check."""

    result: MapResult
    store: Store | None
    baseline: Baseline | None
    guide: LanguageGuide

    @property
    def snap(self) -> Snapshot:
        return self.result.snapshot

    @property
    def as_at(self) -> date:
        return self.result.as_at

    @cached_property
    def facts(self) -> dict[str, PersonFacts]:
        return person_facts(self.result)

    @cached_property
    def shown(self) -> list[str]:
        return [s.person_id for s in self.result.shown_people()]

    @cached_property
    def included(self) -> list[str]:
        return sorted(pid for pid, s in self.result.statuses.items() if s.status == "included")


@dataclass
class Outcome:
    """What a check found. `affected` defaults to the people named in the findings; the check flags when it
    has findings unless `flag` says otherwise; `message` picks the summary sentence (default "found" with
    findings, "none" without), filled from `values` and the count `n` of affected; `note` is appended."""

    findings: list[Finding] = field(default_factory=list)
    affected: list[str] | None = None
    table: list[dict[str, Any]] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    flag: bool | None = None
    message: str | None = None
    note: str = ""
    status: Status | None = None  # when neither "flag" nor "ok" is honest (e.g. "not_checked": data missing)


@dataclass(frozen=True)
class Step:
    """One fact of an example's small world, named after the record it adds (person, evidence, agreement,
    location, incident, concern, strength, link, audit). tests/reports_helpers.MapBuilder builds it."""

    kind: str
    args: tuple[Any, ...] = ()
    kw: Mapping[str, Any] = field(default_factory=dict)


def step(kind: str, *args: Any, **kw: Any) -> Step:
    return Step(kind, args, kw)


@dataclass(frozen=True)
class Example:
    """A worked case: on the standard setting (agencies police, school, yot under agreement ISA-1; place of
    concern L1, library L2, incident I1 on 2026-08-20; as at 2026-11-01) plus `given`, the check must flag
    exactly `affected` when `fires`, and must not flag when it does not. `store=False` runs it without the
    database, as the checks that need the audit trail or evidence notes must then say "not checked".
    Audit events an example logs are referred to as event:1, event:2, ... in the order it logs them."""

    name: str
    fires: bool
    given: tuple[Step, ...]
    affected: tuple[str, ...] = ()
    store: bool = True


@dataclass(frozen=True)
class Check:
    id: str
    title: str
    scope: Scope
    why: str
    run: Callable[[Context], Outcome]
    messages: Mapping[str, str]  # "found", "none" and any other sentence `run` may choose
    examples: tuple[Example, ...] = ()
    needs_store: bool = False  # without the database: status "not_checked", message "not_checked"

    def evaluate(self, ctx: Context) -> CheckResult:
        if self.needs_store and ctx.store is None:
            return CheckResult(self.id, self.title, self.scope, self.why, "not_checked", self.messages["not_checked"])
        out = self.run(ctx)
        affected = (
            out.affected if out.affected is not None else sorted({f.person_id for f in out.findings if f.person_id})
        )
        flag = out.flag if out.flag is not None else bool(out.findings)
        status: Status = "flag" if flag else (out.status or "ok")
        key = out.message or ("found" if out.findings else "none")
        summary = self.messages[key].format(n=len(affected), **out.values) + out.note
        return CheckResult(
            self.id, self.title, self.scope, self.why, status, summary, out.findings, affected, out.table
        )
