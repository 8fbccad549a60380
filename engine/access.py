"""Who is acting, in which role, and what each role may do. Enforced in the engine, not the UI."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .errors import PermissionDenied


class Role(StrEnum):
    PRACTITIONER = "practitioner"
    PANEL = "panel"
    AUDITOR = "auditor"


@dataclass(frozen=True)
class Actor:
    name: str
    role: Role

    @classmethod
    def parse(cls, name: str, role: str) -> Actor:
        try:
            return cls(name=name, role=Role(role))
        except ValueError:
            allowed = ", ".join(r.value for r in Role)
            raise PermissionDenied(f"unknown role {role!r}; use one of: {allowed}") from None


def require(actor: Actor, *roles: Role, to: str) -> None:
    """Raise PermissionDenied unless the actor holds one of `roles`; `to` says what was attempted."""
    if actor.role not in roles:
        need = " or ".join(r.value for r in roles)
        raise PermissionDenied(f"{actor.name} ({actor.role.value}) may not {to}: needs the {need} role")
