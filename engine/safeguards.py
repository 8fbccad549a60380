"""The safeguards' vocabulary (policies/safeguards.yaml): which concerns mean exploitation, which incidents
put children with adults. Kinds are matched normalised: lower case, spaces and hyphens as underscores."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import PolicyError
from .policy_files import read_yaml, shipped


def normal_kind(kind: str | None) -> str:
    """ "County lines", "county-lines" and "county_lines" are one kind."""
    return "_".join((kind or "").strip().lower().replace("-", " ").split())


class _Words(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    why: str = Field(min_length=1)
    value: tuple[str, ...] = Field(min_length=1)

    @field_validator("value", mode="after")
    @classmethod
    def _normal(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(normal_kind(x) for x in v)


class Safeguards(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_: int = Field(alias="schema", ge=1, le=1)
    exploitation_concerns: _Words
    adult_context_incidents: _Words

    def is_exploitation(self, concern_kind: str | None) -> bool:
        return normal_kind(concern_kind) in self.exploitation_concerns.value

    def is_adult_context(self, incident_kind: str | None) -> bool:
        return normal_kind(incident_kind) in self.adult_context_incidents.value


def load_safeguards(path: Path | None = None) -> Safeguards:
    p = path or shipped("safeguards.yaml")
    data = read_yaml(p, "safeguards vocabulary")
    try:
        return Safeguards.model_validate(data)
    except ValidationError as exc:
        parts = [f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}" for e in exc.errors()]
        raise PolicyError(f"{p}: " + "; ".join(parts)) from None


@lru_cache(maxsize=1)
def shipped_safeguards() -> Safeguards:
    return load_safeguards()
