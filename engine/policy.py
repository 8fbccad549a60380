"""The panel's inclusion policy: thresholds and options, versioned in the database, previewed first.

Exactly one version is in force at any instant: the one with the latest `created_at` at or before that instant
(ties broken by the higher version number). Before the first version, version 1 is deemed in force, so every
replay has a policy. When the database holds no version yet, the shipped default (`policies/inclusion.yaml`)
is written as version 1 by actor "system", dated at the earliest import (or now, for an empty database): the
same database always yields the same version 1, however late it is first asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, func, select

from . import audit, clock
from .access import Actor, Role, require
from .errors import PolicyConflict, PolicyError
from .models import ImportBatch, PolicyVersion
from .policy_files import read_yaml, shipped
from .store import Store
from .vocab import OBJECT_KIND_OF_RELATION, PEER_RELATIONS, RELATIONS, ObjectKind, Relation

INCIDENT_ROLES: tuple[str, ...] = tuple(r.value for r in RELATIONS if OBJECT_KIND_OF_RELATION[r] is ObjectKind.INCIDENT)
PEER_RELATION_NAMES: tuple[str, ...] = tuple(r.value for r in RELATIONS if r in PEER_RELATIONS)
SYSTEM_ACTOR = Actor("system", Role.PANEL)
"""Who installs the shipped default; its policy row records role "system"."""


def _in_vocab_order(values: list[str] | tuple[str, ...], allowed: tuple[str, ...], what: str) -> tuple[str, ...]:
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise ValueError(f"{', '.join(unknown)} not allowed as {what}; use some of: {', '.join(allowed)}")
    return tuple(v for v in allowed if v in set(values))


class InclusionPolicy(BaseModel):
    """Who appears on the map. Confidences refer to the evidence that a link exists, never to a child."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    include_threshold: float = Field(0.7, ge=0.0, le=1.0)
    grey_threshold: float = Field(0.5, ge=0.0, le=1.0)
    min_agencies: int = Field(2, ge=1, le=50)
    max_age_days: int = Field(365, ge=1, le=36500)
    association_only: Literal["greyed", "included"] = "greyed"
    incident_roles: tuple[str, ...] = INCIDENT_ROLES
    locations_of_concern: bool = True
    association_relations: tuple[str, ...] = (
        Relation.ASSOCIATION.value,
        Relation.CO_OFFENDING.value,
        Relation.ONLINE_CONTACT.value,
    )
    co_offending_direct: bool = False
    flag_overdue_review: bool = True
    presence_only: Literal["greyed", "included"] = "greyed"

    @field_validator("incident_roles", mode="before")
    @classmethod
    def _roles(cls, v: Any) -> tuple[str, ...]:
        if isinstance(v, str):
            v = [x.strip() for x in v.split(",") if x.strip()]
        return _in_vocab_order(list(v), INCIDENT_ROLES, "incident roles")

    @field_validator("association_relations", mode="before")
    @classmethod
    def _assoc(cls, v: Any) -> tuple[str, ...]:
        if isinstance(v, str):
            v = [x.strip() for x in v.split(",") if x.strip()]
        if Relation.SIBLING.value in v:
            raise ValueError("sibling links never count as association")
        return _in_vocab_order(list(v), PEER_RELATION_NAMES, "association relations")

    @model_validator(mode="after")
    def _ordered(self) -> InclusionPolicy:
        if self.grey_threshold > self.include_threshold:
            raise ValueError(
                f"grey_threshold ({self.grey_threshold}) must not be above include_threshold ({self.include_threshold})"
            )
        return self

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


POLICY_FIELDS: tuple[str, ...] = tuple(InclusionPolicy.model_fields)


def _policy_error(exc: ValidationError, where: str) -> PolicyError:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "policy"
        msg = str(err["msg"]).removeprefix("Value error, ")
        parts.append(f"{loc}: {msg}")
    return PolicyError(f"invalid inclusion policy ({where}): " + "; ".join(parts))


def validate_policy(data: InclusionPolicy | dict[str, Any], where: str = "proposed policy") -> InclusionPolicy:
    """A validated policy (re-validating models too, since model_copy(update=...) skips validation)."""
    raw = data.model_dump() if isinstance(data, InclusionPolicy) else dict(data)
    try:
        return InclusionPolicy.model_validate(raw)
    except ValidationError as exc:
        raise _policy_error(exc, where) from None


def with_changes(base: InclusionPolicy, **changes: Any) -> InclusionPolicy:
    """`base` with some fields changed (None means unchanged), validated."""
    update = {k: v for k, v in changes.items() if v is not None}
    return validate_policy({**base.model_dump(), **update})


def default_policy_path() -> Path:
    return shipped("inclusion.yaml")


def _read_default(path: Path | None) -> dict[str, Any]:
    p = path or default_policy_path()
    data = read_yaml(p, "inclusion policy")
    if not isinstance(data, dict):
        raise PolicyError(f"{p}: expected a mapping of policy fields")
    return data


def load_default_policy(path: Path | None = None) -> InclusionPolicy:
    """The shipped default (policies/inclusion.yaml): each field is `{value, why}` (or a bare value)."""
    data = _read_default(path)
    values: dict[str, Any] = {}
    for key, entry in data.items():
        if key == "schema":
            continue
        if isinstance(entry, dict):
            if "value" not in entry:
                raise PolicyError(f"{path or default_policy_path()}: {key}: missing 'value'")
            values[key] = entry["value"]
        else:
            values[key] = entry
    return validate_policy(values, where=str(path or default_policy_path()))


def default_policy_notes(path: Path | None = None) -> dict[str, str]:
    """Why each default was chosen, by field."""
    return {k: " ".join(str(v.get("why", "")).split()) for k, v in _read_default(path).items() if isinstance(v, dict)}


# --------------------------------------------------------------------------------------------- versions


@dataclass(frozen=True)
class PolicyRecord:
    """One inclusion-policy version as stored."""

    version: int
    created_at: datetime
    actor: str
    role: str
    reason: str
    replaces: int | None
    body: InclusionPolicy

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "created_at": self.created_at.isoformat(),
            "actor": self.actor,
            "role": self.role,
            "reason": self.reason,
            "replaces": self.replaces,
            "policy": self.body.to_json(),
        }


def _record(row: PolicyVersion) -> PolicyRecord:
    try:
        body = InclusionPolicy.model_validate_json(row.body)
    except ValidationError as exc:
        raise _policy_error(exc, f"stored version {row.version}") from None
    return PolicyRecord(
        version=row.version,
        created_at=clock.as_utc(row.created_at),
        actor=row.actor,
        role=row.role,
        reason=row.reason,
        replaces=row.replaces,
        body=body,
    )


def ensure_default(store: Store) -> None:
    """Write the shipped default as version 1 if none exists (dated at the earliest import, else now)."""
    for _attempt in range(3):
        with store.read() as s:
            if s.exec(select(PolicyVersion.version).limit(1)).first() is not None:
                return
            earliest = s.exec(select(func.min(ImportBatch.imported_at))).one()
        policy = load_default_policy()
        created = clock.as_utc(earliest) if earliest is not None else clock.now()
        try:
            with store.transaction() as s:
                s.add(
                    PolicyVersion(
                        version=1,
                        created_at=created,
                        actor=SYSTEM_ACTOR.name,
                        role="system",
                        reason="the shipped default inclusion policy (policies/inclusion.yaml)",
                        replaces=None,
                        body=audit.canonical_json(policy.to_json()),
                    )
                )
                audit.record(
                    s,
                    SYSTEM_ACTOR,
                    "policy_default_installed",
                    {"version": 1, "in_force_from": created.isoformat(), "policy": policy.to_json()},
                    data_ref="policy_version:1",
                )
        except IntegrityError:
            continue  # a concurrent writer got there first (version 1 or an audit seq): look again
        return
    raise PolicyError("could not install the default inclusion policy: the database is busy, try again")


def policy_history(store: Store) -> list[PolicyRecord]:
    """Every version, oldest first (installing the default first if there is none)."""
    ensure_default(store)
    with store.read() as s:
        rows = list(s.exec(select(PolicyVersion).order_by(col(PolicyVersion.version))))
    return [_record(r) for r in rows]


def _in_force(records: list[PolicyRecord], at: datetime) -> PolicyRecord:
    candidates = [r for r in records if r.created_at <= at]
    if not candidates:
        return records[0]  # before the first version, version 1 (the shipped default) is deemed in force
    return max(candidates, key=lambda r: (r.created_at, r.version))


def policy_in_force(store: Store, at: datetime | None = None) -> PolicyRecord:
    """The version in force at `at` (default now)."""
    return _in_force(policy_history(store), clock.as_utc(at or clock.now()))


def set_policy(
    store: Store, actor: Actor, new: InclusionPolicy, reason: str, *, based_on: int | None = None
) -> PolicyRecord:
    """Commit `new` as the next version (panel role only, with a reason); audited as "policy_set".

    `based_on` is the version the proposal was made (and previewed) against. If another commit came first,
    the commit is refused with PolicyConflict and nothing changes (optimistic concurrency): two panel
    members can never silently revert each other. Commits are serialised by the audit lock, so the latest
    version read here cannot change before this one commits.
    """
    require(actor, Role.PANEL, to="change the inclusion policy")
    reason = (reason or "").strip()
    if not reason:
        raise PolicyError("reason: a policy change needs a reason (who asked for it and why)")
    new = validate_policy(new)
    ensure_default(store)
    now = clock.now()
    with store.transaction() as s:
        audit.lock_head(s)
        latest_row = s.exec(select(PolicyVersion).order_by(col(PolicyVersion.version).desc()).limit(1)).one()
        latest = _record(latest_row)
        if based_on is not None and latest.version != based_on:
            raise PolicyConflict(
                f"conflict: this change was based on policy version {based_on}, but version {latest.version} was "
                f"committed since by {latest.actor} at {latest.created_at:%Y-%m-%d %H:%M:%S} UTC "
                f"({latest.reason}). Nothing was changed: preview your change again against version "
                f"{latest.version} and commit it again if it is still wanted."
            )
        if now < latest.created_at:
            raise PolicyError(
                f"time: version {latest.version} is dated {latest.created_at.isoformat()}, after now "
                f"({now.isoformat()}); a new version cannot take effect before the one it replaces"
            )
        before, after = latest.body.to_json(), new.to_json()
        changes = {k: {"from": before[k], "to": after[k]} for k in POLICY_FIELDS if before[k] != after[k]}
        row = PolicyVersion(
            version=latest.version + 1,
            created_at=clock.as_utc(now),
            actor=actor.name,
            role=actor.role.value,
            reason=reason,
            replaces=latest.version,
            body=audit.canonical_json(after),
        )
        s.add(row)
        audit.record(
            s,
            actor,
            "policy_set",
            {"version": row.version, "replaces": latest.version, "reason": reason, "changes": changes},
            data_ref=f"policy_version:{row.version}",
        )
        s.flush()
        return _record(row)
