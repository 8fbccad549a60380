"""Who is acting, in which role, and what each role may do. Enforced in the engine, not the UI.

On PostgreSQL the login and the roles held come from the database session (see `engine.pg_roles`) and
the server enforces them again with grants and row-level security; on SQLite the login is the operating
system's and the role is a self-declared claim, recorded as such.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .errors import PermissionDenied


class Role(StrEnum):
    PRACTITIONER = "practitioner"
    PANEL = "panel"
    AUDITOR = "auditor"
    ADMIN = "admin"


# Least privileged first: the default when a login holds several roles and asks for none. A practitioner
# never sees left-out young people; an auditor sees them by id and reads the audit log but changes nothing;
# the panel changes the inclusion policy; an administrator manages logins.
ROLE_ORDER: tuple[Role, ...] = (Role.PRACTITIONER, Role.AUDITOR, Role.PANEL, Role.ADMIN)


@dataclass(frozen=True)
class Actor:
    """Someone acting: `name` is the login (database or operating system), `label` an optional display name.

    `verified` is True when the role was proven by the database (PostgreSQL membership) and False when it is
    the user's own claim (SQLite). `agencies` are the agency codes whose restricted items the login may read.
    """

    name: str
    role: Role
    label: str | None = None
    verified: bool = False
    agencies: tuple[str, ...] = ()
    held: tuple[Role, ...] = ()

    @classmethod
    def parse(cls, name: str, role: str, *, label: str | None = None) -> Actor:
        return cls(name=name, role=parse_role(role), label=label if label and label != name else None)

    @property
    def display(self) -> str:
        """The login, with the label beside it when one was given: "jsmith (Jo Smith)"."""
        return f"{self.name} ({self.label})" if self.label else self.name

    def who(self) -> dict[str, object]:
        """What the audit log records beside the login: the label and how the role is known."""
        out: dict[str, object] = {"role_basis": "database" if self.verified else "self-declared"}
        if self.label:
            out["label"] = self.label
        return out


def parse_role(role: str) -> Role:
    try:
        return Role(role.strip().lower())
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise PermissionDenied(f"unknown role {role!r}; use one of: {allowed}") from None


def least_privileged(held: tuple[Role, ...] | list[Role] | set[Role]) -> Role:
    """The least privileged of the roles held (ROLE_ORDER); PermissionDenied when none is held."""
    for r in ROLE_ORDER:
        if r in held:
            return r
    raise PermissionDenied("this login holds no peermap role; ask an administrator to run `peermap admin grant`")


def choose_role(login: str, held: tuple[Role, ...], wanted: str | None) -> Role:
    """`wanted` if the login holds it; else the least privileged held. A role not held is refused, naming the held."""
    if wanted is None:
        return least_privileged(held)
    role = parse_role(wanted)
    if role not in held:
        names = ", ".join(r.value for r in ROLE_ORDER if r in held) or "none"
        raise PermissionDenied(f"login {login!r} does not hold the {role.value} role (roles held: {names})")
    return role


def require(actor: Actor, *roles: Role, to: str) -> None:
    """Raise PermissionDenied unless the actor holds one of `roles`; `to` says what was attempted."""
    if actor.role not in roles:
        need = " or ".join(r.value for r in roles)
        raise PermissionDenied(f"{actor.name} ({actor.role.value}) may not {to}: needs the {need} role")


def role_separation(dialect: str) -> str:
    """One plain sentence on who enforces roles in this deployment (summary, audit report, README)."""
    if dialect == "postgresql":
        return (
            "roles are enforced by PostgreSQL: each person connects as their own login, the roles held are "
            "group memberships, and grants and row-level security apply even to raw SQL"
        )
    return (
        "role separation is enforced only on PostgreSQL: this SQLite file is one analyst's workbook, the actor is "
        "the operating-system login and every role is a self-declared claim"
    )
