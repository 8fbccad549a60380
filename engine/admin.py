"""`peermap admin`: set up and manage a partnership's PostgreSQL database (schema, group roles, grants,
row-level security, logins), and check it. Every action is recorded in the audit trail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlmodel import select

from . import audit
from .access import Actor, Role, require
from .errors import PeermapError
from .models import Agency
from .pg_schema import (
    AGENCY_PREFIX,
    DATA_TABLES,
    GROUPS,
    READ_ONLY_TABLES,
    REGISTER_TABLES,
    agency_role,
    apply_security,
    install_append_function,
    quote_ident,
)
from .policy import ensure_default
from .rules.in_force import record_shipped_pack
from .store import Store

_LOGIN_RE = re.compile(r"^[a-z_][a-z0-9_.@-]{0,62}$")
ALL_TABLES = (*DATA_TABLES, *READ_ONLY_TABLES, *REGISTER_TABLES)
EXPECTED_POLICIES = {
    ("restricted_detail", "peermap_read_own_agency"),
    ("restricted_detail", "peermap_insert"),
    ("policy_version", "peermap_read"),
    ("policy_version", "peermap_panel_insert"),
}


def _need_pg(store: Store) -> None:
    if not store.is_postgresql:
        raise PeermapError(
            "peermap admin manages PostgreSQL logins and grants; a SQLite file is one analyst's workbook with no "
            "logins (role separation is enforced only on PostgreSQL)"
        )


def _check_login(login: str) -> str:
    name = login.strip()
    if not _LOGIN_RE.match(name):
        raise PeermapError(
            f"login {login!r}: use lower-case letters, digits and _ . @ - (starting with a letter or _), "
            "at most 63 characters"
        )
    if name.startswith("peermap_") or name in ("postgres", "public"):
        raise PeermapError(f"login {name!r} is reserved (peermap_ names are group roles)")
    return name


def _roles_exist(conn: Connection, names: list[str]) -> set[str]:
    rows = conn.execute(text("SELECT rolname FROM pg_roles WHERE rolname = ANY(:n)"), {"n": names}).scalars()
    return {str(r) for r in rows}


def admin_init(store: Store, actor: Actor) -> list[str]:
    """Create or upgrade schema objects, group roles, grants and row-level security (idempotent)."""
    _need_pg(store)
    require(actor, Role.ADMIN, to="set up the database")
    with store.read() as s:
        agencies = [a.agency_id for a in s.exec(select(Agency))]
    with store.engine.begin() as conn:
        install_append_function(conn)
        done = apply_security(conn, agencies)
    record_shipped_pack(store)
    ensure_default(store)
    audit.log_event(store, actor, "admin_init", {"done": done})
    return done


def admin_grant(store: Store, actor: Actor, login: str, role: str | None, agency: str | None) -> list[str]:
    """Create the login (without a password) if missing and make it a member of the role and/or agency groups."""
    _need_pg(store)
    require(actor, Role.ADMIN, to="grant roles")
    name = _check_login(login)
    groups: list[str] = []
    if role is not None:
        groups.append(GROUPS[_role(role).value])
    if agency is not None:
        groups.append(_agency(agency))
    if not groups:
        raise PeermapError("admin grant: say what to grant with --role and/or --agency")
    done: list[str] = []
    with store.engine.begin() as conn:
        if not _roles_exist(conn, [name]):
            conn.exec_driver_sql(f"CREATE ROLE {quote_ident(name)} LOGIN")
            done.append(f"created login {name} (no password: authenticate as pg_hba.conf allows)")
        for g in groups:
            if not _roles_exist(conn, [g]):
                if not g.startswith(AGENCY_PREFIX):
                    raise PeermapError(f"group role {g} does not exist: run `peermap admin init` first")
                conn.exec_driver_sql(f"CREATE ROLE {quote_ident(g)} NOLOGIN")
                done.append(f"created group role {g}")
            conn.exec_driver_sql(f"GRANT {quote_ident(g)} TO {quote_ident(name)}")
            done.append(f"granted {g} to {name}")
    audit.log_event(store, actor, "admin_grant", {"login": name, "role": role, "agency": agency, "done": done})
    return done


def admin_revoke(store: Store, actor: Actor, login: str, role: str | None, agency: str | None) -> list[str]:
    """Remove the login from the role and/or agency groups (from every peermap group when neither is given)."""
    _need_pg(store)
    require(actor, Role.ADMIN, to="revoke roles")
    name = _check_login(login)
    with store.engine.begin() as conn:
        if not _roles_exist(conn, [name]):
            raise PeermapError(f"no login {name!r}")
        if role is None and agency is None:
            groups = sorted(g for g, _ in _memberships(conn) if _ == name)
        else:
            groups = ([GROUPS[_role(role).value]] if role is not None else []) + (
                [_agency(agency)] if agency is not None else []
            )
        done: list[str] = []
        held = {g for g, m in _memberships(conn) if m == name}
        for g in groups:
            if g in held:
                conn.exec_driver_sql(f"REVOKE {quote_ident(g)} FROM {quote_ident(name)}")
                done.append(f"revoked {g} from {name}")
            else:
                done.append(f"{name} was not a member of {g}")
    audit.log_event(store, actor, "admin_revoke", {"login": name, "role": role, "agency": agency, "done": done})
    return done


def _role(role: str) -> Role:
    try:
        return Role(role.strip().lower())
    except ValueError:
        raise PeermapError(f"--role {role!r}: use one of {', '.join(r.value for r in Role)}") from None


def _agency(code: str) -> str:
    try:
        return agency_role(code)
    except ValueError as exc:
        raise PeermapError(f"--agency: {exc}") from None


def _memberships(conn: Connection) -> list[tuple[str, str]]:
    """(group, member) for every direct membership of a peermap group role."""
    rows = conn.execute(
        text(
            "SELECT g.rolname, m.rolname FROM pg_auth_members am "
            "JOIN pg_roles g ON g.oid = am.roleid JOIN pg_roles m ON m.oid = am.member "
            "WHERE g.rolname LIKE 'peermap\\_%' ORDER BY 2, 1"
        )
    )
    return [(str(g), str(m)) for g, m in rows]


def _grants(conn: Connection) -> dict[str, dict[str, list[str]]]:
    """{grantee: {object: [privileges]}} from the access lists of this schema's tables, sequences, functions."""
    out: dict[str, dict[str, list[str]]] = {}
    rows = conn.execute(
        text(
            """
            SELECT coalesce(g.rolname, 'PUBLIC') AS grantee, c.relname AS obj, a.privilege_type AS priv
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            CROSS JOIN LATERAL aclexplode(c.relacl) a LEFT JOIN pg_roles g ON g.oid = a.grantee
            WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'v', 'S')
            UNION ALL
            SELECT coalesce(g.rolname, 'PUBLIC'), c.relname || '(' || att.attname || ')', a.privilege_type
            FROM pg_attribute att JOIN pg_class c ON c.oid = att.attrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            CROSS JOIN LATERAL aclexplode(att.attacl) a LEFT JOIN pg_roles g ON g.oid = a.grantee
            WHERE n.nspname = current_schema() AND att.attacl IS NOT NULL
            UNION ALL
            SELECT coalesce(g.rolname, 'PUBLIC'), p.proname || '()', a.privilege_type
            FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            CROSS JOIN LATERAL aclexplode(p.proacl) a LEFT JOIN pg_roles g ON g.oid = a.grantee
            WHERE n.nspname = current_schema()
            ORDER BY 1, 2, 3
            """
        )
    )
    for grantee, obj, priv in rows:
        out.setdefault(str(grantee), {}).setdefault(str(obj), []).append(str(priv))
    return out


def _policies(conn: Connection) -> list[dict[str, Any]]:
    rows = conn.execute(
        text(
            "SELECT tablename, policyname, cmd, roles::text[] AS roles, qual, with_check FROM pg_policies "
            "WHERE schemaname = current_schema() ORDER BY 1, 2"
        )
    ).mappings()
    return [
        {
            "table": r["tablename"],
            "policy": r["policyname"],
            "command": r["cmd"],
            "roles": list(r["roles"]),
            "using": r["qual"],
            "with_check": r["with_check"],
        }
        for r in rows
    ]


@dataclass(frozen=True)
class UsersReport:
    logins: list[dict[str, Any]]
    privileges: dict[str, dict[str, list[str]]]
    policies: list[dict[str, Any]]
    rls_tables: list[str]

    def to_json(self) -> dict[str, Any]:
        return {
            "logins": self.logins,
            "privileges": self.privileges,
            "row_level_security": {"enabled_on": self.rls_tables, "policies": self.policies},
        }


def admin_users(store: Store, actor: Actor) -> UsersReport:
    """Every login in a peermap group (roles, agencies), every privilege of every grantee in this schema."""
    _need_pg(store)
    require(actor, Role.ADMIN, Role.AUDITOR, to="list logins and privileges")
    with store.engine.connect() as conn:
        members = _memberships(conn)
        attrs = {
            str(r.rolname): r
            for r in conn.execute(
                text("SELECT rolname, rolcanlogin, rolsuper FROM pg_roles WHERE rolname = ANY(:n)"),
                {"n": sorted({m for _, m in members})},
            )
        }
        privileges = _grants(conn)
        policies = _policies(conn)
        rls = [
            str(t)
            for t in conn.execute(
                text(
                    "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = current_schema() AND c.relrowsecurity ORDER BY 1"
                )
            ).scalars()
        ]
    by_login: dict[str, dict[str, Any]] = {}
    for group, member in members:
        if member.startswith("peermap_"):
            continue
        entry = by_login.setdefault(
            member,
            {
                "login": member,
                "can_login": bool(attrs[member].rolcanlogin) if member in attrs else None,
                "superuser": bool(attrs[member].rolsuper) if member in attrs else None,
                "roles": [],
                "agencies": [],
            },
        )
        if group.startswith(AGENCY_PREFIX):
            entry["agencies"].append(group[len(AGENCY_PREFIX) :])
        else:
            entry["roles"].append(group[len("peermap_") :])
    audit.log_event(store, actor, "admin_users", {"logins": len(by_login)})
    return UsersReport(list(by_login.values()), privileges, policies, rls)


def admin_check(store: Store, actor: Actor) -> list[str]:
    """Warnings about the deployment; an empty list means nothing found."""
    _need_pg(store)
    require(actor, Role.ADMIN, Role.AUDITOR, to="check the database setup")
    warnings: list[str] = []
    host = store.engine.url.host or ""
    with store.engine.connect() as conn:
        ssl = conn.execute(text("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")).scalar()
        if not ssl and host not in ("", "localhost", "127.0.0.1", "::1") and not host.startswith("/"):
            warnings.append(
                f"the connection to {host} is not encrypted: set sslmode=require (or PGSSLMODE=verify-full)"
            )
        me = conn.execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = session_user")).scalar()
        if me:
            warnings.append(
                "you are connected as a superuser: use the schema owner for `admin`, and each person's own "
                "login for everything else"
            )
        missing_groups = sorted(set(GROUPS.values()) - _roles_exist(conn, list(GROUPS.values())))
        if missing_groups:
            warnings.append(f"group roles missing: {', '.join(missing_groups)}: run `peermap admin init`")
        members = _memberships(conn)
        agencies = {m for g, m in members if g.startswith(AGENCY_PREFIX)}
        for g, m in members:
            if g in (GROUPS["practitioner"], GROUPS["panel"]) and m not in agencies:
                warnings.append(
                    f"login {m} ({g}) belongs to no agency: it reads no restricted item "
                    "(`peermap admin grant LOGIN --agency CODE`)"
                )
        found = {(p["table"], p["policy"]) for p in _policies(conn)}
        for table, policy in sorted(EXPECTED_POLICIES - found):
            warnings.append(f"row-level security policy {policy} on {table} is missing: run `peermap admin init`")
        grants = _grants(conn)
        for grantee, objs in grants.items():
            if grantee != "PUBLIC" and not grantee.startswith("peermap_"):
                continue
            for obj, privs in objs.items():
                bad = sorted(set(privs) & {"UPDATE", "DELETE", "TRUNCATE"})
                if bad:
                    warnings.append(f"{grantee} holds {', '.join(bad)} on {obj}: run `peermap admin init`")
        with_data = [t for t in ALL_TABLES if t not in grants.get(GROUPS["auditor"], {})]
        if with_data:
            warnings.append(f"peermap_auditor cannot read {', '.join(with_data)}: run `peermap admin init`")
        known = {
            str(r)
            for r in conn.execute(
                text("SELECT rolname FROM pg_roles WHERE rolname LIKE 'peermap\\_agency\\_%'")
            ).scalars()
        }
        codes = [str(a) for a in conn.execute(text("SELECT agency_id FROM agency")).scalars()]
    for code in codes:
        try:
            role = agency_role(code)
        except ValueError:
            warnings.append(f"agency {code!r} cannot be named as a role: its restricted items are readable by nobody")
            continue
        if role not in known:
            warnings.append(f"agency {code} has no group role {role}: run `peermap admin init`")
    audit.log_event(store, actor, "admin_check", {"warnings": len(warnings)})
    return warnings
