"""What the labelling checks report: findings, one result per check, and the whole report.

No rendering here: reports/ turns a LabellingReport into HTML, Markdown or JSON.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

Status = Literal["flag", "ok", "info", "not_checked"]
Scope = Literal["person", "cohort", "governance"]


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
