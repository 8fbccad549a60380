"""Who is acting: on PostgreSQL the session's login and the peermap group roles it is a member of; on SQLite
the operating-system login and a self-declared role.

`--role` only chooses among the roles the login holds (default: the least privileged), and a role not held
is refused before any data is read. `--actor` is at most a display label recorded beside the login.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass

from sqlalchemy import text

from .access import ROLE_ORDER, Actor, Role, choose_role, parse_role
from .store import Store

_HELD_SQL = text(
    """
    SELECT r.rolname FROM pg_roles r
    WHERE (r.rolname LIKE 'peermap\\_%') AND pg_has_role(session_user, r.oid, 'MEMBER')
    ORDER BY r.rolname
    """
)
_SESSION_SQL = text(
    """
    SELECT session_user::text AS login, r.rolsuper AS superuser,
           (SELECT t.tableowner::text FROM pg_tables t
             WHERE t.schemaname = current_schema() AND t.tablename = 'meta') AS owner
    FROM pg_roles r WHERE r.rolname = session_user
    """
)


@dataclass(frozen=True)
class SessionIdentity:
    """What the database says about the connected login."""

    login: str
    roles: tuple[Role, ...]
    agencies: tuple[str, ...]
    superuser: bool
    owner: bool  # owns the peermap tables (or is a member of the owner role)


def os_login() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in the environment or password database
        return "unknown"


def pg_identity(store: Store) -> SessionIdentity:
    """The session login, the peermap roles and agencies it is a member of; owners and superusers hold all roles."""
    with store.engine.connect() as conn:
        me = conn.execute(_SESSION_SQL).mappings().one()
        names = [str(n) for n in conn.execute(_HELD_SQL).scalars()]
        owner = False
        if me["owner"]:
            owner = bool(
                conn.execute(text("SELECT pg_has_role(session_user, :o, 'MEMBER')"), {"o": me["owner"]}).scalar_one()
            )
    superuser = bool(me["superuser"])
    agencies = tuple(n[len("peermap_agency_") :] for n in names if n.startswith("peermap_agency_"))
    held = {r for r in Role if f"peermap_{r.value}" in names}
    if superuser or owner:
        held = set(Role)
    return SessionIdentity(
        login=str(me["login"]),
        roles=tuple(r for r in ROLE_ORDER if r in held),
        agencies=agencies,
        superuser=superuser,
        owner=owner,
    )


def resolve_actor(store: Store | None, role: str | None, label: str | None) -> Actor:
    """The acting login and role (see the module docstring); PermissionDenied for a role not held.

    `store` None means a SQLite file not opened (yet): the actor is then the operating-system login.
    """
    label = label.strip() if label and label.strip() else None
    if store is not None and store.is_postgresql:
        me = pg_identity(store)
        chosen = choose_role(me.login, me.roles, role)
        return Actor(
            name=me.login,
            role=chosen,
            label=label if label != me.login else None,
            verified=True,
            agencies=me.agencies,
            held=me.roles,
        )
    login = os_login()
    claimed = parse_role(role) if role else Role.PRACTITIONER
    return Actor(name=login, role=claimed, label=label if label != login else None, verified=False, held=(claimed,))
