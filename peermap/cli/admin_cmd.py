"""Commands: `peermap admin init|grant|revoke|users|check` (PostgreSQL: the database owner or peermap_admin)."""

from __future__ import annotations

import typer

from peermap.engine import PeermapError, admin_check, admin_grant, admin_init, admin_revoke, admin_users

from . import echo_json, fail, state

admin_app = typer.Typer(
    help="Set up a partnership's PostgreSQL database: schema, group roles, grants, row-level security, logins.",
    no_args_is_help=True,
)


def _lines(done: list[str]) -> None:
    for line in done:
        typer.echo(line)


@admin_app.command("init")
def init_cmd() -> None:
    """Create or upgrade the schema, group roles, grants and row-level security (safe to run again)."""
    try:
        store = state.store()
        _lines(admin_init(store, state.actor_for("admin")))
    except PeermapError as exc:
        raise fail(str(exc)) from None


@admin_app.command("grant")
def grant_cmd(
    login: str = typer.Argument(..., help="The PostgreSQL login (created without a password if missing)."),
    role: str | None = typer.Option(None, "--role", help="practitioner | panel | auditor | admin"),
    agency: str | None = typer.Option(None, "--agency", help="Agency code: the login reads its restricted items."),
) -> None:
    """Give a login a peermap role and/or an agency."""
    try:
        store = state.store(create=False)
        _lines(admin_grant(store, state.actor_for("admin"), login, role, agency))
    except PeermapError as exc:
        raise fail(str(exc)) from None


@admin_app.command("revoke")
def revoke_cmd(
    login: str = typer.Argument(..., help="The PostgreSQL login."),
    role: str | None = typer.Option(None, "--role", help="Only this role (default: every peermap role and agency)."),
    agency: str | None = typer.Option(None, "--agency", help="Only this agency."),
) -> None:
    """Take a role and/or agency away from a login (all of them when neither is given)."""
    try:
        store = state.store(create=False)
        _lines(admin_revoke(store, state.actor_for("admin"), login, role, agency))
    except PeermapError as exc:
        raise fail(str(exc)) from None


@admin_app.command("users")
def users_cmd(as_json: bool = typer.Option(False, "--json", help="Print as JSON.")) -> None:
    """Logins with their roles and agencies, and every privilege each role holds in this schema."""
    try:
        store = state.store(create=False)
        report = admin_users(store, state.actor_for("admin"))
    except PeermapError as exc:
        raise fail(str(exc)) from None
    if as_json:
        echo_json(report.to_json())
        return
    typer.echo(f"logins ({len(report.logins)}):")
    for u in report.logins:
        flags = " (superuser)" if u["superuser"] else "" if u["can_login"] else " (cannot log in)"
        agencies = ", ".join(u["agencies"]) or "no agency"
        typer.echo(f"  {u['login']}{flags}: {', '.join(u['roles']) or 'no role'}; {agencies}")
    typer.echo("privileges:")
    for grantee, objs in sorted(report.privileges.items()):
        typer.echo(f"  {grantee}:")
        for obj, privs in sorted(objs.items()):
            typer.echo(f"    {obj}: {', '.join(sorted(privs))}")
    typer.echo(f"row-level security on: {', '.join(report.rls_tables) or 'nothing'}")
    for p in report.policies:
        typer.echo(f"  {p['table']}.{p['policy']} ({p['command']}, {', '.join(p['roles'])})")


@admin_app.command("check")
def check_cmd() -> None:
    """Warn about an unencrypted remote connection, superuser use, logins with no agency, missing policies."""
    try:
        store = state.store(create=False)
        warnings = admin_check(store, state.actor_for("admin"))
    except PeermapError as exc:
        raise fail(str(exc)) from None
    if not warnings:
        typer.echo("no problems found")
        return
    for w in warnings:
        typer.echo(f"warning: {w}")
    raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add `peermap admin` to the app."""
    app.add_typer(admin_app, name="admin")
