"""Commands: `peermap map` and `peermap policy show|history|set`."""

from __future__ import annotations

import typer

from peermap.engine import (
    POLICY_FIELDS,
    PeermapError,
    PolicyConflict,
    Redactor,
    Role,
    log_naming_output,
    policy_history,
    policy_in_force,
    redact_json,
    require,
    set_policy,
    visible,
    with_changes,
)

from . import echo_json, fail, parse_as_at, state

policy_app = typer.Typer(help="Show, review and change the panel's inclusion policy.", no_args_is_help=True)


def map_command(
    as_at: str | None = typer.Option(None, "--as-at", help="Replay the map as it stood at the end of this day."),
    as_json: bool = typer.Option(False, "--json", help="Print the map as JSON."),
    recipient: str | None = typer.Option(
        None, "--recipient", help="Who receives this list of names, if not only you on screen (it is recorded)."
    ),
) -> None:
    """The map: who is included or greyed, and why (left-out young people are only counted)."""
    # imported here, not at the top: scoring and groups (networkx, igraph) load only when a map is computed
    from peermap.engine import compute_map, map_json

    day = parse_as_at(as_at)
    try:
        actor = state.actor
        store = state.store()
        result = compute_map(store, day)
        shown = result.shown_people()
        log_naming_output(
            store,
            actor,
            "view_map",
            [s.person_id for s in shown],
            recipient=recipient,
            as_at=result.as_at.isoformat(),
            policy_version=result.policy.version,
            included=sum(1 for s in shown if s.status == "included"),
            greyed=sum(1 for s in shown if s.status == "greyed"),
            left_out_count=result.left_out_count,
            format="json" if as_json else "table",
        )
    except PeermapError as exc:
        raise fail(str(exc)) from None
    red = Redactor(result)  # reasons and the policy's reason are free text: left-out names never go out
    if as_json:
        echo_json(redact_json(map_json(result), red))
        return
    pol = result.policy
    inc = sum(1 for s in shown if s.status == "included")
    typer.echo(
        f"map as at {result.as_at.isoformat()} - policy version {pol.version} "
        f"(include >= {pol.body.include_threshold:.2f}, grey >= {pol.body.grey_threshold:.2f}, "
        f"{pol.body.min_agencies}+ agencies, evidence within {pol.body.max_age_days} days)"
    )
    typer.echo(
        f"included {inc}, greyed {len(shown) - inc}, left out {result.left_out_count} (not named), "
        f"links drawn {len(result.shown_links)}"
    )
    if not shown:
        return
    typer.echo("")
    typer.echo(f"{'id':<14} {'name':<24} {'status':<9} why")
    for st in shown:
        name = visible(result.snapshot.person_name(st.person_id))  # one field: no line break, no control
        why = visible(red.text(st.reasons[0].text) or "") if st.reasons else ""
        typer.echo(f"{st.person_id:<14} {name[:24]:<24} {st.status:<9} {why}")


@policy_app.command("show")
def policy_show(as_json: bool = typer.Option(False, "--json", help="Print as JSON.")) -> None:
    """The inclusion policy in force now."""
    # imported here, not at the top: it computes a map (scoring and groups load only then)
    from peermap.engine import store_redactor

    try:
        store = state.store()
        rec = policy_in_force(store)
        red = store_redactor(store)  # a reason may name a young person who is not on the map
    except PeermapError as exc:
        raise fail(str(exc)) from None
    if as_json:
        echo_json({**rec.to_json(), "reason": red.text(rec.reason), "in_force": True})
        return
    typer.echo(
        f"inclusion policy version {rec.version}, set {rec.created_at.isoformat()} by {rec.actor} "
        f"({rec.role}): {red.text(rec.reason)}"
    )
    body = rec.body.to_json()
    for key in POLICY_FIELDS:
        value = body[key]
        shown = ", ".join(value) if isinstance(value, list) else value
        typer.echo(f"  {key:<24} {shown}")


@policy_app.command("history")
def policy_history_cmd(as_json: bool = typer.Option(False, "--json", help="Print as JSON.")) -> None:
    """Every inclusion-policy version, oldest first, marking the one in force now."""
    # imported here, not at the top: it computes a map (scoring and groups load only then)
    from peermap.engine import store_redactor

    try:
        store = state.store()
        records = policy_history(store)
        current = policy_in_force(store).version
        red = store_redactor(store)  # a reason may name a young person who is not on the map
    except PeermapError as exc:
        raise fail(str(exc)) from None
    if as_json:
        echo_json([{**r.to_json(), "reason": red.text(r.reason), "in_force": r.version == current} for r in records])
        return
    for r in records:
        mark = "*" if r.version == current else " "
        b = r.body
        replaces = f" replaces v{r.replaces}" if r.replaces else ""
        typer.echo(
            f"{mark} v{r.version}{replaces}  {r.created_at.isoformat()}  {r.actor} ({r.role})  "
            f"include {b.include_threshold:.2f} grey {b.grey_threshold:.2f} agencies {b.min_agencies} "
            f"age {b.max_age_days}d association {b.association_only}  - {red.text(r.reason)}"
        )


@policy_app.command("set")
def policy_set(
    include: float | None = typer.Option(None, "--include", help="Inclusion threshold (0..1)."),
    grey: float | None = typer.Option(None, "--grey", help="Grey threshold (0..include)."),
    min_agencies: int | None = typer.Option(None, "--min-agencies", help="Independent agencies needed to include."),
    max_age_days: int | None = typer.Option(None, "--max-age-days", help="Newest evidence must be this recent."),
    association_only: str | None = typer.Option(None, "--association-only", help="greyed | included."),
    co_offending_direct: bool | None = typer.Option(
        None,
        "--co-offending-direct/--no-co-offending-direct",
        help="Whether a co-offending link counts as a direct link to a concern.",
    ),
    reason: str | None = typer.Option(None, "--reason", help="Why the panel is making this change (required)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show who would move; change nothing."),
    based_on: int | None = typer.Option(
        None,
        "--based-on",
        help="The policy version you previewed (from --dry-run); refused if another commit came since. "
        "Default: the version in force when this command starts.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Change the inclusion policy (panel role, with a reason); --dry-run previews who would move."""
    # imported here, not at the top: scoring and groups (networkx, igraph) load only when a map is computed
    from peermap.engine import preview_policy

    try:
        actor = state.actor
        if not dry_run:
            require(actor, Role.PANEL, to="change the inclusion policy")
            if not (reason or "").strip():
                raise fail("--reason is required: say why the panel is changing the policy")
        options = (include, grey, min_agencies, max_age_days, association_only, co_offending_direct)
        if all(v is None for v in options):
            raise fail(
                "nothing to change: give at least one of --include, --grey, --min-agencies, "
                "--max-age-days, --association-only, --co-offending-direct"
            )
        store = state.store()
        current = policy_in_force(store)
        new = with_changes(
            current.body,
            include_threshold=include,
            grey_threshold=grey,
            min_agencies=min_agencies,
            max_age_days=max_age_days,
            association_only=association_only,
            co_offending_direct=co_offending_direct,
        )
        if dry_run:
            preview = preview_policy(store, actor, new)
            echo_json(
                {
                    "changes": preview.changes,
                    "counts": preview.counts,
                    "from_version": current.version,
                    "proposed": new.to_json(),
                    "commit_with": f"--reason TEXT --based-on {current.version}",
                }
            )
            return
        rec = set_policy(store, actor, new, reason or "", based_on=current.version if based_on is None else based_on)
    except PolicyConflict as exc:
        raise fail(f"{exc} (peermap policy set ... --dry-run, then --based-on the version it shows)", 3) from None
    except PeermapError as exc:
        raise fail(str(exc)) from None
    if as_json:
        echo_json(rec.to_json())
    else:
        typer.echo(f"inclusion policy version {rec.version} in force (replaces v{rec.replaces}): {rec.reason}")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("map")(map_command)
    app.add_typer(policy_app, name="policy")
