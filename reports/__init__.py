"""peermap reports: audit, labelling-risk, subject-access and the map, as HTML, Markdown or JSON.

`produce()` is the one entry point the CLI and TUI use: it checks the actor's role, computes the map as at
a date, builds the report's data (one module per kind: reports.audit_report, labelling_report,
subject_report, map_report), renders it (reports.render, reports.svg), writes the
file atomically and records the report in the audit trail with its recipient and the people it includes.
Nothing here imports textual.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from peermap.engine import (
    Actor,
    Baseline,
    MapResult,
    PeermapError,
    Role,
    Store,
    audited_output,
    compute_map,
    load_baseline,
    require,
)

from .audit_report import audit_context
from .common import shown_person_ids
from .labelling_report import labelling_context
from .map_report import map_context
from .render import render_html, render_json, render_md
from .subject_report import subject_context
from .svg import compute_layout, render_svg

KINDS = ("audit", "labelling", "subject", "map")
FORMATS = ("html", "md", "json")
EXTENSIONS = {"html": ".html", "md": ".md", "json": ".json"}

__all__ = [
    "FORMATS",
    "KINDS",
    "Report",
    "build_context",
    "produce",
    "render",
    "write_atomic",
]


@dataclass
class Report:
    kind: str
    format: str
    text: str
    context: dict[str, Any]
    person_ids: list[str]
    path: Path | None = None
    digest: str | None = None


def check_role(actor: Actor, kind: str) -> None:
    """Practitioners may produce map, labelling and audit reports; subject access needs auditor or panel."""
    if kind not in KINDS:
        raise PeermapError(f"unknown report {kind!r}; use one of: {', '.join(KINDS)}")
    if kind == "subject":
        require(actor, Role.AUDITOR, Role.PANEL, to="produce a subject-access report")
    else:
        require(actor, Role.PRACTITIONER, Role.PANEL, Role.AUDITOR, to=f"produce the {kind} report")


def build_context(
    kind: str,
    result: MapResult,
    store: Store,
    actor: Actor,
    *,
    recipient: str | None = None,
    person: str | None = None,
    baseline: Baseline | None = None,
) -> dict[str, Any]:
    """The report's data (what the JSON format is), after the role check."""
    check_role(actor, kind)
    if kind == "audit":
        return audit_context(result, store, actor, recipient=recipient)
    if kind == "labelling":
        return labelling_context(result, store, actor, recipient=recipient, baseline=baseline)
    if kind == "subject":
        if not person:
            raise PeermapError("the subject-access report needs --person ID")
        return subject_context(result, store, actor, person, recipient=recipient)
    return map_context(result, actor, recipient=recipient)


def render(kind: str, fmt: str, context: dict[str, Any], result: MapResult | None = None) -> str:
    """Render a context. HTML audit, labelling and map reports carry the map picture (needs `result`)."""
    if fmt not in FORMATS:
        raise PeermapError(f"unknown format {fmt!r}; use one of: {', '.join(FORMATS)}")
    if fmt == "json":
        return render_json(context)
    if fmt == "md":
        return render_md(kind, context)
    svg = render_svg(compute_layout(result)) if result is not None and kind in ("audit", "labelling", "map") else None
    return render_html(kind, context, svg)


def write_atomic(path: Path, text: str) -> str:
    """Write via a temporary file in the same folder and rename, so a reader never sees half a report."""
    path = Path(path)
    data = text.encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return hashlib.sha256(data).hexdigest()


def produce(
    store: Store,
    actor: Actor,
    kind: str,
    fmt: str,
    *,
    out: Path | str | None = None,
    recipient: str | None = None,
    as_at: date | None = None,
    person: str | None = None,
    baseline: Baseline | Path | str | None = None,
    result: MapResult | None = None,
    force: bool = False,
) -> Report:
    """Check the role and `out`, then compute the map, build, render and audit one report in one transaction.

    The audit lock is taken before the data is read, so the report is of exactly the state its event follows
    (the head printed in the report); the file appears (atomically) only after that event commits, so a
    failed audit write leaves no file. `out` may not be the database, its journal files or a file peermap did
    not write; replacing a report peermap wrote needs `force` (engine.outputs).
    """
    check_role(actor, kind)
    if baseline is not None and not isinstance(baseline, Baseline):
        baseline = load_baseline(baseline)
    with audited_output(store, actor, "report", out, force=force) as pending:
        if result is None:
            result = compute_map(store, as_at)
        context = build_context(kind, result, store, actor, recipient=recipient, person=person, baseline=baseline)
        context["stamp"]["audit_head"] = {"seq": pending.head[0], "hash": pending.head[1]}
        text = render(kind, fmt, context, result)
        report = Report(kind, fmt, text, context, shown_person_ids(context), path=pending.path)
        report.digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        pending.write(
            text,
            {
                "kind": kind,
                "format": fmt,
                "recipient": (recipient or "").strip() or None,
                "as_at": result.as_at.isoformat(),
                "policy_version": result.policy.version,
                "audit_head": context["stamp"]["audit_head"],
                "person_ids": report.person_ids,
            },
        )
    return report
