"""Command: `peermap explain PERSON [OTHER]` - why a link has its confidence, or a young person's links."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import typer

from peermap.engine import (
    RELATIONS,
    ObjectKind,
    PeermapError,
    PersonLink,
    Relation,
    Role,
    log_naming_output,
    parse_purpose,
)

from . import fail, parse_as_at, state


def _parse_relation(value: str | None) -> Relation | None:
    if value is None:
        return None
    try:
        return Relation(value.strip().lower())
    except ValueError:
        raise fail(
            f"--relation: {value!r} is not a relation; use one of {', '.join(r.value for r in RELATIONS)}"
        ) from None


def explain_command(
    person_id: str = typer.Argument(..., help="A young person's id."),
    other_id: str | None = typer.Argument(None, help="Another person, location or incident id: explain that link."),
    relation: str | None = typer.Option(None, "--relation", "-r", help="Only this relation (e.g. association)."),
    as_at: str | None = typer.Option(
        None, "--as-at", help="Explain as the partnership knew it at the end of this day."
    ),
    pack_path: Path | None = typer.Option(
        None, "--pack", help="Use this evidence rule pack (default: the one in force at the as-at date)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    purpose: str | None = typer.Option(
        None,
        "--purpose",
        help="Why you open this record (DPA 2018 s.62): a code from policies/purposes.yaml, optionally "
        "followed by ': ' and free text, e.g. 'safeguarding: strategy meeting'. Recorded with the view.",
    ),
) -> None:
    """Explain a link's confidence (items used and not, rules fired, fusion), or list a person's links."""
    # imported here, not at the top: scoring and groups (networkx, igraph) load only when a map is computed
    from peermap.engine import compute_map, explain_link, explain_person, load_rule_pack, rule_pack_of

    rel = _parse_relation(relation)
    day = parse_as_at(as_at)
    try:
        why = parse_purpose(purpose)
        seen_for: dict[str, Any] = {"purpose": why} if why is not None else {}
        actor = state.actor
        store = state.store(create=False)
        result = compute_map(store, day)
        snapshot = result.snapshot
        pack = load_rule_pack(pack_path) if pack_path else rule_pack_of(result)
        pid = snapshot.canonical.get(person_id, person_id)
        left_out = frozenset(result.left_out_ids)
        # Left-out young people are never named: practitioners and the panel cannot reach them at all;
        # auditors see them by internal id only.
        auditor = actor.role is Role.AUDITOR
        hidden = left_out if auditor else frozenset()
        if pid not in snapshot.people or (pid in left_out and not auditor):
            raise fail(f"unknown young person id {person_id!r}, or not on the map as at {snapshot.as_at}")
        if other_id is not None and snapshot.canonical.get(other_id, other_id) in left_out and not auditor:
            raise fail(f"unknown young person id {other_id!r}, or not on the map as at {snapshot.as_at}")
        if other_id is None:
            links = explain_person(snapshot, pack, pid, hidden=hidden)
            if rel is not None:
                links = [x for x in links if x.relation is rel]
            withheld = sum(1 for x in links if x.other_id in left_out and not auditor)
            links = [x for x in links if auditor or x.other_id not in left_out]
            if withheld:
                typer.echo(
                    f"({withheld} link{'s' if withheld != 1 else ''} to young people below the map's "
                    "evidence threshold not shown)",
                    err=True,
                )
            name = f"a left-out young person ({pid})" if pid in hidden else snapshot.people[pid].name
            log_naming_output(store, actor, "view_person", [pid], person_id=pid, what="explain", **seen_for)
            _print_person(name, pid, snapshot.as_at, pack.version, links, as_json)
            return
        explanation = explain_link(snapshot, pack, pid, other_id, rel, store=store, hidden=hidden)
        viewed = [pid]
        if explanation.object_id in snapshot.people and explanation.object_id != pid:
            viewed.append(explanation.object_id)
        if explanation.subject_id in snapshot.people and explanation.subject_id not in viewed:
            viewed.append(explanation.subject_id)
        for p in viewed:
            other = next((x for x in (explanation.subject_id, explanation.object_id) if x != p), None)
            log_naming_output(store, actor, "view_person", [p], person_id=p, what="explain", other_id=other, **seen_for)
    except PeermapError as exc:
        raise fail(str(exc)) from None
    if as_json:
        typer.echo(explanation.json_text())
    else:
        typer.echo(explanation.text())


def _print_person(name: str, pid: str, as_at: date, version: str, links: list[PersonLink], as_json: bool) -> None:
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "person": {"id": pid, "name": name},
                    "as_at": as_at.isoformat(),
                    "rule_pack_version": version,
                    "links": [x.to_json() for x in links],
                },
                indent=2,
                ensure_ascii=False,
            )
        )
        return
    typer.echo(
        f"{name} ({pid}): {len(links)} link{'s' if len(links) != 1 else ''} as at {as_at.isoformat()} "
        f"(rule pack {version})"
    )
    if not links:
        typer.echo("  no evidence links this young person to anyone or anywhere.")
        return
    typer.echo(f"  {'confidence':>10}  {'uncertainty':>11}  {'relation':<15} {'items':>5}  with")
    for x in links:
        kind = "" if x.other_kind is ObjectKind.PERSON else f" [{x.other_kind.value}]"
        unused = f" (+{x.n_unused} not used)" if x.n_unused else ""
        typer.echo(
            f"  {x.confidence:>10.2f}  {x.uncertainty:>11.2f}  {x.relation.value:<15} {x.n_items:>5}  "
            f"{x.other_name} ({x.other_id}){kind}{unused}"
        )
    typer.echo(f"Explain one link: peermap explain {pid} OTHER_ID")


def register(app: typer.Typer) -> None:
    """Add `peermap explain` to the app."""
    app.command("explain")(explain_command)
