"""The intervention catalogue (policies/interventions.yaml): pydantic models and a loader.

A broken catalogue raises PolicyError naming the file, the entry id and the field of every problem.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..errors import PolicyError
from ..groups import kind_key
from ..policy_files import read_yaml, shipped

DEFAULT_CATALOGUE_NAME = "interventions.yaml"

Level = Literal["group", "place", "school", "community"]
TargetKind = Literal["group", "location", "school"]
ContraCode = Literal["harmed_and_harming_together", "public_labelling", "enforcement_led", "exploited_with_exploiters"]

CONTRAINDICATIONS: dict[str, str] = {
    "harmed_and_harming_together": (
        "Never bring a young person harmed in a peer-on-peer incident into group work with the young person "
        "alleged to have harmed them: a group suggestion whose group holds both is held back."
    ),
    "public_labelling": (
        "Never run sessions that publicly label members as a group: a group suggestion is held back when "
        "so few "
        "identified young people would attend that the session itself singles them out."
    ),
    "exploited_with_exploiters": (
        "Never place a young person who may be exploited (a concern of exploitation, or harmed and also recorded "
        "as harming or co-offending) in group work with those recorded as harming or offending alongside them, "
        "who may be exploiting them: a group suggestion whose group holds both is held back."
    ),
    "enforcement_led": (
        "Place-based work stays child-welfare-led: a place suggestion involving enforcement partners is held "
        "back when a young person on the map was harmed at that place, until the child-welfare lead has "
        "planned it so that those young people are protected, not criminalised."
    ),
}

# Words a response must not use: the catalogue changes contexts; it never targets or labels children.
FORBIDDEN_WORDS: tuple[str, ...] = (
    "disrupt",
    "gang member",
    "nominal",
    "watch list",
    "watchlist",
    "named list",
    "risky behaviour",
    "lifestyle choice",
    "poor choices",
)

NATURAL_LEVEL: dict[str, str] = {"group": "group", "location": "place", "school": "school"}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _keys(v: Any) -> Any:
    if isinstance(v, str):
        v = [x for x in re.split(r"[,;]", v) if x.strip()]
    if isinstance(v, list | tuple):
        return tuple(kind_key(str(x)) for x in v)
    return v


class Preconditions(_Strict):
    """When an entry fits a target. Sizes count the group's included members (the ones it may be for)."""

    min_group_size: int | None = Field(None, ge=1, le=100)
    max_group_size: int | None = Field(None, ge=1, le=100)
    place_kinds: tuple[str, ...] | None = None  # the place's kind must be one of these
    exclude_place_kinds: tuple[str, ...] = ()
    flagged_place: bool = False  # the place must be recorded as a location of concern
    min_concern_confidence: float = Field(0.3, ge=0.0, le=1.0)
    requires_strength: bool = False  # at least one of the strengths it builds on must be present
    min_school_members: int = Field(2, ge=2, le=100)

    @field_validator("place_kinds", "exclude_place_kinds", mode="before")
    @classmethod
    def _kinds(cls, v: Any) -> Any:
        return _keys(v) if v is not None else None

    @model_validator(mode="after")
    def _sizes(self) -> Preconditions:
        if self.min_group_size and self.max_group_size and self.min_group_size > self.max_group_size:
            raise ValueError(f"min_group_size {self.min_group_size} is above max_group_size {self.max_group_size}")
        return self


class Entry(_Strict):
    """One response a partnership can make to a group, a place or a school."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")
    title: str = Field(min_length=5, max_length=120)
    level: Level
    targets: tuple[TargetKind, ...] = Field(min_length=1)
    description: str = Field(min_length=20)
    addresses: tuple[str, ...] = Field(min_length=1)  # concern kinds (incident kinds and Concern kinds)
    builds_on: tuple[str, ...] = ()  # strength kinds
    preconditions: Preconditions = Preconditions()
    contraindications: tuple[ContraCode, ...] = ()
    partners: tuple[str, ...] = Field(min_length=1)
    guidance: str = Field(min_length=10)

    @field_validator("addresses", "builds_on", mode="before")
    @classmethod
    def _kind_keys(cls, v: Any) -> Any:
        return _keys(v)

    @field_validator("title", "description")
    @classmethod
    def _language(cls, v: str) -> str:
        low = v.lower()
        bad = [w for w in FORBIDDEN_WORDS if w in low]
        if bad:
            raise ValueError(
                f"uses {', '.join(repr(b) for b in bad)}: responses change contexts, "
                "they never target or label children"
            )
        return v

    @model_validator(mode="after")
    def _coherent(self) -> Entry:
        if len(set(self.targets)) != len(self.targets):
            raise ValueError("targets repeat")
        if self.level != "community" and not any(NATURAL_LEVEL[t] == self.level for t in self.targets):
            need = {"group": "group", "place": "location", "school": "school"}[self.level]
            raise ValueError(f"a {self.level}-level entry must list {need!r} in its targets")
        if "harmed_and_harming_together" in self.contraindications and "group" not in self.targets:
            raise ValueError("harmed_and_harming_together only applies to entries that target groups")
        return self

    def fits_level(self, target_kind: str) -> bool:
        return NATURAL_LEVEL[target_kind] == self.level


class Settings(_Strict):
    labelling_min_cohort: int = Field(3, ge=2, le=50)  # public_labelling: fewer identified attendees = held back


class Catalogue(_Strict):
    version: int = Field(ge=1)
    description: str = ""
    settings: Settings = Settings()
    concern_aliases: dict[str, str] = {}  # other names for a concern kind -> the kind entries use
    entries: tuple[Entry, ...] = Field(min_length=1)

    @field_validator("concern_aliases", mode="before")
    @classmethod
    def _aliases(cls, v: Any) -> Any:
        if isinstance(v, dict):
            return {kind_key(str(k)): kind_key(str(x)) for k, x in v.items()}
        return v

    @model_validator(mode="after")
    def _unique(self) -> Catalogue:
        seen: set[str] = set()
        for e in self.entries:
            if e.id in seen:
                raise ValueError(f"entry id {e.id!r} appears more than once")
            seen.add(e.id)
        return self

    def get(self, entry_id: str) -> Entry | None:
        return next((e for e in self.entries if e.id == entry_id), None)

    def canonical(self, kind: str) -> str:
        k = kind_key(kind)
        return self.concern_aliases.get(k, k)


def default_catalogue_path() -> Path:
    return shipped(DEFAULT_CATALOGUE_NAME)


def load_catalogue(path: Path | str | None = None) -> Catalogue:
    """Load and validate a catalogue (default: the shipped policies/interventions.yaml)."""
    p = Path(path) if path is not None else default_catalogue_path()
    return parse_catalogue(read_yaml(p, "intervention catalogue"), str(p))


def parse_catalogue(data: Any, source: str = "<catalogue>") -> Catalogue:
    if not isinstance(data, dict):
        raise PolicyError(f"{source}: an intervention catalogue must be a mapping with version and entries")
    try:
        return Catalogue.model_validate(data)
    except ValidationError as exc:
        raise PolicyError("\n".join(_describe(source, data, e) for e in exc.errors())) from None


def _describe(source: str, data: dict[str, Any], err: Any) -> str:
    loc = list(err.get("loc", ()))
    msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
    if len(loc) >= 2 and loc[0] == "entries" and isinstance(loc[1], int):
        entries = data.get("entries") or []
        raw = entries[loc[1]] if loc[1] < len(entries) else None
        eid = raw.get("id") if isinstance(raw, dict) else None
        where = f"entry {eid!r}" if eid else f"entry #{loc[1] + 1}"
        fld = ".".join(str(x) for x in loc[2:]) or "(entry)"
        return f"{source}: {where}, field {fld}: {msg}"
    fld = ".".join(str(x) for x in loc) or "(catalogue)"
    return f"{source}: field {fld}: {msg}"
