"""Command: `peermap report audit|labelling|subject|map` — write a report and record it in the audit trail."""

from __future__ import annotations

from pathlib import Path

import typer

from peermap.engine import PeermapError

from . import echo_json, fail, parse_as_at, state

KIND_HELP = "audit | labelling | subject | map | notice"


def report_command(
    kind: str = typer.Argument(..., help=f"Which report: {KIND_HELP}.", metavar="KIND"),
    fmt: str = typer.Option("html", "--format", "-f", help="html | md | json"),
    out: Path | None = typer.Option(
        None,
        "--out",
        "-o",
        help="Write here (atomically, after the audit event commits); default: standard output. Never the "
        "database or a file peermap did not write.",
    ),
    force: bool = typer.Option(False, "--force", help="Replace a report peermap wrote before at --out."),
    person: str | None = typer.Option(None, "--person", help="The young person's id (subject-access report)."),
    recipient: str | None = typer.Option(None, "--recipient", help="Who the report is for (recorded in the audit)."),
    as_at: str | None = typer.Option(None, "--as-at", help="Report on the map as it stood at the end of this day."),
    baseline: Path | None = typer.Option(
        None, "--baseline", help="Population baseline CSV (group_kind,group,share) for the labelling report."
    ),
) -> None:
    """Write a report (audit, labelling-risk, subject-access or the map) as HTML, Markdown or JSON.

    Every report is recorded in the audit trail with its recipient, a digest of its content and the ids of
    the young people it includes. Subject access needs the auditor or panel role; left-out young people
    are only ever counted (their internal ids appear for the auditor role only).
    """
    from peermap import reports

    kind = kind.strip().lower()
    fmt = fmt.strip().lower()
    if kind == "notice":
        _notice(recipient, out, force)
        return
    if kind not in reports.KINDS:
        raise fail(f"unknown report {kind!r}; use one of: {KIND_HELP}")
    if fmt not in reports.FORMATS:
        raise fail(f"--format: {fmt!r} is not one of: {' | '.join(reports.FORMATS)}")
    if person and kind != "subject":
        raise fail("--person is only for the subject-access report (peermap report subject --person ID)")
    if baseline is not None and kind != "labelling":
        raise fail("--baseline is only for the labelling-risk report")
    day = parse_as_at(as_at)
    try:
        report = reports.produce(
            state.store(),
            state.actor,
            kind,
            fmt,
            out=out,
            force=force,
            recipient=recipient,
            as_at=day,
            person=person,
            baseline=baseline,
        )
    except PeermapError as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"cannot write {out}: {exc.strerror or exc}") from None
    if out is None:
        typer.echo(report.text, nl=False)
    else:
        typer.echo(f"wrote {kind} report ({fmt}, {len(report.person_ids)} young people) to {out}", err=True)
    if not (recipient or "").strip():
        typer.echo("note: no --recipient given; the audit trail records this report without one", err=True)


def _notice(recipient: str | None, out: Path | None, force: bool) -> None:
    """`report notice --recipient R`: the correction or removal notice owed to R (see `peermap notices`)."""
    # imported here, not at the top: scoring and groups (networkx, igraph) load only when a map is computed
    from peermap.engine import produce_notice

    try:
        text, notice = produce_notice(state.store(create=False), state.actor, recipient or "", out, force=force)
    except PeermapError as exc:
        raise fail(str(exc)) from None
    if out is None:
        typer.echo(text, nl=False)
    else:
        typer.echo(f"wrote the notice for {notice.recipient} ({len(notice.events)} output(s)) to {out}", err=True)


def notices_command(as_json: bool = typer.Option(False, "--json", help="Print as JSON.")) -> None:
    """Recipients of earlier outputs naming young people since removed or erased, still owed a notice."""
    # imported here, not at the top: scoring and groups (networkx, igraph) load only when a map is computed
    from peermap.engine import notices_due

    try:
        owed = notices_due(state.store(create=False), state.actor)
    except PeermapError as exc:
        raise fail(str(exc)) from None
    if as_json:
        echo_json([n.to_json() for n in owed])
        return
    if not owed:
        typer.echo("no notice is owed: every earlier recipient has been told of every removal and erasure")
        return
    for n in owed:
        typer.echo(
            f"{n.recipient}: {len(n.events)} output(s) (events {', '.join(map(str, n.events))}); "
            f"{len(n.removed)} young people removed from the map, {len(n.erased)} record(s) erased -> "
            f'peermap report notice --recipient "{n.recipient}" --out notice.md'
        )


def register(app: typer.Typer) -> None:
    """Add `peermap report` to the app."""
    app.command("report")(report_command)
    app.command("notices")(notices_command)
